"""Waiting for something another process or thread does, with a deadline."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

TIMEOUT = 5.0


def eventually(check: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
    """Return once ``check()`` holds; fail saying ``what`` did not happen within ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not {what} after {timeout} s")
        time.sleep(0.02)


@contextmanager
def repeating(
    action: Callable[[], object], every: float, *, name: str, errors: bool = True
) -> Iterator[None]:
    """Call ``action`` at once and then every ``every`` seconds, on a thread, for the block.

    An action that raises stops repeating; with ``errors`` its exception is raised when the
    block exits, so a test cannot pass on input that never happened.
    """
    stop = threading.Event()
    failed: list[BaseException] = []

    def run() -> None:
        try:
            while True:
                action()
                if stop.wait(every):
                    return
        except BaseException as exc:  # reported when the block exits
            failed.append(exc)

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)
    if failed and errors:
        raise failed[0]
