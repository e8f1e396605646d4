"""A clock the tests move by hand: wall, monotonic and boot time, as the daemon reads them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ergo_daemon.clock import Instant

MONDAY_9AM = datetime(2026, 11, 23, 9, tzinfo=UTC)


class FakeClock:
    """Starts on a Monday at 09:00 UTC; ``advance(0, asleep=3600)`` is an hour's suspend."""

    def __init__(self, start: datetime = MONDAY_9AM) -> None:
        self.wall = start
        self.mono = 1000.0
        self.boot = 1000.0

    def advance(self, seconds: float, *, asleep: float = 0.0) -> None:
        self.wall += timedelta(seconds=seconds + asleep)
        self.mono += seconds  # the monotonic clock stops while the machine sleeps
        self.boot += seconds + asleep

    def __call__(self) -> Instant:
        return Instant(self.wall, self.mono, self.boot)
