"""The report as one self-contained HTML page: inline CSS and SVG charts, no scripts."""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from ergo_daemon.kinds import BREAK, REPORTED
from ergo_daemon.stats.report import Uptake
from ergo_daemon.words import counted

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date

    from ergo_daemon.stats.report import DayRow, Report

# Mid-tone fills that read on both the light and the dark background; tests look for them.
COLOURS = {
    "active": "#3b6fd4",
    "sitting": "#e8890c",
    "taken": "#2a9d5c",
    "prompted": "#9b59b6",
    "glasses": "#17a2b8",
}
WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 40
NONE = "&ndash;"  # an empty table cell

_STYLE = """
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1f2328; --muted: #57606a;
  --grid: #d0d7de; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #16181d; --fg: #e6e6e6; --muted: #a4acb6; --grid: #3a3f47; }
}
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
main { max-width: 760px; margin: 0 auto; padding: 16px 20px 40px; }
h1 { font-size: 1.5em; margin: 0 0 4px; }
h2 { font-size: 1.1em; margin: 24px 0 6px; }
p { margin: 4px 0; }
figure { margin: 0; }
svg { display: block; max-width: 100%; height: auto; }
svg text { fill: var(--muted); font-size: 12px; }
svg .grid { stroke: var(--grid); stroke-width: 1; }
figcaption { color: var(--muted); font-size: 0.9em; }
.key { display: inline-block; width: 0.8em; height: 0.8em; margin: 0 0.3em 0 0.9em;
  vertical-align: -0.05em; border-radius: 2px; }
caption { text-align: left; caption-side: bottom; padding-top: 6px; }
table { border-collapse: collapse; margin-top: 8px; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 10px; text-align: right; border-bottom: 1px solid var(--grid); }
th:first-child, td:first-child { text-align: left; }
.note { color: var(--muted); font-size: 0.9em; margin-top: 16px; }
.moves { display: flex; flex-wrap: wrap; gap: 12px; list-style: none; padding: 0; }
.moves li { width: 170px; font-size: 0.9em; }
.moves svg { width: 120px; }
"""


@dataclass(frozen=True)
class Series:
    """One set of bars: a legend name, a COLOURS key, a value and a hover text per day."""

    name: str
    colour: str
    values: Sequence[float]
    titles: Sequence[str]


def render(report: Report) -> str:
    """The whole page for ``report``."""
    period = f"{_day(report.first)} {report.first:%Y} to {_day(report.last)} {report.last:%Y}"
    if report.empty:
        body = "<p>No statistics yet: they are recorded while the daemon runs.</p>"
    elif report.quiet:
        body = f"<p>No statistics from {escape(period)}; the latest are from {report.latest}.</p>"
    else:
        body = _figures(report.rows)
    body += _exercises(report.last)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="color-scheme" content="light dark">\n'
        f"<title>ergo-daemon statistics, {escape(period)}</title>\n"
        f"<style>{_STYLE}</style>\n</head>\n<body>\n<main>\n"
        f"<h1>Statistics</h1>\n<p>{escape(period)} ({counted(len(report.rows), 'day')})</p>\n"
        f"{body}\n</main>\n</body>\n</html>\n"
    )


def _exercises(day: date) -> str:
    """A few pictured exercises to try, a different few each week."""
    from ergo_daemon.content.catalogue import load_catalogue
    from ergo_daemon.content.gallery import of_the_week

    items = [
        f"<li>{p.svg.strip()}<strong>{escape(p.name)}</strong><br>{escape(p.dose)}."
        f" {escape(p.caution)}</li>"
        for p in of_the_week(load_catalogue(), day)
    ]
    if not items:
        return ""
    return '\n<h2>To try this week</h2>\n<ul class="moves">' + "".join(items) + "</ul>"


