"""APScheduler's only job here: wake the daemon. It decides nothing.

Wakes come from a heartbeat (to sample activity), the policy's next due time, and fixed-time
reminders. Missed wakes (after a suspend) run once, late, never in a burst.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.executors.debug import DebugExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from ergo_daemon.settings.models import WEEKDAYS

NEXT_DUE = "next-due"


class Wakeups:
    """``Wakeups(tick, 15.0, tz).run()`` calls ``tick`` on each wake until ``stop()``.

    ``tick`` returns when it next wants to be woken (or None). Jobs run inline in the scheduler's
    thread (DebugExecutor), so ticks never overlap and no worker threads sit idle.
    """

    def __init__(
        self,
        tick: Callable[[], datetime | None],
        heartbeat: float,
        tz: ZoneInfo,
        fixed_times: Iterable[tuple[frozenset[int], int]] = (),
    ) -> None:
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        self._tick = tick
        self._scheduler = BlockingScheduler(
            executors={"default": DebugExecutor()},
            job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
            timezone=tz,
        )
        self._scheduler.add_job(self._wake, IntervalTrigger(seconds=heartbeat), id="heartbeat")
        for days, minute in fixed_times:
            day_names = ",".join(WEEKDAYS[d] for d in sorted(days))
            trigger = CronTrigger(
                day_of_week=day_names, hour=minute // 60, minute=minute % 60, timezone=tz
            )
            self._scheduler.add_job(self._wake, trigger)

    def run(self) -> None:
        """Wake once now, then block until stop()."""
        self._scheduler.add_job(self._wake, id=NEXT_DUE, replace_existing=True)
        self._scheduler.start()

    def wake_now(self) -> None:
        """An extra wake as soon as possible (safe from any thread)."""
        self._scheduler.add_job(self._wake, id=NEXT_DUE, replace_existing=True)

    def stop(self) -> None:
        self._scheduler.shutdown(wait=False)

    def _wake(self) -> None:
        wake_at = self._tick()
        if wake_at is not None:
            self._scheduler.add_job(
                self._wake, DateTrigger(wake_at), id=NEXT_DUE, replace_existing=True
            )
