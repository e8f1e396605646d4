"""Read the clocks, and tell real elapsed time and time spent suspended between two readings."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

# Shorter "sleeps" are clock noise. Without a boot-time clock, the wall clock must also run this
# far ahead of the monotonic one before it counts (small NTP corrections do not).
MIN_SLEEP = 2.0


@dataclass(frozen=True)
class Instant:
    wall: datetime
    monotonic: float
    boottime: float | None


def read_clocks() -> Instant:
    """Now on every clock; ``boottime`` (Linux) keeps counting while suspended."""
    boot = time.clock_gettime(time.CLOCK_BOOTTIME) if hasattr(time, "CLOCK_BOOTTIME") else None
    return Instant(datetime.now(UTC), time.monotonic(), boot)


def gap(before: Instant, after: Instant) -> tuple[float, float]:
    """``(elapsed, asleep)`` in seconds between two readings; manual clock changes are ignored.

    Linux: asleep = growth of CLOCK_BOOTTIME - CLOCK_MONOTONIC (exact). Elsewhere: the wall clock
    running ahead of the monotonic one (monotonic clocks stop in sleep on macOS and Windows).
    """
    awake = max(0.0, after.monotonic - before.monotonic)
    if before.boottime is not None and after.boottime is not None:
        asleep = (after.boottime - before.boottime) - awake
    else:
        asleep = (after.wall - before.wall).total_seconds() - awake
    asleep = asleep if asleep >= MIN_SLEEP else 0.0
    return awake + asleep, asleep
