"""Importing the paths module in a fresh interpreter computes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_importing_it_computes_nothing() -> None:
    code = "import sys, ergo_daemon.paths; print('platformdirs' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=os.fspath(Path(__file__).parents[2]),
    )
    assert done.stdout.strip() == "False"
