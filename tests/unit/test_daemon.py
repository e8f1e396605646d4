"""The daemon's tick with stand-ins for the world: failures are logged and survived."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from support.activity import FlakyActivity, IdleFor, LockedScreen, Switch
from support.clocks import FakeClock
from support.configs import settings
from support.daemons import fake_daemon
from support.daemons import run as _run
from support.notifiers import Shown
from support.recorders import Stats

from ergo_daemon.activity.null import UnknownActivity
from ergo_daemon.daemon import Daemon
from ergo_daemon.kinds import EYES
from ergo_daemon.notify.log import LogNotifier
from ergo_daemon.ports import (
    ActivityError,
    ActivitySource,
    DeliveryError,
    Notice,
    Notifier,
    Reading,
)

SETTINGS = settings({"eyes": {}})


class BrokenNotifier(Notifier):
    name = "broken"

    def __init__(self) -> None:
        self.attempts = 0

    def check(self) -> str:
        raise DeliveryError("server exploded")

    def send(self, notice: Notice) -> None:
        self.attempts += 1
        raise RuntimeError("server exploded")


def _daemon(notifier: Notifier, activity: ActivitySource, clock: FakeClock) -> Daemon:
    return fake_daemon(SETTINGS, notifier, activity, clock=clock)


def test_a_notifier_that_always_raises_leaves_the_daemon_running_and_logging(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock, notifier = FakeClock(), BrokenNotifier()
    daemon = _daemon(notifier, UnknownActivity(), clock)
    with caplog.at_level(logging.INFO):
        daemon.tick()
        _run(daemon, clock, 65)
    assert notifier.attempts == 6, "3 eye prompts in 65 min, each tried twice"
    assert caplog.text.count("retrying in 0:01:00") == 3
    assert caplog.text.count("dropped") == 3


class FailsOnce(Shown):
    """Refuses the first notice, then hands every one to ``shown_to``."""

    def __init__(self, shown_to: Shown) -> None:
        super().__init__()
        self.failed = False
        self.shown_to = shown_to

    def send(self, notice: Notice) -> None:
        if not self.failed:
            self.failed = True
            raise RuntimeError("not yet")
        self.shown_to.send(notice)


def test_a_failed_prompt_is_retried_once_and_then_shown() -> None:
    clock, recorder = FakeClock(), Shown()

    daemon = _daemon(FailsOnce(recorder), UnknownActivity(), clock)
    daemon.tick()
    _run(daemon, clock, 20)
    assert recorder.shown == []
    wake = None
    for _ in range(4):
        clock.advance(15)
        wake = daemon.tick()
    assert [n.kind for n in recorder.shown] == [EYES]
    assert wake is not None


def test_notices_that_reach_only_the_log_are_a_delivery_problem_saying_why() -> None:
    clock = FakeClock()
    daemon = _daemon(LogNotifier("no session bus"), UnknownActivity(), clock)
    daemon.tick()
    _run(daemon, clock, 21)
    failure = daemon.status().delivery_failure
    assert failure is not None, "status would say every notice is shown"
    assert failure[0] == "only written to the log: no session bus"


def test_a_failing_activity_source_falls_back_and_says_so_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock, recorder = FakeClock(), Shown()
    daemon = _daemon(recorder, FlakyActivity(), clock)
    with caplog.at_level(logging.INFO):
        daemon.tick()
        _run(daemon, clock, 21)
    assert caplog.text.count("X server went away") == 1
    assert [n.kind for n in recorder.shown] == [EYES], "clock time still counts"


class RestartingActivity(UnknownActivity):
    """Works, fails while its compositor restarts (``failing``), then works again."""

    name = "restarting"

    def __init__(self) -> None:
        self.failing = False
        self.reads = 0

    def read(self) -> Reading:
        self.reads += 1
        if self.failing:
            raise ActivityError("the compositor closed the connection")
        return Reading(idle=0.0)


def test_a_source_that_fails_after_working_is_asked_again_and_holds_prompts_meanwhile(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock, recorder, source = FakeClock(), Shown(), RestartingActivity()
    daemon = _daemon(recorder, source, clock)
    with caplog.at_level(logging.INFO):
        daemon.tick()
        _run(daemon, clock, 15)
        source.failing = True
        _run(daemon, clock, 10)
        held = daemon.status().status
        assert recorder.shown == [], "no prompt while nobody can tell if the person is there"
        reads = source.reads
        source.failing = False
        _run(daemon, clock, 6)
    assert held == "idle-unknown"
    assert source.reads > reads, "the failed source was asked again, not swapped out"
    assert daemon.activity is source
    assert daemon.status().status == "active"
    assert [n.kind for n in recorder.shown] == [EYES]
    assert caplog.text.count("the compositor closed the connection") == 1
    assert "activity: restarting works again" in caplog.text


def test_a_suspend_is_seen_from_the_clocks_and_counts_as_a_break(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock, recorder = FakeClock(), Shown()
    daemon = _daemon(recorder, UnknownActivity(), clock)
    daemon.tick()
    _run(daemon, clock, 19)
    clock.advance(0, asleep=3600)
    with caplog.at_level(logging.INFO):
        daemon.tick()
        _run(daemon, clock, 19)
    assert recorder.shown == []
    assert "woke after 3600 s asleep" in caplog.text


def test_a_pending_retry_never_asks_for_a_wake_in_the_past() -> None:
    clock, notifier, desk = FakeClock(), BrokenNotifier(), Switch(UnknownActivity())
    daemon = _daemon(notifier, desk, clock)
    daemon.tick()
    _run(daemon, clock, 20.25)  # the eye prompt just failed; its retry is due a minute later
    for _ in range(20):  # the person locks the screen; the retry falls due meanwhile
        clock.advance(15)
        desk.to = LockedScreen()
        wake = daemon.tick()
        assert wake is None or wake > clock.wall, "a past wake would spin the scheduler"


def test_a_failed_reminder_is_not_retried_after_the_person_left(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock, recorder, desk = FakeClock(), Shown(), Switch(UnknownActivity())
    daemon = _daemon(FailsOnce(recorder), desk, clock)
    daemon.tick()
    _run(daemon, clock, 20.25)  # the eye prompt failed; its retry is due a minute later
    with caplog.at_level(logging.INFO):
        desk.to = LockedScreen()
        _run(daemon, clock, 3)  # locked meanwhile: a break, so the eye reminder is stale
        desk.to = UnknownActivity()
        _run(daemon, clock, 5)
    assert recorder.shown == []
    assert "not retrying 'Rest your eyes" in caplog.text


def test_a_pause_freezes_the_days_figures_and_looks_at_the_usual_pace() -> None:
    clock, recorder, desk = FakeClock(), Shown(), Switch(IdleFor(0.0))
    daemon = _daemon(recorder, desk, clock)
    daemon.tick()
    _run(daemon, clock, 5)
    desk.to = IdleFor(19.9)  # paused just before 20 s without input: an eye rest
    clock.advance(15)
    daemon.tick()
    active = daemon.status().active
    daemon.policy.pause(clock.wall + timedelta(hours=1))
    for _ in range(10):
        clock.advance(1)
        wake = daemon.tick()
        assert (wake - clock.wall).total_seconds() >= 29, "no rapid looks during a pause"
    assert daemon.status().active == active, "active time is frozen with the timers"


def _restarted_after(
    seconds: float, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> tuple[Daemon, Stats]:
    clock, stats = FakeClock(), Stats()
    first = fake_daemon(
        SETTINGS, Shown(), IdleFor(0.0), clock=clock, state_file=tmp_path / "state.json"
    )
    first.tick()
    _run(first, clock, 10)
    first.save()  # then killed
    clock.advance(seconds)
    again = fake_daemon(
        SETTINGS,
        Shown(),
        IdleFor(0.0),
        clock=clock,
        recorder=stats,
        state_file=tmp_path / "state.json",
    )
    again.restore()
    with caplog.at_level(logging.INFO):
        again.tick()
    return again, stats


def test_a_quick_restart_is_no_break_and_no_sleep(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    again, stats = _restarted_after(40, tmp_path, caplog)
    assert stats.prompts == [], "no natural break recorded for 40 s of restart"
    assert "asleep" not in caplog.text and "not running for 40 s before this start" in caplog.text
    assert again.policy.state.counted["eyes"] >= 600, "the eye timer goes on"


def test_a_long_downtime_counts_as_away_but_records_no_break_nobody_saw(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    again, stats = _restarted_after(600, tmp_path, caplog)
    assert again.policy.state.counted["eyes"] == 0, "ten minutes away reset the eye timer"
    assert stats.prompts == []
    assert "not running for 600 s before this start; that counts as away" in caplog.text
