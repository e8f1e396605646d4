"""Every activity module imports in a fresh interpreter without side effects."""

from __future__ import annotations

import subprocess
import sys

MODULES = ("macos", "windows", "wayland", "swayidle", "x11", "null")


def test_every_activity_module_imports_here_without_side_effects() -> None:
    modules = ", ".join(f"ergo_daemon.activity.{m}" for m in MODULES)
    code = (
        f"import threading, ctypes; import {modules}; "
        "assert threading.active_count() == 1, threading.enumerate()"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=30)