def _figures(rows: Sequence[DayRow]) -> str:
    labels = [f"{r.day:%a} {r.day.day}" for r in rows]
    names = [f"{r.day:%A} {_day(r.day)}" for r in rows]
    hours = [r.active_seconds / 3600 for r in rows]
    sitting = [min(r.longest_sitting_seconds, r.active_seconds) / 3600 for r in rows]
    taken = sum(r.of(BREAK).taken for r in rows)
    prompted = sum(r.of(BREAK).prompted for r in rows)
    glasses = counted(sum(r.glasses for r in rows), "glass", "glasses")
    summary = (
        f"<p>{_duration(sum(r.active_seconds for r in rows))} active; longest unbroken sitting"
        f" {_duration(max(r.longest_sitting_seconds for r in rows))}; {counted(taken, 'break')}"
        f" taken, {prompted} prompted; {glasses} of water.{_held(rows)}</p>"
    )
    parts = [
        summary,
        "<h2>Active time</h2>",
        chart(
            "active",
            "Active time and longest unbroken sitting stretch per day, in hours",
            labels,
            [
                Series(
                    "active time",
                    "active",
                    hours,
                    [
                        f"{n}: {_duration(r.active_seconds)} active"
                        for n, r in zip(names, rows, strict=True)
                    ],
                ),
                Series(
                    "longest unbroken sitting",
                    "sitting",
                    sitting,
                    [
                        f"{n}: longest sitting {_duration(r.longest_sitting_seconds)}"
                        for n, r in zip(names, rows, strict=True)
                    ],
                ),
            ],
            unit="h",
            whole=False,
        ),
        *(
            part
            for kind in REPORTED
            for part in _taken_and_prompted(
                kind.name, kind.report, [r.of(kind) for r in rows], names, labels
            )
        ),
        "<h2>Water</h2>",
        chart(
            "glasses",
            "Glasses of water logged per day",
            labels,
            [
                Series(
                    "glasses",
                    "glasses",
                    [r.glasses for r in rows],
                    [
                        f"{n}: {counted(r.glasses, 'glass', 'glasses')}"
                        for n, r in zip(names, rows, strict=True)
                    ],
                )
            ],
        ),
        "<h2>Figures</h2>",
        _table(rows),
        '<p class="note">A break is <em>prompted</em> each time a break reminder is shown, and '
        "<em>taken</em> each time one is marked done or you stepped away long enough for a "
        "natural break, so taken can exceed prompted. Eye rests and stretches count the same "
        "way. A glass is a water reminder marked done.</p>",
    ]
    return "\n".join(parts)


def _taken_and_prompted(
    ident: str,
    heading: str,
    tallies: Sequence[Uptake],
    names: Sequence[str],
    labels: Sequence[str],
) -> tuple[str, str]:
    """A heading and a chart of one kind's taken and prompted counts per day."""
    what = heading.lower()
    return f"<h2>{heading}</h2>", chart(
        ident,
        f"{heading} taken and prompted per day",
        labels,
        [
            Series(
                "taken",
                "taken",
                [t.taken for t in tallies],
                [f"{n}: {t.taken} {what} taken" for n, t in zip(names, tallies, strict=True)],
            ),
            Series(
                "prompted",
                "prompted",
                [t.prompted for t in tallies],
                [f"{n}: {t.prompted} prompted" for n, t in zip(names, tallies, strict=True)],
            ),
        ],
    )


def chart(
    ident: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    unit: str = "",
    whole: bool = True,
) -> str:
    """An accessible SVG bar chart, one group of bars per label, with a legend below it."""
    most = max((v for s in series for v in s.values), default=0.0)
    step = _step(most, whole=whole)
    lines = max(1, math.ceil(most / step - 1e-9))
    top = lines * step
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group = plot_w / len(labels)
    gap = 2 if len(series) > 1 else 0
    bar = max(1, math.floor(group * 0.8 / len(series)) - gap)
    every = math.ceil(len(labels) / 14)  # keep day labels from overlapping
    out = [
        f'<figure><svg xmlns="http://www.w3.org/2000/svg" role="img" width="{WIDTH}"'
        f' height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}"'
        f' aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(_describe(labels, series, unit))}</desc>',
    ]
    for line in range(lines + 1):
        tick = line * step
        y = TOP + plot_h - round(plot_h * tick / top)
        out.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}.5" y2="{y}.5"/>'
            f'<text x="{LEFT - 8}" y="{y + 4}" text-anchor="end">'
            f"{_number(tick, _decimals(step))}{unit}</text>"
        )
    for index, label in enumerate(labels):
        x0 = LEFT + group * index + (group - (bar + gap) * len(series) + gap) / 2
        for number, one in enumerate(series):
            value = one.values[index]
            height = round(plot_h * value / top)
            if value > 0 and height == 0:
                height = 1
            if height:
                x = round(x0 + number * (bar + gap))
                out.append(
                    f'<rect x="{x}" y="{TOP + plot_h - height}" width="{bar}" height="{height}"'
                    f' fill="{COLOURS[one.colour]}" shape-rendering="crispEdges">'
                    f"<title>{escape(one.titles[index])}</title></rect>"
                )
        if index % every == 0:
            centre = round(LEFT + group * (index + 0.5))
            out.append(
                f'<text x="{centre}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle">'
                f"{escape(label)}</text>"
            )
    out.append("</svg>")
    keys = "".join(
        f'<span class="key" style="background:{COLOURS[s.colour]}"></span>{escape(s.name)}'
        for s in series
    )
    out.append(f"<figcaption>{keys}</figcaption></figure>")
    return "\n".join(out)


