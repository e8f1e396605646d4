"""Time in meetings and held prompts in the real statistics database and the report."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ergo_daemon.stats.report import read_report
from ergo_daemon.stats.store import SCHEMA_VERSION, StatsStore
from ergo_daemon.stats.text import ASCII, render

PARIS = ZoneInfo("Europe/Paris")
DAY = date(2026, 3, 2)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=PARIS)


def test_held_time_and_prompts_are_stored_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "stats.sqlite3"
    store = StatsStore.open(path)
    store.active(DAY, 3600, 1800, held=1500)
    store.active(DAY, 1800, 2400, held=900)
    store.prompt(at(10), "eyes", "held")
    store.prompt(at(10, 20), "stretch", "held")
    store.prompt(at(10, 45), "stretch", "shown", ("eyes",))
    store.prompt(at(11), "eyes", "shown")
    assert store.problem is None
    store.close()
    (row,) = read_report(path, last=DAY, days=1).rows
    assert (row.held_seconds, row.held, row.shown_after_hold) == (2400, 2, 1)
    assert row.active_seconds == 5400, "time in a call is active time"
    text = render(read_report(path, last=DAY, days=1), glyphs=ASCII)
    assert "In calls, films or Do Not Disturb: 40m; 2 prompts held, 1 shown when it ended" in text


def test_a_report_without_holds_has_no_meetings_line(tmp_path: Path) -> None:
    path = tmp_path / "stats.sqlite3"
    store = StatsStore.open(path)
    store.active(DAY, 3600, 1800)
    store.close()
    assert "In calls" not in render(read_report(path, last=DAY, days=1), glyphs=ASCII)


def test_a_database_of_the_first_schema_gains_held_time_and_keeps_its_days(
    tmp_path: Path,
) -> None:
    path = tmp_path / "stats.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE prompts (id INTEGER PRIMARY KEY, at TEXT NOT NULL, day TEXT NOT NULL,"
        " kind TEXT NOT NULL, outcome TEXT NOT NULL, merged TEXT NOT NULL DEFAULT '');"
        "CREATE TABLE days (day TEXT PRIMARY KEY, active_seconds REAL NOT NULL DEFAULT 0,"
        " longest_sitting_seconds REAL NOT NULL DEFAULT 0) WITHOUT ROWID;"
        "INSERT INTO days VALUES ('2026-03-02', 7200, 3000);"
        "PRAGMA user_version = 1;"
    )
    conn.close()
    store = StatsStore.open(path)
    store.active(DAY, 600, 600, held=600)
    assert store.problem is None
    store.close()
    (row,) = read_report(path, last=DAY, days=1).rows
    assert (row.active_seconds, row.held_seconds) == (7800, 600)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    conn.close()
