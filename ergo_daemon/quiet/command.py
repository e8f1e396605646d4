"""Run a small probe program with a timeout: the seam the command-based signals share."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Sequence

from ergo_daemon.ports import QuietError

Run = Callable[[Sequence[str]], str]
TIMEOUT = 2.0  # seconds: a probe runs at a decision point, and must never stall the daemon


def run(argv: Sequence[str]) -> str:
    """The standard output of ``argv``; QuietError when it is missing, fails or hangs."""
    try:
        done = subprocess.run(
            list(argv), capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise QuietError(f"{argv[0]}: {exc}") from exc
    if done.returncode != 0:
        why = done.stderr.strip().splitlines()[-1:] or [f"exit status {done.returncode}"]
        raise QuietError(f"{' '.join(argv)}: {why[0]}")
    return done.stdout
