"""Filled stats databases for the stats tests."""

from __future__ import annotations

import sqlite3
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ergo_daemon.stats import StatsStore

PARIS = ZoneInfo("Europe/Paris")
DAY = date(2026, 3, 2)
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def fill(path: Path) -> None:
    """Two days: 2 March (3 h, 50 min sitting) and 4 March (1 h)."""
    store = StatsStore.open(path)
    store.active(DAY, 7200, 1800)
    store.active(DAY, 3600, 3000)
    store.active(DAY, 0, 1200)
    store.prompt(at(9), "break", "shown", ("eyes",))
    store.prompt(at(9, 1), "break", "done", ("eyes",))
    store.prompt(at(10), "break", "shown")
    store.prompt(at(10, 5), "break", "snoozed")
    store.prompt(at(11), "break", "natural")
    store.prompt(at(11, 30), "stretch", "shown", ("posture",))
    store.prompt(at(11, 31), "stretch", "skipped", ("posture",))
    store.prompt(at(12), "hydration", "shown")
    store.prompt(at(12, 1), "hydration", "done")
    store.prompt(at(13), "eyes", "failed")
    later = DAY + timedelta(days=2)
    store.active(later, 3600, 900)
    store.prompt(at(15, day=later), "hydration", "done")
    store.prompt(at(16, day=later), "eyes", "shown")
    store.prompt(at(16, 1, day=later), "eyes", "done")
    assert store.problem is None
    store.close()
