"""The heads-up before a break and the one ask again after an ignored one, in the daemon's tick."""

from __future__ import annotations

import pytest
from support.clocks import FakeClock
from support.configs import settings
from support.daemons import fake_daemon
from support.notifiers import Shown
from support.recorders import Stats

from ergo_daemon.daemon import Daemon
from ergo_daemon.kinds import BREAK
from ergo_daemon.notify.answers import Answer, button_list
from ergo_daemon.settings.models import Settings


def daemon_with(**breaks: str) -> tuple[Daemon, FakeClock, Shown, Stats]:
    # Clock time counts as active (no idle source): someone who never stops typing.
    clock, shown, stats = FakeClock(), Shown(), Stats()
    daemon = fake_daemon(
        settings({"eyes": {}, "break": breaks}), shown, clock=clock, recorder=stats
    )
    daemon.tick()
    return daemon, clock, shown, stats


def run(daemon: Daemon, clock: FakeClock, minutes: float, shown: Shown) -> list[tuple[float, str]]:
    """Follow the daemon's own wakes for ``minutes``; (minute, title) of each notice ``shown``."""
    start, seen = clock.wall, len(shown.shown)
    end = start.timestamp() + minutes * 60
    wake = daemon.tick()
    while wake.timestamp() <= end:
        clock.advance(wake.timestamp() - clock.wall.timestamp())
        wake = daemon.tick()
    return [((n.at - start).total_seconds() / 60, n.title) for n in shown.shown[seen:]]


def test_a_heads_up_comes_30_s_before_each_break_and_never_before_eye_rests() -> None:
    daemon, clock, shown, _ = daemon_with(remind_after="0s")
    notices = run(daemon, clock, 125, shown)
    heads_ups = [at for at, title in notices if title == "Break in 30 seconds"]
    breaks = [at for at, title in notices if title.startswith("Break time")]
    assert len(breaks) == 2 and len(heads_ups) == 2
    for warned, due in zip(heads_ups, breaks, strict=True):
        assert due - warned == pytest.approx(0.5, abs=0.01)
    eyes = [at for at, title in notices if title.startswith("Rest your eyes")]
    assert len(eyes) >= 4 and len(notices) == len(eyes) + 4, "no heads-up for the eyes"
    notice = next(n for n in shown.shown if n.title == "Break in 30 seconds")
    assert button_list(notice) == ["snooze", "Postpone 5 minutes", "skip", "Skip"]


def test_postponing_at_the_heads_up_moves_the_break_and_warns_again_before_it() -> None:
    daemon, clock, shown, stats = daemon_with(remind_after="0s")
    first = run(daemon, clock, 59.6, shown)
    assert first[-1][1] == "Break in 30 seconds"
    daemon.answer(Answer(BREAK, "snooze"))
    later = run(daemon, clock, 10, shown)
    titles = [title for _, title in later if "reak" in title]
    assert titles == ["Break in 30 seconds", "Break time: step away for 5 minutes"]
    at = {title: minute for minute, title in later}
    assert at["Break time: step away for 5 minutes"] == pytest.approx(5.0, abs=0.05)
    assert ("break", "snoozed", ()) in stats.events


def test_no_heads_up_when_it_is_off() -> None:
    daemon, clock, shown, _ = daemon_with(heads_up="0s")
    assert not any(title.startswith("Break in") for _, title in run(daemon, clock, 65, shown))


def test_an_ignored_break_is_asked_again_once_after_10_minutes_in_other_words() -> None:
    daemon, clock, shown, stats = daemon_with(heads_up="0s")
    notices = [(at, t) for at, t in run(daemon, clock, 115, shown) if not t.startswith("Rest")]
    assert [t for _, t in notices] == [
        "Break time: step away for 5 minutes",
        "Still going? Step away for 5 minutes now",
    ]
    assert notices[1][0] - notices[0][0] == pytest.approx(10, abs=0.05)
    assert [e[:2] for e in stats.events if e[0] == "break"] == [
        ("break", "shown"),  # with the eye rest merged into it
        ("break", "repeated"),
    ]
    again = next(n for n in shown.shown if n.title.startswith("Still going"))
    assert again.actions == ("done", "snooze", "skip")


@pytest.mark.parametrize("answer", ["done", "snooze", "skip", "dismissed"])
def test_an_answered_break_is_not_asked_again(answer: str) -> None:
    daemon, clock, shown, _ = daemon_with(heads_up="0s")
    run(daemon, clock, 60.1, shown)
    daemon.answer(Answer(BREAK, answer))  # type: ignore[arg-type]
    # 12 min: past the 10 min ask; a snoozed break shown again 5 min on waits 10 min of its own
    assert not any(t.startswith("Still going") for _, t in run(daemon, clock, 12, shown))


def test_the_follow_ups_refuse_settings_that_cannot_work() -> None:
    with pytest.raises(ValueError, match="'heads_up' must be shorter than 'every'"):
        Settings.model_validate({"break": {"every": "10m", "heads_up": "10m"}})
    with pytest.raises(ValueError, match="between 0s"):
        Settings.model_validate({"break": {"heads_up": "20m"}})
