"""The real APScheduler wakes the daemon when asked, after a failed tick, and after a clock change.

Only the wall clock is shifted (the machine's own cannot be set in a test): APScheduler and the
daemon both read the shifted one, the monotonic clock stays real.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import apscheduler.schedulers.base
import pytest

from ergo_daemon import wakeup
from ergo_daemon.wakeup import Wakeups

UTC_ZONE = ZoneInfo("UTC")


class WallClock:
    """The machine's wall clock, minus ``behind`` seconds."""

    behind = 0.0

    def time(self) -> float:
        return time.time() - self.behind

    def now(self, tz: tzinfo | None = None) -> datetime:
        return datetime.fromtimestamp(self.time(), tz)


@pytest.fixture
def wall(monkeypatch: pytest.MonkeyPatch) -> WallClock:
    clock = WallClock()

    class Shifted(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
            return clock.now(tz)

    monkeypatch.setattr(apscheduler.schedulers.base, "datetime", Shifted)
    monkeypatch.setattr(wakeup, "datetime", Shifted)
    return clock


class Ticks:
    """A tick that records when it ran (monotonic) and asks to be woken ``every`` seconds on."""

    def __init__(self, wall: WallClock, every: float, fail: bool = False) -> None:
        self.wall, self.every, self.fail = wall, every, fail
        self.at: list[float] = []

    def __call__(self) -> datetime:
        self.at.append(time.monotonic())
        if self.fail:
            raise RuntimeError("a broken tick")
        return self.wall.now(UTC) + timedelta(seconds=self.every)

    def wait_for(self, count: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while len(self.at) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return len(self.at) >= count


@pytest.fixture
def running(wall: WallClock) -> Iterator[Callable[[Ticks, float], Wakeups]]:
    started: list[tuple[Wakeups, threading.Thread]] = []

    def start(ticks: Ticks, longest: float) -> Wakeups:
        wakeups = Wakeups(longest, UTC_ZONE, clocks=lambda: (wall.time(), time.monotonic()))
        thread = threading.Thread(target=wakeups.run, args=(ticks,), daemon=True)
        thread.start()
        started.append((wakeups, thread))
        return wakeups

    yield start
    for wakeups, thread in started:
        wakeups.stop()
        thread.join(timeout=5)
        assert not thread.is_alive()


def test_wakes_when_the_tick_asks(
    running: Callable[[Ticks, float], Wakeups], wall: WallClock
) -> None:
    ticks = Ticks(wall, every=0.2)
    running(ticks, 30.0)
    assert ticks.wait_for(4, timeout=5)
    gaps = [b - a for a, b in zip(ticks.at[1:], ticks.at[2:], strict=False)]
    assert all(0.15 < gap < 0.5 for gap in gaps), gaps


def test_never_sleeps_longer_than_the_longest_wait(
    running: Callable[[Ticks, float], Wakeups], wall: WallClock
) -> None:
    ticks = Ticks(wall, every=3600.0)
    running(ticks, 0.2)
    assert ticks.wait_for(4, timeout=5)


def test_a_failing_tick_is_woken_again(
    running: Callable[[Ticks, float], Wakeups], wall: WallClock
) -> None:
    ticks = Ticks(wall, every=0.1, fail=True)
    running(ticks, 0.3)
    assert ticks.wait_for(3, timeout=5)


def test_a_clock_set_back_an_hour_does_not_hold_the_wakes(
    running: Callable[[Ticks, float], Wakeups], wall: WallClock
) -> None:
    ticks = Ticks(wall, every=0.3)
    running(ticks, 0.5)
    assert ticks.wait_for(2, timeout=5)
    wall.behind = 3600.0  # every trigger is now an hour ahead of the wall clock
    count = len(ticks.at)
    assert ticks.wait_for(count + 3, timeout=5)


def test_a_stop_during_a_tick_ends_the_run_cleanly(wall: WallClock) -> None:
    """SIGTERM's handler runs in the scheduler's thread, possibly in the middle of a tick."""
    failures: list[BaseException] = []

    def tick() -> datetime:
        wakeups.stop()
        return wall.now(UTC) + timedelta(seconds=1)

    def run() -> None:
        try:
            wakeups.run(tick)
        except BaseException as exc:
            failures.append(exc)

    wakeups = Wakeups(5.0, UTC_ZONE)
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert failures == []


def test_a_wake_asked_while_a_tick_waits_for_the_asking_thread_neither_blocks_nor_is_lost(
    running: Callable[[Ticks, float], Wakeups], wall: WallClock
) -> None:
    # As when a D-Bus signal (a button pressed, the screen locked) arrives while a tick waits
    # for that same listener thread to read its notice's reply: the wake must not wait for the
    # tick (which holds the scheduler's lock), and must still come once the tick is over.
    wakeups: list[Wakeups] = []
    answered_in_time: list[bool] = []

    class WaitsForTheListener(Ticks):
        def __call__(self) -> datetime:
            if len(self.at) == 1 and not answered_in_time:
                listener = threading.Thread(target=wakeups[0].wake_now, daemon=True)
                listener.start()
                listener.join(1.0)  # the reply the tick waits for
                answered_in_time.append(not listener.is_alive())
            return super().__call__()

    ticks = WaitsForTheListener(wall, every=60.0)
    wakeups.append(running(ticks, 60.0))
    assert ticks.wait_for(1, timeout=5)
    wakeups[0].wake_now()  # the second tick: the one that waits for the listener
    assert ticks.wait_for(3, timeout=5), "the wake asked during the tick never came"
    assert answered_in_time == [True], "wake_now waited for the running tick"


def test_a_stop_before_the_run_ends_it_at_once_without_a_tick(wall: WallClock) -> None:
    """SIGTERM between the daemon's 'ready' and the scheduler's start: no error, no wake."""
    ticks = Ticks(wall, every=0.1)
    wakeups = Wakeups(5.0, UTC_ZONE)
    wakeups.stop()
    started = time.monotonic()
    wakeups.run(ticks)  # on this thread: it must return by itself
    assert time.monotonic() - started < 2.0
    assert ticks.at == []


def test_a_stop_from_another_thread_ends_a_long_sleep_at_once(wall: WallClock) -> None:
    ticks = Ticks(wall, every=3600.0)
    wakeups = Wakeups(30.0, UTC_ZONE)  # asleep for half a minute after its first tick
    thread = threading.Thread(target=wakeups.run, args=(ticks,), daemon=True)
    thread.start()
    assert ticks.wait_for(1, timeout=5)
    threading.Thread(target=wakeups.stop).start()
    thread.join(timeout=2)
    assert not thread.is_alive()
    assert len(ticks.at) == 1
