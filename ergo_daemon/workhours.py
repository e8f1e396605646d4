"""Working hours in local time, correct across DST changes; a range may run past midnight."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ergo_daemon.settings.models import WEEKDAYS, WorkHours

SEARCH_DAYS = 8


def local_instant(day: date, minute_of_day: int, tz: ZoneInfo) -> datetime:
    """The instant a local wall time happens; a time skipped by DST happens just after the gap.

    ``local_instant(date(2026, 3, 29), 150, ZoneInfo("Europe/Berlin"))`` is 03:30 CEST.
    """
    if minute_of_day >= 24 * 60:
        return local_instant(day + timedelta(days=1), minute_of_day - 24 * 60, tz)
    naive = datetime.combine(day, time(minute_of_day // 60, minute_of_day % 60))
    return naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)


@dataclass(frozen=True)
class Calendar:
    """When the person works: ``days`` and minute ranges, in zone ``tz``."""

    weekdays: frozenset[int]
    ranges: tuple[tuple[int, int], ...]
    tz: ZoneInfo

    @classmethod
    def from_settings(cls, hours: WorkHours, tz: ZoneInfo) -> Calendar:
        return cls(frozenset(WEEKDAYS.index(d) for d in hours.days), tuple(hours.hours), tz)

    def local(self, now: datetime) -> datetime:
        return now.astimezone(self.tz)

    def periods(self, start: date) -> Iterator[tuple[datetime, datetime]]:
        """Working periods from ``start`` on, in order, for SEARCH_DAYS days."""
        for offset in range(SEARCH_DAYS):
            day = start + timedelta(days=offset)
            if day.weekday() in self.weekdays:
                for first, last in sorted(self.ranges):
                    yield local_instant(day, first, self.tz), local_instant(day, last, self.tz)

    def is_working(self, now: datetime) -> bool:
        day = self.local(now).date() - timedelta(days=1)
        return any(start <= now < end for start, end in self._around(day))

    def works_throughout(self, start: datetime, end: datetime) -> bool:
        """Whether ``start`` to ``end`` is all working time, with no lunch or night between."""
        reached = start
        for first, last in self._around(self.local(start).date() - timedelta(days=1)):
            if first > reached:
                return False
            reached = max(reached, last)
            if reached > end:
                return True
        return False

    def next_start(self, now: datetime) -> datetime | None:
        """The next moment a working period begins after ``now`` (None if there is none)."""
        day = self.local(now).date() - timedelta(days=1)
        return next((start for start, _ in self.periods(day) if start > now), None)

    def _around(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        for start, end in self.periods(day):
            if start.date() > day + timedelta(days=2):
                return
            yield start, end
