"""The daemon's statistics writer: one SQLite file that never stops the daemon."""

from __future__ import annotations

import logging
import math
import os
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, get_args

from ergo_daemon.ports import Outcome

if TYPE_CHECKING:
    from collections.abc import Sequence

log = logging.getLogger(__name__)

# "repeated": an unanswered break asked once more (not counted as prompted again); "held": a
# prompt that waited for a call, a film or Do Not Disturb to end.
OUTCOMES: frozenset[str] = frozenset(get_args(Outcome))
BROKEN_INFIX = ".broken-"

# MIGRATIONS[n] takes a database from user_version n to n + 1; append, never edit.
# Outcomes are checked in Python rather than by a CHECK constraint, so adding one later
# needs no table rebuild.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE prompts (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,               -- UTC, 2024-05-01T07:30:00Z
        day TEXT NOT NULL,              -- the local date, 2024-05-01
        kind TEXT NOT NULL,
        outcome TEXT NOT NULL,
        merged TEXT NOT NULL DEFAULT '' -- the other kinds the prompt covered, space-separated
    );
    CREATE INDEX prompts_by_day ON prompts (day);
    CREATE TABLE days (
        day TEXT PRIMARY KEY,
        active_seconds REAL NOT NULL DEFAULT 0,
        longest_sitting_seconds REAL NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    """,
    # Time the person was at the desk but busy (a call, a film, Do Not Disturb): prompts held.
    "ALTER TABLE days ADD COLUMN held_seconds REAL NOT NULL DEFAULT 0;",
)
SCHEMA_VERSION = len(MIGRATIONS)
# Every column the code reads or writes; a file at SCHEMA_VERSION without them is broken.
_SHAPE = (
    "SELECT id, at, day, kind, outcome, merged FROM prompts LIMIT 0",
    "SELECT day, active_seconds, longest_sitting_seconds, held_seconds FROM days LIMIT 0",
)
# Primary result codes that mean "this file is not a usable database", as opposed to
# locked, read-only, full or missing, which pass and must not cost the person their data.
WAL_PAGES = 16  # pages in the write-ahead log that start a checkpoint (64 KB at 4 KB a page)
WAL_LIMIT = 65536  # bytes the log is cut back to after a checkpoint
_BROKEN_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})


class BrokenDatabase(Exception):
    """The file is not a statistics database this version can use."""


class _CannotReplace(Exception):
    """A broken file that could not be renamed; the store records nothing until it can."""


@dataclass(frozen=True)
class Purged:
    """What ``purge`` removed."""

    prompts: int
    days: int
    broken_copies: tuple[Path, ...]


class StatsStore:
    """Records prompts and activity; every method logs and carries on instead of raising."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._identity: tuple[int, int] | None = None
        self._problem: str | None = None
        self._closed = False
        # The daemon may record from its scheduler thread and from control requests.
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: Path) -> StatsStore:
        """Open or create ``path``; a broken file is moved aside, a failure leaves ``problem``."""
        store = cls(path)
        with store._lock:
            store._ready()
        return store

    @property
    def problem(self) -> str | None:
        """Why recording fails now, e.g. ``"cannot write /x/stats.sqlite3: ..."``; None if fine."""
        return self._problem

    def prompt(self, at: datetime, kind: str, outcome: Outcome, merged: Sequence[str] = ()) -> None:
        """Record a prompt event; ``at`` is local time, and its date is the day it counts for."""
        if outcome not in OUTCOMES:
            log.error("not recording prompt %r: unknown outcome %r", kind, outcome)
            return
        stamp = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self._write(
            "INSERT INTO prompts (at, day, kind, outcome, merged) VALUES (?, ?, ?, ?, ?)",
            (stamp, at.date().isoformat(), kind, outcome, " ".join(merged)),
        )

    def active(self, day: date, seconds: float, sitting: float, held: float = 0.0) -> None:
        """Add ``seconds`` active (``held`` of them with prompts held) to ``day``, and keep its
        longest unbroken ``sitting`` stretch."""
        self._write(
            "INSERT INTO days (day, active_seconds, longest_sitting_seconds, held_seconds)"
            " VALUES (?, ?, ?, ?)"
            " ON CONFLICT (day) DO UPDATE SET"
            " active_seconds = active_seconds + excluded.active_seconds,"
            " longest_sitting_seconds ="
            " max(longest_sitting_seconds, excluded.longest_sitting_seconds),"
            " held_seconds = held_seconds + excluded.held_seconds",
            (day.isoformat(), _seconds(seconds), _seconds(sitting), _seconds(held)),
        )

    def close(self) -> None:
        """Close the file; later calls record nothing."""
        with self._lock:
            self._closed = True
            if self._conn is not None:
                # Empty the log on the way out, even while a report holds the file open (the
                # last close would leave it as it is then).
                try:
                    self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                except sqlite3.Error as exc:
                    log.debug("checkpoint of %s at close: %s", self.path, exc)
            self._disconnect()

    def _write(self, sql: str, parameters: tuple[object, ...]) -> None:
        with self._lock:
            if self._closed:
                return
            conn = self._ready()
            if conn is None:
                return
            try:
                conn.execute(sql, parameters)
            except sqlite3.Error as exc:
                self._disconnect()  # reconnect next time: a fresh start clears most I/O errors
                self._fail(f"cannot write {self.path}: {exc}")
            else:
                self._recovered()

    def _ready(self) -> sqlite3.Connection | None:
        """The open connection, (re)connecting when needed; None while recording fails."""
        refusal = self._refusal()
        if refusal is not None:
            self._fail(refusal)
            return None
        if self._conn is not None:
            return self._conn
        try:
            self._conn = self._connect_or_replace()
        except (sqlite3.Error, OSError) as exc:
            self._fail(f"cannot open {self.path}: {_reason(exc)}")
            return None
        except _CannotReplace as exc:
            self._fail(str(exc))
            return None
        self._recovered()
        return self._conn

    def _refusal(self) -> str | None:
        """Why not to write now, though SQLite might still manage through its open files."""
        # A directory or file made read-only while the daemon runs would otherwise only be
        # noticed at the next start; and a file deleted or replaced under us is reopened.
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            stat = None
        except OSError as exc:
            return f"cannot read {self.path}: {_reason(exc)}"
        identity = None if stat is None else (stat.st_dev, stat.st_ino)
        if self._conn is not None and identity != self._identity:
            log.info("%s was removed or replaced; reopening it", self.path)
            self._disconnect()
        directory = self.path.parent
        if directory.is_dir() and not os.access(directory, os.W_OK | os.X_OK):
            return f"cannot write {self.path}: the directory {directory} is read-only"
        if stat is not None and not os.access(self.path, os.W_OK):
            return f"cannot write {self.path}: the file is read-only"
        return None

    def _connect_or_replace(self) -> sqlite3.Connection:
        try:
            return self._connect()
        except BrokenDatabase as exc:
            reason = str(exc)
        except sqlite3.DatabaseError as exc:
            if exc.sqlite_errorcode & 0xFF not in _BROKEN_CODES:
                raise
            reason = str(exc)
        try:
            aside = move_aside(self.path)
        except OSError as exc:
            raise _CannotReplace(
                f"{self.path} is unusable ({reason}) and cannot be moved aside: {_reason(exc)}"
            ) from exc
        log.warning(
            "%s was unusable (%s); moved it to %s and started a new one", self.path, reason, aside
        )
        return self._connect()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Created here so it is owner-only from the start; SQLite gives -wal and -shm its mode.
        os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
        conn = connect(self.path, timeout=2.0)
        try:
            # Checked and migrated before WAL is turned on, which rewrites the header: a file
            # found unusable is moved aside exactly as it was.
            check = [row[0] for row in conn.execute("PRAGMA quick_check")]
            if check != ["ok"]:
                raise BrokenDatabase("quick_check: " + "; ".join(map(str, check[:3])))
            migrate(conn)
            conn.execute("PRAGMA journal_mode = WAL")
            # In WAL mode NORMAL keeps every committed transaction through a killed process
            # (the WAL write is in the OS by then); only power loss may drop the last few,
            # never corrupt. FULL would fsync each prompt for no gain against kill -9.
            conn.execute("PRAGMA synchronous = NORMAL")
            # A checkpoint after every few pages, and the log cut back to 64 KB after each: by
            # default it grows to 4 MB before the first one, 250 times the daemon's database.
            conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_PAGES}")
            conn.execute(f"PRAGMA journal_size_limit = {WAL_LIMIT}")
            conn.execute("PRAGMA cache_size = -512")
            stat = self.path.stat()
        except BaseException:
            conn.close()
            raise
        self._identity = (stat.st_dev, stat.st_ino)
        return conn

    def _disconnect(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except sqlite3.Error as exc:
                log.debug("closing %s: %s", self.path, exc)
            self._conn = None
            self._identity = None

    def _fail(self, problem: str) -> None:
        if problem != self._problem:
            log.warning("statistics are not recorded (%s); reminders continue", problem)
        self._problem = problem

    def _recovered(self) -> None:
        if self._problem is not None:
            log.info("statistics are recorded again in %s", self.path)
            self._problem = None


def connect(path: Path, *, timeout: float = 5.0, read_only: bool = False) -> sqlite3.Connection:
    """An autocommit connection to ``path`` (``read_only`` opens with ``mode=ro``)."""
    if not read_only:
        return sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
    uri = path.resolve().as_uri() + "?mode=ro"
    return sqlite3.connect(uri, timeout=timeout, isolation_level=None, uri=True)


def migrate(conn: sqlite3.Connection) -> None:
    """Bring ``conn`` to SCHEMA_VERSION; raise BrokenDatabase if it cannot be used."""
    version = schema_version(conn)
    if version > SCHEMA_VERSION:
        raise BrokenDatabase(
            f"schema version {version} is from a newer ergo-daemon (this one has {SCHEMA_VERSION})"
        )
    try:
        for number in range(version, SCHEMA_VERSION):
            # One transaction per step, so a crash leaves the file at a known version.
            step = MIGRATIONS[number]
            conn.executescript(
                f"BEGIN IMMEDIATE; {step}; PRAGMA user_version = {number + 1}; COMMIT;"
            )
        for query in _SHAPE:
            conn.execute(query)
    except sqlite3.OperationalError as exc:
        if conn.in_transaction:
            conn.rollback()
        if exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_ERROR:  # a table of another shape
            raise BrokenDatabase(f"unexpected schema: {exc}") from exc
        raise


def schema_version(conn: sqlite3.Connection) -> int:
    """The file's ``PRAGMA user_version``."""
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def move_aside(path: Path) -> Path:
    """Rename ``path`` (with its -wal and -shm) to ``<path>.broken-<UTC time>``."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}{BROKEN_INFIX}{stamp}")
    number = 1
    while aside.exists():
        number += 1
        aside = path.with_name(f"{path.name}{BROKEN_INFIX}{stamp}-{number}")
    path.rename(aside)
    # A stale WAL left next to a new file would be replayed into it.
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            companion.rename(aside.with_name(aside.name + suffix))
    return aside


def broken_copies(path: Path) -> list[Path]:
    """The files ``move_aside`` left next to ``path``."""
    return sorted(path.parent.glob(f"{path.name}{BROKEN_INFIX}*"))


def purge(path: Path) -> Purged:
    """Delete every recorded statistic in ``path`` and its broken copies; the file stays."""
    prompts = days = 0
    if path.exists():
        prompts, days = _delete_rows(path)
    removed: list[Path] = []
    for copy in broken_copies(path):
        copy.unlink()
        removed.append(copy)
    return Purged(prompts, days, tuple(removed))


def _delete_rows(path: Path) -> tuple[int, int]:
    conn = connect(path)
    try:
        version = schema_version(conn)
        if version == 0:
            return 0, 0
        if version > SCHEMA_VERSION:
            raise BrokenDatabase(f"schema version {version} is from a newer ergo-daemon")
        # Overwrite the freed pages too, so purged data cannot be read back from the file.
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("BEGIN IMMEDIATE")
        prompts = conn.execute("DELETE FROM prompts").rowcount
        days = conn.execute("DELETE FROM days").rowcount
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("VACUUM")
    finally:
        conn.close()
    return prompts, days


def _seconds(value: float) -> float:
    return value if math.isfinite(value) and value > 0 else 0.0


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror + (f": {exc.filename}" if exc.filename else "")
    return str(exc)
