"""Per-day figures from the statistics database: reading and counting, no output."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from ergo_daemon.kinds import GLASSES, REPORTED
from ergo_daemon.stats.store import SCHEMA_VERSION, connect, schema_version

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    from ergo_daemon.kinds import Kind

_NO_SHARED_MEMORY = frozenset({sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY})


class ReportError(Exception):
    """The database exists but cannot be read."""


@dataclass(frozen=True)
class PromptEvent:
    """One stored prompt row."""

    at: str
    day: date
    kind: str
    outcome: str
    merged: tuple[str, ...] = ()


@dataclass(frozen=True)
class DayActivity:
    """One stored day of activity."""

    day: date
    active_seconds: float
    longest_sitting_seconds: float
    held_seconds: float = 0.0  # in a call, a film or Do Not Disturb: prompts held


@dataclass(frozen=True)
class Uptake:
    """Prompts taken versus prompts shown for one kind, e.g. ``Uptake(taken=4, prompted=5)``."""

    taken: int = 0
    prompted: int = 0


@dataclass(frozen=True)
class DayRow:
    """One day's figures; ``uptake`` has one ``Uptake`` per kind of ``kinds.REPORTED``."""

    # A kind is *prompted* each time a prompt covering it (as its kind or merged into it) is
    # shown, and *taken* each time such a prompt is marked done or a natural break resets
    # that kind's timer, so natural breaks can make taken exceed prompted. A glass is a done
    # hydration prompt (hydration merged into another prompt is not counted as a glass).
    day: date
    active_seconds: float = 0.0
    longest_sitting_seconds: float = 0.0
    uptake: tuple[Uptake, ...] = tuple(Uptake() for _ in REPORTED)
    glasses: int = 0
    held_seconds: float = 0.0  # time in calls, films and Do Not Disturb
    held: int = 0  # prompts that fell due while held
    shown_after_hold: int = 0  # the prompts shown when a hold ended

    def of(self, kind: Kind) -> Uptake:
        """The taken and prompted counts of ``kind``, one of ``kinds.REPORTED``."""
        return self.uptake[REPORTED.index(kind)]

    @property
    def recorded(self) -> bool:
        """Whether anything was recorded on this day."""
        counts = self.uptake
        return bool(self.active_seconds or self.glasses or any(u != Uptake() for u in counts))


@dataclass(frozen=True)
class Report:
    """The days ``first`` to ``last``; ``latest`` is the newest day with data (None: no data)."""

    first: date
    last: date
    rows: tuple[DayRow, ...]
    latest: date | None

    @property
    def empty(self) -> bool:
        """Nothing was ever recorded."""
        return self.latest is None

    @property
    def quiet(self) -> bool:
        """Nothing was recorded in this period."""
        return not any(row.recorded for row in self.rows)


def summarise(
    first: date, last: date, prompts: Iterable[PromptEvent], activity: Iterable[DayActivity]
) -> tuple[DayRow, ...]:
    """One ``DayRow`` per day from ``first`` to ``last``, days without data included."""
    # Keyed by the kinds' names, as stored: a report reads rows of kinds no longer configured.
    taken: dict[tuple[date, str], int] = defaultdict(int)
    prompted: dict[tuple[date, str], int] = defaultdict(int)
    done: dict[tuple[date, str], int] = defaultdict(int)  # by the kind heading the prompt
    held: dict[date, int] = defaultdict(int)
    after_hold: dict[date, int] = defaultdict(int)
    holding: set[date] = set()  # days whose latest held prompt has not been shown yet
    for event in prompts:
        if event.outcome == "held":
            held[event.day] += 1
            holding.add(event.day)
        elif event.outcome == "shown" and event.day in holding:
            after_hold[event.day] += 1
            holding.discard(event.day)
        covered = (event.kind, *event.merged)
        if event.outcome == "shown":
            for kind in covered:
                prompted[event.day, kind] += 1
        elif event.outcome == "done":
            for kind in covered:
                taken[event.day, kind] += 1
            done[event.day, event.kind] += 1
        elif event.outcome == "natural":
            taken[event.day, event.kind] += 1
    active = {a.day: a for a in activity}
    rows = []
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        seen = active.get(day)
        rows.append(
            DayRow(
                day,
                seen.active_seconds if seen else 0.0,
                seen.longest_sitting_seconds if seen else 0.0,
                uptake=tuple(
                    Uptake(taken.get((day, k.name), 0), prompted.get((day, k.name), 0))
                    for k in REPORTED
                ),
                glasses=done.get((day, GLASSES.name), 0),
                held_seconds=seen.held_seconds if seen else 0.0,
                held=held.get(day, 0),
                shown_after_hold=after_hold.get(day, 0),
            )
        )
    return tuple(rows)


