"""Waiting for something another process or thread does, with a deadline."""

from __future__ import annotations

import time
from collections.abc import Callable

TIMEOUT = 5.0


def eventually(check: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
    """Return once ``check()`` holds; fail saying ``what`` did not happen within ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not {what} after {timeout} s")
        time.sleep(0.02)
