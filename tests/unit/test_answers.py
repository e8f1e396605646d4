"""Answers on a notice: a button and the typed command alike, and only the answers that apply."""

from __future__ import annotations

from support.clocks import FakeClock
from support.configs import settings
from support.daemons import fake_daemon
from support.notifiers import BREAK, FakePlyer, Shown
from support.recorders import Stats

from ergo_daemon import kinds
from ergo_daemon.notify.answers import Answer
from ergo_daemon.notify.plyer_backend import PlyerNotifier
from ergo_daemon.ports import Notice


def test_reminders_without_a_snooze_and_other_notices_say_only_what_applies() -> None:
    backend = FakePlyer()
    plyer = PlyerNotifier(backend)
    walk = kinds.Kind("lunch", "Walk", "Walk", "Also due: Walk.")
    lunch = Notice(walk, "Walk", "Ten minutes outside.", BREAK.at, actions=("done", "skip"))
    plyer.send(lunch)
    plyer.send(Notice.about_itself("info", "ergo-daemon", "No snoozes left today.", BREAK.at))
    long = Notice(kinds.BREAK, "Break", "x" * 400, BREAK.at, actions=("done", "snooze", "skip"))
    plyer.send(long)
    assert backend.calls[0]["message"].endswith("Answer: ergo-daemon done lunch (or skip)")
    assert backend.calls[1]["message"] == "No snoozes left today."
    assert len(backend.calls[2]["message"]) <= 256, "Windows' limit"
    assert backend.calls[2]["message"].endswith("(or snooze, skip)"), "the hint survives a cut"


def test_a_button_and_the_typed_command_count_alike_and_a_refusal_is_told() -> None:
    from ergo_daemon.control.handler import handle
    from ergo_daemon.control.messages import encode_request

    clock, shown, stats = FakeClock(), Shown(), Stats()
    daemon = fake_daemon(settings({"eyes": {}}), shown, clock=clock, recorder=stats)
    daemon.policy.state.snoozes = {clock.wall.date().isoformat(): 5}  # the day's 5 are used
    daemon.tick()
    while not shown.shown:
        clock.advance(15)
        daemon.tick()
    assert shown.shown[-1].actions == ("done", "snooze", "skip")
    daemon.answer(Answer(kinds.EYES, "done"))
    daemon.tick()
    handle(daemon, encode_request("done", kind="eyes"))
    assert stats.events.count(("eyes", "done", ())) == 2, stats.events
    daemon.answer(Answer(kinds.EYES, "snooze"))
    daemon.tick()
    told = shown.shown[-1]
    assert (told.kind, told.topic, told.actions) == (None, "info", ())
    assert told.message == "Snooze: no snoozes left today (the limit is 5 a day)"
    assert not any(outcome == "snoozed" for _, outcome, _ in stats.events)
    assert ("info", "shown", ()) not in stats.events, "a notice about itself is no reminder"
