"""The report for a terminal: a per-day table and bar charts within 80 columns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ergo_daemon.kinds import BREAK, REPORTED
from ergo_daemon.stats.report import Uptake

if TYPE_CHECKING:
    from ergo_daemon.stats.report import DayRow, Report

ACTIVE_WIDTH = 56  # 10 for the day, 56 for the bar, 7 for the figure: 73 columns
MARKS_WIDTH = 24  # the most marks a day's breaks (or glasses) get before they are scaled


@dataclass(frozen=True)
class Glyphs:
    """The characters the charts are drawn with."""

    sitting: str
    active: str
    taken: str
    missed: str
    glass: str


UNICODE = Glyphs(sitting="█", active="▒", taken="■", missed="□", glass="●")
ASCII = Glyphs(sitting="#", active="=", taken="x", missed=".", glass="o")


def render(report: Report, *, glyphs: Glyphs = UNICODE) -> str:
    """The whole terminal report, ending in a newline."""
    if report.empty:
        return "No statistics yet: they are recorded while the daemon runs.\n"
    period = f"{report.first} to {report.last}"
    if report.quiet:
        latest = report.latest
        hint = ""
        if latest is not None and latest < report.first:
            hint = f" (see them with --days {(report.last - latest).days + 1})"
        return f"No statistics from {period}.\nThe latest are from {latest}{hint}.\n"
    days = len(report.rows)
    lines = [f"Statistics from {period} ({days} day{'s' if days != 1 else ''})", ""]
    lines += table(report.rows)
    lines += held_line(report.rows)
    lines += ["", *active_chart(report.rows, glyphs)]
    lines += ["", *breaks_chart(report.rows, glyphs)]
    return "\n".join(lines) + "\n"


def held_line(rows: tuple[DayRow, ...]) -> list[str]:
    """Time in calls, films and Do Not Disturb, and what became of the prompts held then."""
    seconds = sum(r.held_seconds for r in rows)
    held, shown = sum(r.held for r in rows), sum(r.shown_after_hold for r in rows)
    if not seconds and not held:
        return []
    line = f"In calls, films or Do Not Disturb: {_duration(seconds)}"
    return ["", f"{line}; {held} prompts held, {shown} shown when it ended"]


def table(rows: tuple[DayRow, ...]) -> list[str]:
    """Per day: active time, longest sitting stretch, taken/prompted counts, glasses."""
    kinds = "".join(f"{kind.report:>{_width(kind.report)}}  " for kind in REPORTED)
    header = f"{'Day':<9}  {'Active':>6}  {'Longest sitting':>15}  {kinds}{'Glasses':>7}"
    lines = [header]
    for row in rows:
        lines.append(
            _table_line(
                _label(row),
                row.active_seconds,
                row.longest_sitting_seconds,
                row.uptake,
                row.glasses,
            )
        )
    if len(rows) > 1:
        lines.append(
            _table_line(
                "Total",
                sum(r.active_seconds for r in rows),
                max(r.longest_sitting_seconds for r in rows),
                tuple(
                    Uptake(sum(t.taken for t in ts), sum(t.prompted for t in ts))
                    for ts in zip(*(r.uptake for r in rows), strict=True)
                ),
                sum(r.glasses for r in rows),
            )
        )
    return lines


def active_chart(rows: tuple[DayRow, ...], glyphs: Glyphs) -> list[str]:
    """One bar per day: the longest unbroken sitting stretch, then the rest of the active time."""
    lines = [f"Active time ({glyphs.sitting} longest unbroken sitting, {glyphs.active} the rest)"]
    most = max(r.active_seconds for r in rows)
    for row in rows:
        active = _cells(row.active_seconds, most, ACTIVE_WIDTH)
        sitting = min(active, _cells(row.longest_sitting_seconds, most, ACTIVE_WIDTH))
        bar = glyphs.sitting * sitting + glyphs.active * (active - sitting)
        figure = _duration(row.active_seconds) if row.active_seconds else "-"
        lines.append(f"{_label(row):<9} {bar:<{ACTIVE_WIDTH}} {figure:>6}".rstrip())
    return lines


def breaks_chart(rows: tuple[DayRow, ...], glyphs: Glyphs) -> list[str]:
    """Per day, breaks taken and not taken of those prompted, and glasses of water."""
    lines = [
        f"Breaks ({glyphs.taken} taken, {glyphs.missed} prompted but not taken)"
        f" and glasses ({glyphs.glass})"
    ]
    most = max(max(r.of(BREAK).taken, r.of(BREAK).prompted, r.glasses) for r in rows)
    for row in rows:
        breaks = row.of(BREAK)
        taken = _cells(breaks.taken, most, MARKS_WIDTH, exact=True)
        shown = _cells(max(breaks.prompted, breaks.taken), most, MARKS_WIDTH, exact=True)
        marks = glyphs.taken * taken + glyphs.missed * (shown - taken)
        glasses = glyphs.glass * _cells(row.glasses, most, MARKS_WIDTH, exact=True)
        uptake = f"{breaks.taken}/{breaks.prompted}" if breaks != Uptake() else ""
        line = f"{_label(row):<9} {marks:<{MARKS_WIDTH}} {uptake:>5}  {glasses:<{MARKS_WIDTH}}"
        lines.append(f"{line} {row.glasses:>3}" if row.glasses else line.rstrip())
    return lines


def _table_line(
    label: str, active: float, sitting: float, tallies: tuple[Uptake, ...], glasses: int
) -> str:
    counts = "".join(
        f"{f'{t.taken}/{t.prompted}' if t != Uptake() else '-':>{_width(kind.report)}}  "
        for kind, t in zip(REPORTED, tallies, strict=True)
    )
    return (
        f"{label:<9}  {_duration(active) if active else '-':>6}  "
        f"{_duration(sitting) if sitting else '-':>15}  {counts}{glasses or '-':>7}"
    )


def _width(heading: str) -> int:
    """The width of a kind's column: its heading's, and room for "12/12"."""
    return max(len(heading), 6)


def _label(row: DayRow) -> str:
    return f"{row.day:%a %m-%d}"


def _cells(value: float, most: float, width: int, *, exact: bool = False) -> int:
    """The cells ``value`` gets when ``most`` fills ``width``; counts stay exact if they fit."""
    if value <= 0 or most <= 0:
        return 0
    if exact and most <= width:
        return int(value)
    return max(1, round(width * value / most))


def _duration(seconds: float) -> str:
    """``"6h12m"``, ``"45m"``; under a minute rounds to ``"0m"``."""
    minutes = round(seconds / 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m"