def _held(rows: Sequence[DayRow]) -> str:
    """`` Of it, 1 h 10 min in calls, films or Do Not Disturb (3 prompts held).``, or nothing."""
    seconds, held = sum(r.held_seconds for r in rows), sum(r.held for r in rows)
    if not seconds and not held:
        return ""
    return (
        f" Of it, {_duration(seconds)} in calls, films or Do Not Disturb"
        f" ({counted(held, 'prompt')} held, {sum(r.shown_after_hold for r in rows)} shown after)."
    )


def _table(rows: Sequence[DayRow]) -> str:
    kinds = "".join(f"<th>{kind.report}</th>" for kind in REPORTED)
    calls = any(r.held_seconds for r in rows)  # a column only for those who had calls
    held = "<th>In calls</th>" if calls else ""
    head = (
        f"<tr><th>Day</th><th>Active</th>{held}<th>Longest sitting</th>{kinds}<th>Glasses</th></tr>"
    )

    def count(uptake: Uptake) -> str:
        return (
            f"<td>{uptake.taken} of {uptake.prompted}</td>"
            if uptake != Uptake()
            else f"<td>{NONE}</td>"
        )

    body = "".join(
        f"<tr><td>{r.day:%a %Y-%m-%d}</td><td>{_duration(r.active_seconds)}</td>"
        + (f"<td>{_duration(r.held_seconds)}</td>" if calls else "")
        + f"<td>{_duration(r.longest_sitting_seconds)}</td>{''.join(map(count, r.uptake))}"
        f"<td>{r.glasses or NONE}</td></tr>"
        for r in rows
    )
    return (
        '<table><caption class="note">Taken of prompted; times in hours and minutes</caption>'
        f"<thead>{head}</thead><tbody>{body}</tbody></table>"
    )


def _describe(labels: Sequence[str], series: Sequence[Series], unit: str) -> str:
    """The chart's data as a sentence for screen readers."""
    days = (
        f"{label}: " + ", ".join(f"{s.name} {_number(s.values[i], 2)}{unit}" for s in series)
        for i, label in enumerate(labels)
    )
    return "; ".join(days) + "."


def _step(most: float, *, whole: bool) -> float:
    """A gridline step of 1, 2 or 5 times 10^n giving about four lines up to ``most``."""
    if most <= 0:
        return 1.0
    rough = most / 4
    power = 10.0 ** math.floor(math.log10(rough))
    step = next(n * power for n in (1, 2, 5, 10) if n * power >= rough * (1 - 1e-9))
    return max(step, 1.0) if whole else step


def _day(day: date) -> str:
    """``"2 May"``; strftime's unpadded day is not portable."""
    return f"{day.day} {day:%b}"


def _decimals(step: float) -> int:
    """Digits after the point that tell gridlines ``step`` apart: 2 for 0.05, 0 for 5."""
    return max(0, -math.floor(math.log10(step) + 1e-9))


def _number(value: float, decimals: int = 1) -> str:
    return f"{value:.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{value:.0f}"


def _duration(seconds: float) -> str:
    if not seconds:
        return NONE
    minutes = round(seconds / 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