def read_report(path: Path, *, last: date, days: int) -> Report:
    """The ``days`` days ending with ``last`` (normally today), read from ``path``."""
    first = last - timedelta(days=days - 1)
    conn = open_database(path)
    if conn is None:
        return Report(first, last, summarise(first, last, [], []), None)
    try:
        rows = summarise(
            first, last, read_prompts(conn, first, last), read_activity(conn, first, last)
        )
        newest = conn.execute(
            "SELECT max(day) FROM (SELECT max(day) AS day FROM prompts"
            " UNION ALL SELECT max(day) FROM days)"
        ).fetchone()[0]
    except sqlite3.Error as exc:
        raise ReportError(f"cannot read {path}: {exc}") from exc
    finally:
        conn.close()
    return Report(first, last, rows, date.fromisoformat(newest) if newest else None)


def open_database(path: Path) -> sqlite3.Connection | None:
    """A read-only connection to ``path``; None when it holds no statistics yet."""
    if not path.exists():
        return None
    try:
        conn = connect(path, read_only=True)
        try:
            version = schema_version(conn)
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode & 0xFF not in _NO_SHARED_MEMORY:
                raise
            # A read-only directory where the -shm file cannot be made: read the main file
            # alone, which holds everything the daemon checkpointed.
            conn.close()
            conn = sqlite3.connect(path.resolve().as_uri() + "?immutable=1", uri=True)
            version = schema_version(conn)
    except sqlite3.Error as exc:
        raise ReportError(f"cannot read {path}: {exc}") from exc
    if version == 0:
        conn.close()
        return None
    if version > SCHEMA_VERSION:
        conn.close()
        raise ReportError(
            f"{path} was written by a newer ergo-daemon (schema {version}); update to read it"
        )
    return conn


def read_prompts(
    conn: sqlite3.Connection, first: date | None = None, last: date | None = None
) -> list[PromptEvent]:
    """Stored prompts, oldest first, optionally only from ``first`` to ``last``."""
    rows = conn.execute(
        "SELECT at, day, kind, outcome, merged FROM prompts"
        " WHERE day BETWEEN ? AND ? ORDER BY at, id",
        _bounds(first, last),
    )
    return [
        PromptEvent(at, date.fromisoformat(day), kind, outcome, tuple(merged.split()))
        for at, day, kind, outcome, merged in rows
    ]


def read_activity(
    conn: sqlite3.Connection, first: date | None = None, last: date | None = None
) -> list[DayActivity]:
    """Stored days of activity, oldest first, optionally only from ``first`` to ``last``."""
    rows = conn.execute(
        "SELECT day, active_seconds, longest_sitting_seconds, held_seconds FROM days"
        " WHERE day BETWEEN ? AND ? ORDER BY day",
        _bounds(first, last),
    )
    return [
        DayActivity(date.fromisoformat(day), active, sitting, held)
        for day, active, sitting, held in rows
    ]


def _bounds(first: date | None, last: date | None) -> tuple[str, str]:
    # ISO dates sort as text, and every stored day is one. Day 0001-01-01 is left out: earlier
    # versions wrote an empty row for it at the first tick.
    return (first or date.min + timedelta(days=1)).isoformat(), (last or date.max).isoformat()
