"""StatsStore and its migrations and recovery on real SQLite files."""

from __future__ import annotations

import csv
import logging
import sqlite3
import stat
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from support.stats_db import DAY, at, fill, posix_only, rows

from ergo_daemon import cli
from ergo_daemon.kinds import BREAK, EYES, STRETCH
from ergo_daemon.stats import StatsStore
from ergo_daemon.stats import text as text_report
from ergo_daemon.stats.report import (
    DayActivity,
    PromptEvent,
    ReportError,
    Uptake,
    read_report,
    summarise,
)
from ergo_daemon.stats.store import SCHEMA_VERSION, purge


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "state" / "stats.sqlite3"


@posix_only
def test_a_new_database_is_owner_only_in_wal_mode_at_the_current_schema(db: Path) -> None:
    store = StatsStore.open(db)
    store.prompt(at(9), "eyes", "shown")
    assert store.problem is None
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert stat.S_IMODE(db.with_name(db.name + "-wal").stat().st_mode) == 0o600
    assert rows(db, "PRAGMA journal_mode") == [("wal",)]
    assert rows(db, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    store.close()


def test_prompts_are_stored_in_utc_under_their_local_day(db: Path) -> None:
    store = StatsStore.open(db)
    # 00:30 in Paris is still the previous day in UTC; the local day is what counts.
    store.prompt(at(0, 30), "break", "shown", ("eyes", "posture"))
    store.close()
    assert rows(db, "SELECT at, day, kind, outcome, merged FROM prompts") == [
        ("2026-03-01T23:30:00Z", "2026-03-02", "break", "shown", "eyes posture")
    ]


def test_active_time_adds_up_and_the_longest_sitting_stretch_only_grows(db: Path) -> None:
    fill(db)
    assert rows(db, "SELECT day, active_seconds, longest_sitting_seconds FROM days") == [
        ("2026-03-02", 10800.0, 3000.0),
        ("2026-03-04", 3600.0, 900.0),
    ]


def test_nonsense_values_are_not_recorded_and_nothing_raises(
    db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = StatsStore.open(db)
    store.active(DAY, float("nan"), float("inf"))
    store.active(DAY, -5, -1)
    store.prompt(at(9), "eyes", "exploded")  # type: ignore[arg-type]
    store.close()
    store.prompt(at(10), "eyes", "shown")  # closed: ignored
    assert rows(db, "SELECT active_seconds, longest_sitting_seconds FROM days") == [(0.0, 0.0)]
    assert rows(db, "SELECT count(*) FROM prompts") == [(0,)]
    assert "unknown outcome 'exploded'" in caplog.text


def test_a_version_0_database_is_migrated_and_keeps_other_tables(db: Path) -> None:
    db.parent.mkdir()
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE notes (text TEXT)")
    conn.execute("INSERT INTO notes VALUES ('kept')")
    conn.commit()
    conn.close()
    assert rows(db, "PRAGMA user_version") == [(0,)]
    store = StatsStore.open(db)
    store.prompt(at(9), "eyes", "shown")
    assert store.problem is None
    store.close()
    assert rows(db, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert rows(db, "SELECT text FROM notes") == [("kept",)]
    assert rows(db, "SELECT kind FROM prompts") == [("eyes",)]
    assert list(db.parent.glob("*.broken-*")) == []


def _not_a_database(path: Path) -> None:
    path.write_bytes(b"this is a text file, not SQLite\n" * 200)


def _newer_schema(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()


def _other_shape(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE days (day TEXT, minutes INTEGER)")
    conn.commit()
    conn.close()


def _damaged_pages(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE filler (x TEXT)")
    conn.executemany("INSERT INTO filler VALUES (?)", [("x" * 500,)] * 200)
    conn.commit()
    conn.close()
    with path.open("r+b") as file:  # scribble over the b-tree pages after the first
        file.seek(4096 + 1024)
        file.write(b"\xff" * 20000)


@pytest.mark.parametrize(
    "damage",
    [_not_a_database, _newer_schema, _other_shape, _damaged_pages],
    ids=lambda f: f.__name__,
)
def test_an_unusable_file_is_moved_aside_and_a_fresh_one_started(
    db: Path, caplog: pytest.LogCaptureFixture, damage: object
) -> None:
    db.parent.mkdir()
    damage(db)  # type: ignore[operator]
    before = db.read_bytes()
    store = StatsStore.open(db)
    store.prompt(at(9), "eyes", "shown")
    assert store.problem is None
    store.close()
    (aside,) = db.parent.glob("stats.sqlite3.broken-*")
    assert aside.read_bytes()[:100] == before[:100]
    assert rows(db, "SELECT kind FROM prompts") == [("eyes",)]
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    assert f"moved it to {aside}" in caplog.text


def test_a_file_deleted_while_open_is_started_again(db: Path) -> None:
    store = StatsStore.open(db)
    store.prompt(at(9), "eyes", "shown")
    for path in db.parent.iterdir():
        path.unlink()
    store.prompt(at(10), "break", "shown")
    store.close()
    assert rows(db, "SELECT kind FROM prompts") == [("break",)]


def test_purge_while_the_daemon_records_keeps_it_recording(db: Path) -> None:
    fill(db)
    store = StatsStore.open(db)
    (db.parent / "stats.sqlite3.broken-20260101T000000Z").write_bytes(b"old")
    purged = purge(db)
    assert (purged.prompts, purged.days) == (13, 2)
    assert [p.name for p in purged.broken_copies] == ["stats.sqlite3.broken-20260101T000000Z"]
    store.prompt(at(9), "eyes", "shown")
    assert store.problem is None
    store.close()
    assert rows(db, "SELECT kind FROM prompts") == [("eyes",)]
    assert list(db.parent.glob("*.broken-*")) == []


def test_a_broken_file_that_cannot_be_moved_aside_leaves_a_quiet_store(
    db: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    db.parent.mkdir()
    _not_a_database(db)

    def refuse(path: Path) -> Path:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("ergo_daemon.stats.store.move_aside", refuse)
    caplog.set_level(logging.INFO, logger="ergo_daemon.stats.store")
    store = StatsStore.open(db)
    store.prompt(at(9), "eyes", "shown")
    store.active(DAY, 60, 60)
    assert store.problem == (
        f"{db} is unusable (file is not a database) and cannot be moved aside:"
        f" Permission denied: {db}"
    )
    assert caplog.text.count("not recorded") == 1
    monkeypatch.undo()
    store.prompt(at(10), "break", "shown")
    assert store.problem is None
    store.close()
    assert rows(db, "SELECT kind FROM prompts") == [("break",)]
    assert "statistics are recorded again" in caplog.text


def test_taken_counts_done_and_natural_prompted_counts_shown_merged_kinds_included() -> None:
    events = [
        PromptEvent("", DAY, "break", "shown", ("eyes",)),
        PromptEvent("", DAY, "break", "done", ("eyes",)),
        PromptEvent("", DAY, "break", "shown"),
        PromptEvent("", DAY, "break", "snoozed"),
        PromptEvent("", DAY, "break", "skipped"),
        PromptEvent("", DAY, "break", "natural"),
        PromptEvent("", DAY, "break", "natural"),
        PromptEvent("", DAY, "stretch", "failed"),
        PromptEvent("", DAY, "hydration", "done"),
        PromptEvent("", DAY, "break", "done", ("hydration",)),
    ]
    (row,) = summarise(DAY, DAY, events, [DayActivity(DAY, 60.0, 30.0)])
    assert row.of(BREAK) == Uptake(taken=4, prompted=2)
    assert row.of(EYES) == Uptake(taken=1, prompted=1)
    assert row.of(STRETCH) == Uptake()
    assert row.glasses == 1
    assert (row.active_seconds, row.longest_sitting_seconds) == (60.0, 30.0)


def test_a_report_has_a_row_per_day_from_stored_events(db: Path) -> None:
    fill(db)
    report = read_report(db, last=DAY + timedelta(days=2), days=4)
    assert [r.day for r in report.rows] == [DAY + timedelta(days=n) for n in range(-1, 3)]
    before, first, between, last = report.rows
    assert not before.recorded and not between.recorded
    assert first.of(BREAK) == Uptake(taken=2, prompted=2)
    assert first.of(EYES) == Uptake(taken=1, prompted=1)
    assert first.of(STRETCH) == Uptake(taken=0, prompted=1)
    assert (first.glasses, first.active_seconds, first.longest_sitting_seconds) == (1, 10800, 3000)
    assert last.of(EYES) == Uptake(taken=1, prompted=1)
    assert (last.glasses, last.active_seconds) == (1, 3600)
    assert report.latest == last.day and not report.empty and not report.quiet


def test_a_missing_empty_or_new_database_reports_no_statistics_yet(db: Path) -> None:
    assert read_report(db, last=DAY, days=7).empty
    db.parent.mkdir()
    sqlite3.connect(db).close()
    assert read_report(db, last=DAY, days=7).empty
    StatsStore.open(db).close()
    report = read_report(db, last=DAY, days=7)
    assert report.empty
    assert text_report.render(report).startswith("No statistics yet")


def test_a_database_from_a_newer_version_is_not_read(db: Path) -> None:
    db.parent.mkdir()
    _newer_schema(db)
    with pytest.raises(ReportError, match="newer ergo-daemon"):
        read_report(db, last=DAY, days=7)


def test_the_terminal_report_fits_80_columns_and_draws_the_figures(db: Path) -> None:
    fill(db)
    report = read_report(db, last=DAY + timedelta(days=2), days=3)
    output = text_report.render(report)
    lines = output.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert lines[0] == "Statistics from 2026-03-02 to 2026-03-04 (3 days)"
    table = lines[lines.index(next(x for x in lines if x.startswith("Day"))) :]
    assert table[1].split() == ["Mon", "03-02", "3h00m", "50m", "2/2", "1/1", "0/1", "1"]
    assert table[2].split() == ["Tue", "03-03", "-", "-", "-", "-", "-", "-"]
    assert table[4].split() == ["Total", "4h00m", "50m", "2/2", "2/2", "0/1", "2"]
    chart = lines.index("Active time (█ longest unbroken sitting, ▒ the rest)")
    monday, tuesday, wednesday = (line[10:66] for line in lines[chart + 1 : chart + 4])
    assert tuesday.strip() == ""
    assert monday.count("█") + monday.count("▒") == 56  # the longest day fills the width
    assert monday.count("█") == round(56 * 3000 / 10800)
    assert wednesday.count("█") + wednesday.count("▒") == round(56 / 3)
    assert "■■" in output and "●" in output
    assert text_report.render(report, glyphs=text_report.ASCII).isascii()


def test_a_period_without_data_points_to_the_latest(db: Path) -> None:
    fill(db)
    output = text_report.render(read_report(db, last=DAY + timedelta(days=30), days=7))
    assert "No statistics from 2026-03-26 to 2026-04-01." in output
    assert "latest are from 2026-03-04 (see them with --days 29)" in output


def test_export_writes_one_csv_row_per_day_and_prompt(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fill(db)
    out = tmp_path / "stats.csv"
    assert cli.main(["stats", "export", "--db", str(db), "--csv", str(out)]) == 0
    assert "exported 13 prompt events and 2 days of activity" in capsys.readouterr().out
    with out.open(newline="", encoding="utf-8") as file:
        records = list(csv.DictReader(file))
    assert len(records) == 15
    assert records[0] == {
        "record": "day",
        "day": "2026-03-02",
        "at_utc": "",
        "kind": "",
        "outcome": "",
        "merged": "",
        "active_seconds": "10800",
        "longest_sitting_seconds": "3000",
        "held_seconds": "0",
    }
    assert records[1]["at_utc"] == "2026-03-02T08:00:00Z"
    assert (records[1]["kind"], records[1]["merged"]) == ("break", "eyes")
    assert [r["record"] for r in records].index("day", 1) == 11


def test_purge_asks_unless_told_and_says_what_it_deleted(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fill(db)
    assert cli.main(["stats", "purge", "--db", str(db)]) == 2  # stdin is not a terminal
    assert "nothing deleted" in capsys.readouterr().err
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    assert cli.main(["stats", "purge", "--db", str(db)]) == 1
    assert rows(db, "SELECT count(*) FROM prompts") == [(13,)]
    monkeypatch.setattr("builtins.input", lambda prompt: "y")
    assert cli.main(["stats", "purge", "--db", str(db)]) == 0
    said = capsys.readouterr().out
    assert f"Deleted 13 prompt events and 2 days of activity from {db}." in said
    assert rows(db, "SELECT count(*) FROM prompts") == [(0,)]


def test_a_report_on_a_newer_database_fails_with_a_reason(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db.parent.mkdir()
    _newer_schema(db)
    assert cli.main(["report", "--db", str(db)]) == 1
    assert "written by a newer ergo-daemon (schema 99)" in capsys.readouterr().err


def test_the_write_ahead_log_stays_small_and_is_emptied_at_close(db: Path) -> None:
    wal = db.with_name(db.name + "-wal")
    store = StatsStore.open(db)
    reader = sqlite3.connect(db)  # a report open meanwhile keeps SQLite from removing the log
    reader.execute("SELECT count(*) FROM prompts").fetchall()
    largest = 0
    for minute in range(600):  # a prompt a minute for ten hours, active time every five
        store.prompt(at(8) + timedelta(minutes=minute), "eyes", "shown")
        if minute % 5 == 0:
            store.active(DAY, 300, 1200)
        largest = max(largest, wal.stat().st_size)
    assert largest <= 160_000, f"the log reached {largest} bytes"
    store.close()
    assert wal.stat().st_size == 0, "checkpointed at close"
    reader.close()


def test_export_leaves_out_the_empty_day_earlier_versions_wrote(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fill(db)
    store = StatsStore.open(db)
    store.active(date.min, 0, 0)  # what the first tick of earlier versions left behind
    store.close()
    out = tmp_path / "stats.csv"
    assert cli.main(["stats", "export", "--db", str(db), "--csv", str(out)]) == 0
    assert "2 days of activity" in capsys.readouterr().out
    assert "0001-01-01" not in out.read_text()


def test_the_first_tick_records_no_day_before_the_first_real_one(tmp_path: Path) -> None:
    from support.clocks import FakeClock
    from support.configs import settings
    from support.daemons import fake_daemon
    from support.notifiers import Shown

    db = tmp_path / "stats.sqlite3"
    clock = FakeClock()
    recorder = StatsStore.open(db)
    daemon = fake_daemon(settings({"eyes": {}}), Shown(), clock=clock, recorder=recorder)
    daemon.tick()
    clock.advance(60)
    daemon.tick()
    daemon.close()
    assert [row[0] for row in rows(db, "SELECT day FROM days")] == ["2026-11-23"]
