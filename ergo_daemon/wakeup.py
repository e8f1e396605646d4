"""APScheduler's only job here: wake the daemon. It decides nothing.

Each wake asks ``tick`` when to wake next (the policy's next look at activity, the next due
time, a set time of day, a retry). Missed wakes (after a suspend) run once, late, never in a
burst. A wall clock set back (by hand, or by a time server) would hold every wall-clock
trigger until the clock caught up again: the scheduler notices and wakes at once.
A stop is only asked for; the scheduler's own thread shuts it down, between wakes, so a stop
before it has started, or during a tick, ends the run cleanly.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import suppress
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.executors.debug import DebugExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger

NEXT_DUE = "next-due"
SET_BACK = 2.0  # seconds the wall clock may lag the monotonic one before it counts as set back

log = logging.getLogger(__name__)


def wall_and_monotonic() -> tuple[float, float]:
    """(wall, monotonic) seconds."""
    return time.time(), time.monotonic()


class _Scheduler(BlockingScheduler):  # type: ignore[misc]
    """Sleeps at most ``longest`` seconds, and calls ``set_back`` when the wall clock went back.

    Hooks ``_process_jobs``, the one place APScheduler 3.x decides how long to sleep; calls
    ``before`` there first, on the scheduler's own thread, and shuts down there once asked to.
    """

    def __init__(
        self,
        *,
        longest: float,
        set_back: Callable[[], None],
        before: Callable[[], None] = lambda: None,
        clocks: Callable[[], tuple[float, float]] = wall_and_monotonic,
        **options: object,
    ) -> None:
        super().__init__(**options)
        self._longest = longest
        self._set_back = set_back
        self._before = before
        self._clocks = clocks
        self._last = clocks()
        self._stop_asked = False

    def ask_stop(self) -> None:
        """Shut down at the next wake, which this causes; safe from any thread, before start too."""
        # shutdown() here, from another thread or a signal handler, would race start(): before
        # the scheduler runs it raises SchedulerNotRunningError, and start() would then block
        # for ever. The flag is read first thing in every wake, start()'s own included.
        self._stop_asked = True
        with suppress(AttributeError):  # not started yet: start() wakes it once anyway
            self.wakeup()

    def _process_jobs(self) -> float:
        if self._stop_asked:
            self.shutdown(wait=False)  # _main_loop ends once this returns
            return self._longest
        wall, mono = self._clocks()
        behind = (mono - self._last[1]) - (wall - self._last[0])
        self._last = (wall, mono)
        if behind > SET_BACK:
            log.info("the clock was set back by %.0f s; waking now", behind)
            self._set_back()
        self._before()
        wait: float | None = super()._process_jobs()
        return self._longest if wait is None else min(wait, self._longest)


class _Asked(BaseTrigger):  # type: ignore[misc]
    """Fires at the time the last wake asked for.

    One job that moves, rather than a new job per wake: APScheduler removes a one-shot job
    after it runs, which would take a replacement added while it ran (same id) with it.
    """

    def __init__(self, at: datetime) -> None:
        self.at = at

    def get_next_fire_time(self, previous: datetime | None, now: datetime) -> datetime | None:
        return self.at if previous is None or self.at > previous else None


class Wakeups:
    """``Wakeups(30.0, tz).run(tick)`` calls ``tick`` on each wake until ``stop()``.

    ``tick`` returns when it next wants to be woken; ``longest`` caps that, and is the next wake
    should ``tick`` fail. Jobs run inline in the scheduler's thread (DebugExecutor), so ticks
    never overlap and no worker threads sit idle. Built before what it wakes, so that what it
    wakes can be given ``wake_now`` and ``stop`` when it is built.
    """

    def __init__(
        self,
        longest: float,
        tz: ZoneInfo,
        *,
        clocks: Callable[[], tuple[float, float]] = wall_and_monotonic,
    ) -> None:
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        self._tick: Callable[[], datetime] = lambda: datetime.now(tz)  # run() gives the real one
        self._longest = timedelta(seconds=longest)
        self._tz = tz
        self._asked = _Asked(datetime.now(tz))
        self._wake_asked = False
        self._scheduler = _Scheduler(
            longest=longest,
            set_back=self.wake_now,
            before=self._take_wake,
            clocks=clocks,
            executors={"default": DebugExecutor()},
            job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
            timezone=tz,
        )

    def run(self, tick: Callable[[], datetime]) -> None:
        """Call ``tick`` once now, then at each wake until stop(); blocks meanwhile."""
        self._tick = tick
        self._scheduler.add_job(self._wake, self._asked, id=NEXT_DUE)
        self._scheduler.start()

    def wake_now(self) -> None:
        """An extra wake as soon as possible (safe from any thread; never waits)."""
        # A running tick holds the scheduler's lock (jobs run inside it), and the tick may wait
        # for the very thread that calls this (the D-Bus listener, for a notice's reply): so
        # only flag the wake here and let the scheduler's thread move the job itself.
        self._wake_asked = True
        with suppress(AttributeError):  # not started yet: its first wake is at once anyway
            self._scheduler.wakeup()

    def _take_wake(self) -> None:
        if self._wake_asked:
            self._wake_asked = False
            with suppress(JobLookupError):  # stopped, or not yet running
                self._scheduler.modify_job(NEXT_DUE, next_run_time=datetime.now(self._tz))

    def stop(self) -> None:
        """End ``run()`` soon, or at once if asked before it; safe from any thread, never waits.

        A signal handler calls it from a thread of its own: waking the scheduler takes a lock
        the interrupted main thread may hold.
        """
        self._scheduler.ask_stop()

    def _wake(self) -> None:
        latest = datetime.now(self._tz) + self._longest
        self._asked.at = latest  # should the tick fail: a daemon that never wakes is the worst
        self._asked.at = min(self._tick(), latest)
