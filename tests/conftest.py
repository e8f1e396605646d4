"""Shared fixtures: a real desktop session, and the real daemon run as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from support.desktop import desktop, stop_gracefully

__all__ = ["DaemonProcess", "desktop", "start_daemon"]

READY_TIMEOUT = 10.0


@dataclass
class DaemonProcess:
    """``ergo-daemon run`` in a subprocess, its stderr in a file."""

    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for_log(self, text: str, timeout: float = READY_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.log():
            if self.process.poll() is not None:
                raise AssertionError(f"daemon exited ({self.process.returncode}):\n{self.log()}")
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"no {text!r} in the daemon log after {timeout} s:\n{self.log()}"
                )
            time.sleep(0.05)

    def stop(self) -> int:
        return stop_gracefully(self.process)


@pytest.fixture
def start_daemon(tmp_path: Path) -> Iterator[object]:
    """``start_daemon(env, *args)`` runs the daemon and waits for its ready line."""
    started: list[DaemonProcess] = []

    def start(env: dict[str, str], *args: str) -> DaemonProcess:
        log_path = tmp_path / f"daemon-{len(started)}.log"
        with log_path.open("wb") as sink:
            process = subprocess.Popen(
                [sys.executable, "-m", "ergo_daemon", "run", *args],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=sink,
                cwd=os.fspath(Path(__file__).parents[1]),
            )
        daemon = DaemonProcess(process, log_path)
        started.append(daemon)
        daemon.wait_for_log(" ready ")
        return daemon

    yield start
    for daemon in started:
        daemon.stop()
