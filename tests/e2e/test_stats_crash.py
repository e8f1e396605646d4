"""``kill -9`` during heavy statistics writes loses at most the event in flight."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from support.cli import ROOT

# Alternates prompts and one-second activity, printing the running count after each write
# returns (that is, after its commit).
_WRITER = """
import sys
from datetime import date, datetime, timezone
from pathlib import Path
from ergo_daemon.stats import StatsStore

store = StatsStore.open(Path(sys.argv[1]))
count = 0
while True:
    if count % 2:
        store.active(date(2026, 3, 2), 1.0, float(count))
    else:
        store.prompt(datetime.now(timezone.utc), "break", "shown", ("eyes",))
    if store.problem:
        sys.exit(f"problem: {store.problem}")
    count += 1
    print(count, flush=True)
"""


def events(path: Path) -> int:
    """Committed writes: one per prompt row, one per second of activity."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        prompts = conn.execute("SELECT count(*) FROM prompts").fetchone()[0]
        seconds = conn.execute("SELECT coalesce(sum(active_seconds), 0) FROM days").fetchone()[0]
    finally:
        conn.close()
    return int(prompts) + int(seconds)


def write_then_kill(path: Path, after: int) -> int:
    """Run the writer until it has reported ``after`` writes, SIGKILL it; its last report."""
    writer = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert writer.stdout is not None
    last = 0
    try:
        for line in writer.stdout:
            last = int(line)
            if last >= after:
                os.kill(writer.pid, signal.SIGKILL)
                break
        # Reports printed before the kill landed are still in the pipe.
        for line in writer.stdout:
            last = int(line)
    finally:
        writer.kill()
        writer.wait(timeout=10)
    assert writer.returncode == -signal.SIGKILL, writer.stderr.read() if writer.stderr else ""
    return last


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_kill_9_mid_write_keeps_every_reported_write_and_a_sound_file(tmp_path: Path) -> None:
    path = tmp_path / "stats.sqlite3"
    stored = 0
    # Enough writes to cross the WAL auto-checkpoint (1000 pages), so some kills may land
    # mid-checkpoint; each round also recovers the WAL the previous one left behind.
    for after in (1500, 700, 2600):
        reported = write_then_kill(path, after)
        now = events(path)
        assert reported >= after
        assert now - stored in (reported, reported + 1)  # + the write in flight, if committed
        stored = now
