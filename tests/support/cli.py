"""The command line run as a person runs it: ``python -m ergo_daemon`` in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parents[2]  # the project folder


def cli(
    env: dict[str, str], *args: str, cwd: str | Path | None = None, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    """``ergo-daemon ARGS`` with exactly ``env``, e.g. a desktop session's."""
    return subprocess.run(
        [sys.executable, "-m", "ergo_daemon", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
    )


def status(env: dict[str, str]) -> dict[str, Any]:
    """``ergo-daemon status --json`` of the daemon running in ``env``."""
    done = cli(env, "status", "--json")
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def ergo(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``ergo-daemon ARGS`` from the project folder, in this environment without ``ERGO_*``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ERGO_")}
    return cli({**clean, **(env or {})}, *args, cwd=ROOT)
