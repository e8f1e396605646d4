"""The real daemon, stopped by SIGTERM at the most awkward moments of its start, exits 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.desktop import Desktop

# The signal is raised inside the daemon at a chosen moment (so the test is not a race of its
# own): signal.raise_signal runs the daemon's handler before it returns, as a SIGTERM from a
# service manager landing in that very instant would.
STOP_AT = """
import signal, sys
from ergo_daemon import {module}
original = {module}.{name}
def stopped_first(*args, **kwargs):
    signal.raise_signal(signal.SIGTERM)
    return original(*args, **kwargs)
{module}.{name} = stopped_first
from ergo_daemon.cli import main
sys.exit(main(["run", *sys.argv[1:]]))
"""
WORK_ALWAYS = '[work_hours]\ndays = "mon-sun"\nhours = ["00:00-24:00"]\n'


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("wakeup", "Wakeups.run"),  # after "ready", before the scheduler started
        ("app", "build"),  # while the daemon is being built
    ],
    ids=["before-the-scheduler-runs", "while-building"],
)
def test_a_stop_during_the_start_ends_the_daemon_cleanly(
    desktop: Desktop, tmp_path: Path, module: str, name: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(WORK_ALWAYS)
    log = tmp_path / "daemon.log"
    with log.open("wb") as sink:
        done = subprocess.run(
            [sys.executable, "-c", STOP_AT.format(module=module, name=name), "--config", config],
            env=desktop.env,
            stdout=subprocess.DEVNULL,
            stderr=sink,
            cwd=os.fspath(Path(__file__).parents[2]),
            timeout=30,
            check=False,
        )
    text = log.read_text(errors="replace")
    assert done.returncode == 0, text
    assert "Traceback" not in text
    assert text.rstrip().endswith("stopped"), text
    runtime = Path(desktop.env["XDG_RUNTIME_DIR"]) / "ergo-daemon"
    assert not (runtime / "control.sock").exists(), "the control server was closed"
