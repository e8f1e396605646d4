"""A recorded week of stats for the HTML report tests."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from ergo_daemon.stats import StatsStore

# A week ending today; every figure differs from its neighbours so order shows in the bars.
ACTIVE_HOURS = (2.0, 5.0, 3.5, 6.0, 1.0, 4.5, 2.5)
SITTING_HOURS = (0.5, 1.5, 1.0, 2.0, 0.25, 1.25, 0.75)
PROMPTED = (3, 6, 4, 7, 2, 5, 3)
TAKEN = (2, 6, 3, 5, 1, 4, 2)
GLASSES = (4, 7, 5, 8, 2, 6, 3)
EYES_PROMPTED = (9, 12, 10, 14, 5, 11, 8)
EYES_TAKEN = (8, 11, 7, 13, 3, 10, 6)
STRETCHES_PROMPTED = (4, 9, 6, 10, 2, 8, 5)
STRETCHES_TAKEN = (3, 8, 4, 7, 1, 6, 2)


def record_week(path: Path, last: date) -> None:
    store = StatsStore.open(path)
    for index in range(7):
        day = last - timedelta(days=6 - index)
        store.active(day, ACTIVE_HOURS[index] * 3600, SITTING_HOURS[index] * 3600)
        noon = datetime.combine(day, time(12)).astimezone()
        for number in range(PROMPTED[index]):
            store.prompt(noon + timedelta(minutes=number), "break", "shown")
        for number in range(TAKEN[index]):
            store.prompt(noon + timedelta(minutes=number), "break", "done")
        for number in range(GLASSES[index]):
            store.prompt(noon + timedelta(minutes=number), "hydration", "done")
        for kind, shown, done in (
            ("eyes", EYES_PROMPTED, EYES_TAKEN),
            ("stretch", STRETCHES_PROMPTED, STRETCHES_TAKEN),
        ):
            for number in range(shown[index]):
                store.prompt(noon + timedelta(minutes=number), kind, "shown")
            for number in range(done[index]):
                store.prompt(noon + timedelta(minutes=number), kind, "done")
    assert store.problem is None
    store.close()
