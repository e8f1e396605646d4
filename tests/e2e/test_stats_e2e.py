"""``ergo-daemon report|stats`` in a subprocess, and read-only state directories, on real SQLite."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from support.cli import ROOT, ergo
from support.stats_db import fill, posix_only, rows

from ergo_daemon.stats import StatsStore


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "state" / "stats.sqlite3"


_READ_ONLY_SCENARIO = """
import json, logging, sys
from datetime import date, datetime, timezone
from pathlib import Path
from ergo_daemon.stats import StatsStore

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
path = Path(sys.argv[1])
now = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
seen = {}
store = StatsStore.open(path)
seen["start"] = store.problem
store.prompt(now, "eyes", "shown")
path.parent.chmod(0o500)
for _ in range(3):
    store.prompt(now, "break", "shown")
    store.active(date(2026, 3, 2), 60, 60)
seen["read_only"] = store.problem
path.parent.chmod(0o700)
store.prompt(now, "stretch", "shown")
seen["writable"] = store.problem
store.close()
path.parent.chmod(0o500)
late = StatsStore.open(path.parent / "new" / "stats.sqlite3")
late.prompt(now, "eyes", "shown")
seen["cannot_create"] = late.problem
path.parent.chmod(0o700)
print(json.dumps(seen))
"""


def run_without_override(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", script, *args]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("root, and no setpriv (util-linux) to drop the override capabilities")
        command = [setpriv, "--bounding-set=-dac_override,-dac_read_search", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=30, cwd=ROOT)


@posix_only
def test_a_read_only_directory_sets_problem_warns_once_and_recovers(db: Path) -> None:
    result = run_without_override(_READ_ONLY_SCENARIO, str(db))
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["start"] is None
    assert seen["read_only"] == f"cannot write {db}: the directory {db.parent} is read-only"
    assert seen["writable"] is None
    assert seen["cannot_create"].startswith(f"cannot open {db.parent}/new/stats.sqlite3: ")
    warnings = [line for line in result.stderr.splitlines() if line.startswith("WARNING")]
    assert warnings == [
        f"WARNING statistics are not recorded ({seen['read_only']}); reminders continue",
        f"WARNING statistics are not recorded ({seen['cannot_create']}); reminders continue",
    ]
    assert "statistics are recorded again" in result.stderr
    assert rows(db, "SELECT kind FROM prompts ORDER BY id") == [("eyes",), ("stretch",)]
    assert rows(db, "SELECT count(*) FROM days") == [(0,)]


@posix_only
def test_a_report_reads_a_read_only_directory(db: Path) -> None:
    fill(db)
    script = (
        "import sys; from pathlib import Path; from datetime import date\n"
        "from ergo_daemon.stats.report import read_report\n"
        "Path(sys.argv[1]).parent.chmod(0o500)\n"
        "print(read_report(Path(sys.argv[1]), last=date(2026, 3, 4), days=3).rows[0].glasses)\n"
        "Path(sys.argv[1]).parent.chmod(0o700)\n"
    )
    for leftover in db.parent.glob("stats.sqlite3-*"):
        leftover.unlink()  # as after the daemon's last close: no -shm the reader could use
    result = run_without_override(script, str(db))
    assert (result.returncode, result.stdout) == (0, "1\n"), result.stderr


def test_report_export_and_purge_as_commands(db: Path, tmp_path: Path) -> None:
    store = StatsStore.open(db)
    today = date.today()
    store.active(today, 5400, 2400)
    store.prompt(datetime.now().astimezone(), "break", "shown")
    store.close()
    report = ergo("report", "--days", "2", "--db", str(db))
    assert report.returncode == 0, report.stderr
    assert f"{today:%a %m-%d}   1h30m              40m     0/1" in report.stdout
    page = tmp_path / "report.html"
    written = ergo("report", "--html", str(page), "--db", str(db))
    assert (written.returncode, written.stdout) == (0, f"wrote {page}\n"), written.stderr
    assert "<svg" in page.read_text(encoding="utf-8")
    exported = ergo("stats", "export", "--csv", "-", "--db", str(db))
    assert exported.stdout.splitlines()[1].startswith(f"day,{today},,,,,5400,2400")
    purged = ergo("stats", "purge", "--yes", "--db", str(db))
    assert purged.stdout.startswith("Deleted 1 prompt event and 1 day of activity"), purged
    again = ergo("report", "--db", str(db))
    assert again.stdout.startswith("No statistics yet"), again.stderr
