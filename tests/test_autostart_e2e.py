"""``autostart enable`` for real, then the entry started as a desktop session starts it."""

from __future__ import annotations

import shlex
import subprocess
import sys
import time
from pathlib import Path

from support.cli import cli
from support.desktop import Desktop

READY_TIMEOUT = 10.0


def ergo(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return cli(env, *args, cwd=env["HOME"])


def exec_line(entry: Path) -> str:
    lines = [line for line in entry.read_text().splitlines() if line.startswith("Exec=")]
    assert len(lines) == 1, entry.read_text()
    return lines[0].removeprefix("Exec=")


def wait_for_ready(process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while "ready" not in log.read_text(errors="replace"):
        if process.poll() is not None:
            raise AssertionError(f"exited ({process.returncode}):\n{log.read_text()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"no 'ready' after {READY_TIMEOUT} s:\n{log.read_text()}")
        time.sleep(0.05)


def test_the_enabled_entry_starts_the_daemon(desktop: Desktop, tmp_path: Path) -> None:
    env = desktop.env
    enabled = ergo(env, "autostart", "enable")
    assert enabled.returncode == 0, enabled.stderr
    entry = Path(env["XDG_CONFIG_HOME"]) / "autostart" / "ergo-daemon.desktop"
    assert f"Enabled: {entry} starts " in enabled.stdout
    assert ergo(env, "autostart", "enable").stdout.startswith("Already enabled")

    argv = shlex.split(exec_line(entry))
    assert argv == [str(Path(sys.executable).absolute()), "-m", "ergo_daemon", "run"]
    log = tmp_path / "login-started.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(  # as a session starts it: from $HOME, no terminal
            argv,
            env=env,
            cwd=env["HOME"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )
    try:
        wait_for_ready(process, log)
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode in (0, -15), log.read_text()

    status = ergo(env, "autostart", "status")
    assert status.returncode == 0 and status.stdout.startswith("Autostart (this user): enabled.")
    assert ergo(env, "autostart", "disable").returncode == 0
    assert "Hidden=true" in entry.read_text().splitlines()
    disabled = ergo(env, "autostart", "status")
    assert disabled.returncode == 1 and "disabled (Hidden=true)" in disabled.stdout
    assert [p.name for p in entry.parent.iterdir()] == ["ergo-daemon.desktop"]
