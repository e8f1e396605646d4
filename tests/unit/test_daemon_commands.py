"""The daemon's commands on a fake clock: each is saved and wakes the scheduler; a refusal not."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from support.activity import IdleFor
from support.clocks import FakeClock
from support.configs import settings
from support.daemons import fake_daemon
from support.notifiers import Shown

from ergo_daemon import persist
from ergo_daemon.daemon import Daemon
from ergo_daemon.daemon_commands import UNTIL_RESUMED, Refused

SETTINGS = settings({"eyes": {}})


class Calls:
    """Counts the calls of a callback the daemon is given."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


def _daemon(clock: FakeClock, state: Path, woken: Calls, stopped: Calls) -> Daemon:
    return fake_daemon(
        SETTINGS,
        Shown(),
        IdleFor(0.0),
        fallback=IdleFor(0.0),
        clock=clock,
        state_file=state,
        on_change=woken,
        on_stop=stopped,
    )


def test_a_command_is_saved_and_wakes_the_scheduler_and_a_refusal_does_neither(
    tmp_path: Path,
) -> None:
    clock, woken, stopped, state = FakeClock(), Calls(), Calls(), tmp_path / "state.json"
    daemon = _daemon(clock, state, woken, stopped)
    daemon.tick()
    snoozed = daemon.snooze("eyes")
    assert (snoozed.kind.name, snoozed.at) == ("eyes", clock.wall)
    assert snoozed.snoozes_left == SETTINGS.snooze.per_day - 1
    assert woken.count == 1, "the next due time moved: the scheduler is woken"
    saved = persist.load(state, clock.wall.date())
    assert saved is not None and saved.state.snoozes == {clock.wall.date().isoformat(): 1}
    state.unlink(missing_ok=True)
    with pytest.raises(Refused, match=r"^no 'coffee' reminder is enabled \(enabled: eyes\)$"):
        daemon.done("coffee")
    assert woken.count == 1 and not state.exists(), "a refusal changes nothing"
    assert daemon.pause().until == UNTIL_RESUMED
    assert daemon.resume().was_paused and not daemon.resume().was_paused
    assert woken.count == 4 and stopped.count == 0


def test_status_counts_the_time_since_the_last_look(tmp_path: Path) -> None:
    clock = FakeClock()
    daemon = _daemon(clock, tmp_path / "state.json", Calls(), Calls())
    daemon.tick()
    clock.advance(40)  # typing all along; the daemon has not looked since
    shot = daemon.status()
    assert (shot.status, shot.active, shot.sitting, shot.at) == ("active", 40, 40, clock.wall)
    assert {k.name: at for k, at in shot.plan} == {
        "eyes": clock.wall + timedelta(minutes=20) - timedelta(seconds=40)
    }


def test_stop_saves_the_day_and_ends_the_run(tmp_path: Path) -> None:
    clock, woken, stopped, state = FakeClock(), Calls(), Calls(), tmp_path / "state.json"
    daemon = _daemon(clock, state, woken, stopped)
    daemon.tick()
    clock.advance(30)
    daemon.tick()
    state.unlink(missing_ok=True)
    daemon.stop()
    assert (stopped.count, woken.count) == (1, 0)
    saved = persist.load(state, clock.wall.date())
    assert saved is not None and saved.desk.active == 30
