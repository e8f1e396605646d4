"""Answers on a notice: buttons over the real D-Bus signal path, or the commands to type."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from support import dbus_services as services
from support.clocks import FakeClock
from support.configs import settings
from support.daemons import fake_daemon
from support.desktop import Desktop
from support.notifiers import BREAK, FakePlyer, Shown
from support.recorders import Stats
from support.waiting import eventually

from ergo_daemon import kinds
from ergo_daemon.activity.bus import Listener
from ergo_daemon.notify.answers import Answer
from ergo_daemon.notify.freedesktop import FreedesktopNotifier
from ergo_daemon.notify.plyer_backend import PlyerNotifier
from ergo_daemon.ports import Notice


class Answers:
    """Collects what the notifier hands on, from the bus thread."""

    def __init__(self) -> None:
        self.got: list[Answer] = []
        self.threads: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, answer: Answer) -> None:
        with self._lock:
            self.got.append(answer)
            self.threads.add(threading.current_thread().name)


@pytest.fixture
def server(desktop: Desktop) -> Iterator[services.NotificationServer]:
    desktop.stop_notification_server()  # the stand-in takes dunst's name
    with services.NotificationServer(desktop.env["DBUS_SESSION_BUS_ADDRESS"]) as stand_in:
        yield stand_in


def notifier_for(server: services.NotificationServer) -> tuple[FreedesktopNotifier, Answers]:
    notifier = FreedesktopNotifier(server.address, listener=Listener())
    answers = Answers()
    notifier.listen(answers)
    return notifier, answers


def test_each_button_reaches_the_handler_on_the_bus_thread_and_closes_the_notice(
    server: services.NotificationServer,
) -> None:
    notifier, answers = notifier_for(server)
    for key in ("done", "snooze", "skip"):
        notifier.send(BREAK)
        shown = server.notices[-1]
        assert shown["actions"] == ["done", "Done", "snooze", "Snooze", "skip", "Skip"]
        assert "ergo-daemon done" not in shown["body"], "buttons: no commands to type"
        server.press(shown["id"], key)
        eventually(lambda: len(answers.got) == len(server.notices), f"{key} handed on")
        assert answers.got[-1] == Answer(kinds.BREAK, key, (kinds.EYES,))
        closed = shown["id"]
        eventually(lambda: closed in server.closed_by_client, "the notice closed")  # noqa: B023
    assert answers.threads == {"ergo-dbus"}, "signals are read by the one listener thread"
    notifier.close()


def test_dismissing_counts_once_and_expiring_or_unknown_keys_not_at_all(
    server: services.NotificationServer,
) -> None:
    notifier, answers = notifier_for(server)
    notifier.send(BREAK)
    first = server.notices[-1]["id"]
    server.close(first, 2)  # the person closed it
    eventually(lambda: len(answers.got) == 1, "dismissal handed on")
    assert answers.got == [Answer(kinds.BREAK, "dismissed", (kinds.EYES,))]
    server.close(first, 2)  # said again: already gone
    notifier.send(BREAK)
    second = server.notices[-1]["id"]
    server.press(second, "default")  # a key this notice never offered
    server.close(second, 1)  # expired: not an answer
    notifier.send(BREAK)
    third = server.notices[-1]["id"]
    server.press(third, "skip")  # a marker: every earlier signal has been read by now
    eventually(lambda: len(answers.got) == 2, "the skip handed on")
    assert answers.got[1].action == "skip"
    notifier.close()


def test_a_server_without_buttons_gets_the_commands_to_type(desktop: Desktop) -> None:
    desktop.stop_notification_server()
    address = desktop.env["DBUS_SESSION_BUS_ADDRESS"]
    with services.NotificationServer(address, capabilities=("body",)) as server:
        notifier = FreedesktopNotifier(address, listener=Listener())
        notifier.send(BREAK)
        shown = server.notices[-1]
        assert shown["actions"] == []
        assert shown["body"] == (
            "Step away from the desk.\nAnswer: ergo-daemon done break (or snooze, skip)"
        )
        notifier.close()


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
