"""``report --html`` in a real headless Chromium: the screenshot shows the charts."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from support.cli import ROOT, cli
from support.desktop import unavailable
from support.report_week import (
    ACTIVE_HOURS,
    EYES_PROMPTED,
    EYES_TAKEN,
    GLASSES,
    PROMPTED,
    SITTING_HOURS,
    STRETCHES_PROMPTED,
    STRETCHES_TAKEN,
    TAKEN,
    record_week,
)

from ergo_daemon.stats.html import COLOURS, render
from ergo_daemon.stats.report import read_report

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
WINDOW = (800, 1720)  # wide enough for the 720-pixel charts, tall enough for all five
MIN_BAR_WIDTH = 14  # legend swatches are smaller


def browser() -> str:
    """Chromium's path; skip without it (fail when ERGO_TEST_REQUIRE_DESKTOP=1, as in CI)."""
    for name in BROWSERS:
        if found := shutil.which(name):
            return found
    message = "no headless browser for the HTML report (apt-get install chromium)"
    unavailable(message)


def report_page(tmp_path: Path) -> Path:
    """``ergo-daemon report --html`` on a recorded week, run as a user would."""
    for _ in range(2):  # once more if midnight passed between recording and reporting
        today = date.today()
        db = tmp_path / f"stats-{today}.sqlite3"
        record_week(db, today)
        page = tmp_path / "report.html"
        result = cli(dict(os.environ), "report", "--html", str(page), "--db", str(db), cwd=ROOT)
        assert result.returncode == 0, result.stderr
        if date.today() == today:
            return page
    raise AssertionError("the date kept changing")


def screenshot(page: Path, out: Path, *, dark: bool = False) -> Pixels:
    profile = out.with_suffix(".profile")
    command = [
        browser(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        "--force-color-profile=srgb",  # pixels carry the page's colours unchanged
        f"--user-data-dir={profile}",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        f"--screenshot={out}",
        *(["--force-dark-mode"] if dark else []),
        page.as_uri(),
    ]
    env = {**os.environ, "HOME": str(profile), "XDG_CONFIG_HOME": str(profile)}
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)
    assert out.is_file(), f"no screenshot (exit {result.returncode}):\n{result.stderr[-2000:]}"
    return Pixels.read(out)


@dataclass(frozen=True)
class Pixels:
    """A decoded 8-bit RGB or RGBA PNG (the kinds Chromium writes)."""

    width: int
    height: int
    rows: tuple[bytes, ...]
    channels: int

    @classmethod
    def read(cls, path: Path) -> Pixels:
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        position, chunks = 8, b""
        while position < len(data):
            (length,) = struct.unpack(">I", data[position : position + 4])
            kind = data[position + 4 : position + 8]
            body = data[position + 8 : position + 8 + length]
            position += 12 + length
            if kind == b"IHDR":
                width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
                assert (depth, interlace) == (8, 0) and colour in (2, 6)
            elif kind == b"IDAT":
                chunks += body
        channels = 3 if colour == 2 else 4
        return cls(
            width, height, _unfilter(zlib.decompress(chunks), width, height, channels), channels
        )

    def rgb(self, x: int, y: int) -> str:
        start = x * self.channels
        return "#" + self.rows[y][start : start + 3].hex()

    def bars(self, colour: str) -> list[tuple[int, int, int, int]]:
        """Solid rectangles of ``colour`` as (left, top, width, height), left to right."""
        pixel = bytes.fromhex(colour.removeprefix("#")) + b"\xff" * (self.channels - 3)
        pattern = re.compile(b"(?:" + re.escape(pixel) + b")+")
        open_runs: dict[tuple[int, int], list[int]] = {}  # (left, right) -> [top, bottom]
        found: list[tuple[int, int, int, int]] = []
        for y, row in enumerate(self.rows):
            runs, position = [], 0
            while match := pattern.search(row, position):
                if match.start() % self.channels:  # straddles two pixels
                    position = match.start() + 1
                    continue
                runs.append((match.start() // self.channels, match.end() // self.channels))
                position = match.end()
            for run in runs:
                if run in open_runs and open_runs[run][1] == y - 1:
                    open_runs[run][1] = y
                else:
                    if run in open_runs:
                        top, bottom = open_runs[run]
                        found.append((run[0], top, run[1] - run[0], bottom - top + 1))
                    open_runs[run] = [y, y]
        for (left, right), (top, bottom) in open_runs.items():
            found.append((left, top, right - left, bottom - top + 1))
        return sorted(b for b in found if b[2] >= MIN_BAR_WIDTH and b[3] >= 1)


def _unfilter(raw: bytes, width: int, height: int, channels: int) -> tuple[bytes, ...]:
    stride = width * channels
    previous = bytes(stride)
    rows = []
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        if kind == 1:
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 0xFF
        elif kind == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, previous, strict=True))
        elif kind == 3:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + (left + previous[i]) // 2) & 0xFF
        elif kind == 4:
            for i in range(stride):
                a = line[i - channels] if i >= channels else 0
                b, c = previous[i], previous[i - channels] if i >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line))
        previous = bytes(line)
    return tuple(rows)


