"""Drive the real policy with a simulated clock: the day ``preview`` shows, and test weeks."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ergo_daemon.content.catalogue import load_catalogue
from ergo_daemon.content.compose import Composer, Notice
from ergo_daemon.policy import Activity, Decision, Policy
from ergo_daemon.settings.models import Settings
from ergo_daemon.workhours import local_instant

STEP = timedelta(seconds=60)


def run(
    policy: Policy,
    start: datetime,
    end: datetime,
    look: Callable[[datetime], Activity],
    step: timedelta = STEP,
) -> Iterator[tuple[datetime, Decision]]:
    """Observe at least every ``step``, and exactly at each wake-up the policy asks for."""
    now = start
    while now < end:
        decision = policy.observe(look(now))
        yield now, decision
        following = now + step
        if decision.wake_at is not None and now < decision.wake_at < following:
            following = decision.wake_at
        now = following


def working_day(
    settings: Settings, day: date, tz: ZoneInfo, seed: int | None = None
) -> list[Notice]:
    """The notices of ``day`` for someone working without pause through their working hours.

    The content is drawn as by a daemon started that day: ``seed`` defaults to the date, so
    each day's preview differs and one day's is the same every time.
    """
    policy = Policy(settings, tz)
    rng = random.Random(day.toordinal() if seed is None else seed)
    composer = Composer(settings, load_catalogue(settings.content), rng)
    last_input = local_instant(day, 0, tz) - timedelta(hours=8)

    def look(now: datetime) -> Activity:
        nonlocal last_input
        if policy.calendar.is_working(now):
            last_input = now
        return Activity(now, idle=(now - last_input).total_seconds())

    start, end = local_instant(day, 0, tz), local_instant(day + timedelta(days=1), 0, tz)
    return [
        composer.compose(decision.prompt)
        for _, decision in run(policy, start, end, look)
        if decision.prompt is not None
    ]
