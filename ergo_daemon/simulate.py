"""Drive the real policy with a simulated clock: the day ``preview`` shows, and test weeks."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ergo_daemon.content.catalogue import load_catalogue
from ergo_daemon.content.compose import Composer
from ergo_daemon.policy import Activity, Decision, Policy, Prompt
from ergo_daemon.ports import Notice
from ergo_daemon.settings.models import Settings

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
    """The notices of the working periods that start on ``day`` (a night shift runs past
    midnight), for someone working without pause through them.

    The content is drawn as by a daemon started that day: ``seed`` defaults to the date, so
    each day's preview differs and one day's is the same every time.
    """
    rng = random.Random(day.toordinal() if seed is None else seed)
    composer = Composer(settings, load_catalogue(settings.content), rng)
    return [composer.compose(prompt) for prompt in working_prompts(settings, day, tz)]


def working_prompts(settings: Settings, day: date, tz: ZoneInfo) -> list[Prompt]:
    """The prompts behind ``working_day``, before they are worded."""
    policy = Policy(settings, tz)
    periods = [(a, b) for a, b in policy.calendar.periods(day) if a.date() == day]
    if not periods:
        return []
    first, end = periods[0][0], max(b for _, b in periods)
    # Start well before work, away from the desk: the first look sees someone arriving.
    start = first - timedelta(hours=8)
    last_input = start - timedelta(hours=8)

    def look(now: datetime) -> Activity:
        nonlocal last_input
        if any(a <= now < b for a, b in periods):
            last_input = now
        return Activity(now, idle=(now - last_input).total_seconds())

    return [d.prompt for _, d in run(policy, start, end, look) if d.prompt is not None]
