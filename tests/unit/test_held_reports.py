"""Time in calls, films and Do Not Disturb shows in the HTML report and the CSV export too."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

from ergo_daemon import cli
from ergo_daemon.stats import StatsStore
from ergo_daemon.stats.html import render
from ergo_daemon.stats.report import read_report

DAY = date(2026, 3, 2)


def _record(path: Path, *, held: float) -> None:
    """One day of 4 h at the desk, ``held`` seconds of it in calls, and one prompt held."""
    store = StatsStore.open(path)
    store.active(DAY, 4 * 3600, 3000, held)
    if held:
        store.prompt(datetime(2026, 3, 2, 10, tzinfo=UTC), "break", "held")
        store.prompt(datetime(2026, 3, 2, 11, tzinfo=UTC), "break", "shown")
    store.close()


def test_the_html_report_says_how_long_prompts_were_held_and_shows_it_per_day(
    tmp_path: Path,
) -> None:
    db = tmp_path / "stats.sqlite3"
    _record(db, held=4200)
    page = render(read_report(db, last=DAY, days=7))
    assert "Of it, 1 h 10 min in calls, films or Do Not Disturb (1 prompt held" in page
    assert "<th>In calls</th>" in page
    assert "<td>1 h 10 min</td>" in page


def test_without_calls_the_html_report_has_no_calls_column_or_sentence(tmp_path: Path) -> None:
    db = tmp_path / "stats.sqlite3"
    _record(db, held=0)
    page = render(read_report(db, last=DAY, days=7))
    assert "In calls" not in page and "Do Not Disturb" not in page


def test_the_csv_export_gives_each_days_held_seconds(tmp_path: Path) -> None:
    db, out = tmp_path / "stats.sqlite3", tmp_path / "stats.csv"
    _record(db, held=4200)
    assert cli.main(["stats", "export", "--db", str(db), "--csv", str(out)]) == 0
    with out.open(newline="", encoding="utf-8") as file:
        records = list(csv.DictReader(file))
    day = next(r for r in records if r["record"] == "day")
    assert (day["active_seconds"], day["held_seconds"]) == ("14400", "4200")
    assert [r["outcome"] for r in records if r["record"] == "prompt"] == ["held", "shown"]
