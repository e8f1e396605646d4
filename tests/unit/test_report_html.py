"""The HTML report's page: gridline labels, self-contained, text escaped."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from support.report_week import record_week

from ergo_daemon.stats.html import Series, chart, render
from ergo_daemon.stats.report import read_report


def test_gridlines_have_distinct_labels_for_small_hours() -> None:
    drawn = chart("x", "t", ["a"], [Series("s", "active", [0.2], ["0.2"])], unit="h", whole=False)
    labels = re.findall(r'text-anchor="end">([^<]*)<', drawn)
    assert labels == ["0h", "0.05h", "0.1h", "0.15h", "0.2h"]
    assert len(set(labels)) == len(labels)


def test_the_page_is_self_contained_and_escapes_text(tmp_path: Path) -> None:
    db = tmp_path / "stats.sqlite3"
    record_week(db, date(2026, 3, 8))
    html = render(read_report(db, last=date(2026, 3, 8), days=7))
    assert "<script" not in html and "http://" not in html.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )
    assert "https://" not in html and "src=" not in html and "url(" not in html
    charts = html.count('<svg xmlns="http://www.w3.org/2000/svg" role="img"')
    assert charts == 5 and html.count("<title id=") == 5 and html.count("<desc") == 5
    assert "Sunday 8 Mar: 6 eye rests taken" in html and "Sunday 8 Mar: 2 stretches taken" in html
    assert "prefers-color-scheme: dark" in html
    assert "Sunday 8 Mar: 2 h 30 min active" in html
    drawn = chart("x", "<T&>", ["<a>"], [Series("<s>", "active", [1.0], ["<t>"])])
    assert "&lt;T&amp;&gt;" in drawn and "&lt;a&gt;" in drawn and "&lt;t&gt;" in drawn
    assert "<a>" not in drawn and "<s>" not in drawn