def by_chart(bars: list[tuple[int, int, int, int]]) -> list[list[tuple[int, int, int, int]]]:
    """Bars of one colour grouped by the chart they stand in (their baseline), top chart first."""
    charts: dict[int, list[tuple[int, int, int, int]]] = {}
    for bar in bars:
        charts.setdefault(bar[1] + bar[3], []).append(bar)
    return [charts[base] for base in sorted(charts)]


def assert_bars_follow(bars: list[tuple[int, int, int, int]], values: tuple[float, ...]) -> None:
    """One bar per value, left to right, on one baseline, heights in proportion."""
    assert len(bars) == len(values), bars
    assert len({top + height for _, top, _, height in bars}) == 1, "bars share a baseline"
    tallest = max(height for *_, height in bars)
    for (_, _, _, height), value in zip(bars, values, strict=True):
        assert abs(height - tallest * value / max(values)) <= 2, (bars, values)


def test_the_html_report_shows_its_charts_in_chromium(tmp_path: Path) -> None:
    browser()
    page = report_page(tmp_path)
    shot = screenshot(page, tmp_path / "light.png")
    active, sitting = shot.bars(COLOURS["active"]), shot.bars(COLOURS["sitting"])
    assert_bars_follow(active, ACTIVE_HOURS)
    assert_bars_follow(sitting, SITTING_HOURS)
    # Each day's two bars stand side by side, the active one first.
    for (a_left, _, a_width, _), (s_left, *_) in zip(active, sitting, strict=True):
        assert a_left + a_width <= s_left < a_left + 3 * a_width
    # Breaks, eye rests and stretches: one chart each, in that order, taken and prompted.
    taken, prompted = (
        by_chart(shot.bars(COLOURS["taken"])),
        by_chart(shot.bars(COLOURS["prompted"])),
    )
    assert len(taken) == len(prompted) == 3, "a chart for breaks, eye rests and stretches"
    for bars, values in zip(taken, (TAKEN, EYES_TAKEN, STRETCHES_TAKEN), strict=True):
        assert_bars_follow(bars, values)
    for bars, values in zip(prompted, (PROMPTED, EYES_PROMPTED, STRETCHES_PROMPTED), strict=True):
        assert_bars_follow(bars, values)
    glasses = shot.bars(COLOURS["glasses"])
    assert_bars_follow(glasses, GLASSES)
    # The charts come in page order: active time, breaks, eye rests, stretches, then water.
    tops = [active[0][1], *(bars[0][1] for bars in taken), glasses[0][1]]
    assert tops == sorted(tops), tops
    covered = sum(w * h for colour in COLOURS.values() for _, _, w, h in shot.bars(colour))
    assert covered > 0.05 * shot.width * shot.height
    assert shot.rgb(2, 2) == "#ffffff"


def test_the_html_report_is_readable_in_dark_mode(tmp_path: Path) -> None:
    browser()
    today = date.today()
    db = tmp_path / "stats.sqlite3"
    record_week(db, today)
    page = tmp_path / "report.html"
    page.write_text(render(read_report(db, last=today, days=7)), encoding="utf-8")
    shot = screenshot(page, tmp_path / "dark.png", dark=True)
    background = bytes.fromhex(shot.rgb(2, 2)[1:])
    assert sum(background) / 3 < 40, shot.rgb(2, 2)
    assert_bars_follow(shot.bars(COLOURS["active"]), ACTIVE_HOURS)
    assert_bars_follow(shot.bars(COLOURS["glasses"]), GLASSES)


def test_the_page_shows_a_few_pictured_exercises_a_different_few_next_week(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser()
    monkeypatch.setitem(globals(), "WINDOW", (800, 3200))  # the pictures end the page
    db = tmp_path / "stats.sqlite3"
    record_week(db, date(2026, 3, 8))
    html = render(read_report(db, last=date(2026, 3, 8), days=7))
    pictures = html.split("<h2>To try this week</h2>", 1)[1]
    assert pictures.count('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 120"') == 4
    following = render(read_report(db, last=date(2026, 3, 15), days=7))
    assert following.split("<h2>To try this week</h2>", 1)[1] != pictures
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    shot = screenshot(page, tmp_path / "pictures.png", dark=True)
    ink = bytes.fromhex("1f3a4d")  # the drawings' line colour, drawn at full size
    drawn = sum(
        row[x * shot.channels : x * shot.channels + 3] == ink
        for row in shot.rows
        for x in range(shot.width)
    )
    assert drawn > 4 * 150, f"only {drawn} pixels of line drawing on the page"
