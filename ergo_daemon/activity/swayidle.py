"""Wayland idle, lock and sleep from a ``swayidle`` child process that prints each event."""

from __future__ import annotations

import collections
import logging
import math
import os
import re
import subprocess
import threading
import time
from collections.abc import Callable, Mapping

from ergo_daemon.activity.idle_events import IdleSince
from ergo_daemon.paths import APP
from ergo_daemon.ports import ActivityError

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = (
    5  # seconds, the shortest break a person can configure; swayidle takes whole seconds
)
STOP_TIMEOUT = 2.0
TAG = f"{APP}:"
# swayidle event -> the word its command prints. lock/unlock and before-sleep/after-resume come
# from logind (swayidle built with systemd support, as Debian's is); without it they never fire.
EVENTS = {
    "resume": "active",
    "lock": "locked",
    "unlock": "unlocked",
    "before-sleep": "sleeping",
    "after-resume": "awake",
}


# "2024-05-01 10:00:00 - [Line 1096] Unable to connect ..." -> "Unable to connect ..."
_LOG_PREFIX = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d - (\[Line \d+\] )?")


def swayidle_argv(program: str, timeout: int) -> list[str]:
    """The command line: ``[program, "-w", "-C", "/dev/null", "timeout", "5", ...]``.

    ``-C /dev/null`` keeps the person's own swayidle config (which may lock the screen or turn
    it off) from running a second time; ``-w`` runs each command to its end, so lines keep
    their order.
    """
    argv = [program, "-w", "-C", os.devnull, "timeout", str(timeout), f"echo {TAG}idle"]
    for event, word in EVENTS.items():
        argv += [event, f"echo {TAG}{word}"]
    return argv


class SwayIdle(IdleSince):
    """Idle time, logind lock and imminent sleep, from ``swayidle`` run as a child.

    Idle is not known yet for the first ``timeout`` whole seconds, then reads 0 until that long
    passes without input, then counts on from there.
    ``environ`` is the child's environment (it needs the Wayland display), e.g.
    ``SwayIdle(os.environ, timeout=5)``.
    """

    name = "swayidle"
    tells_lock = True  # logind's lock and unlock, which swayidle passes on
    tells_sleep = True  # and its before-sleep

    def __init__(
        self,
        environ: Mapping[str, str] | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        program: str = "swayidle",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        seconds = max(1, math.ceil(timeout))
        super().__init__(seconds, clock)
        self._said: collections.deque[str] = collections.deque(maxlen=3)
        try:
            self._process = subprocess.Popen(
                swayidle_argv(program, seconds),
                env=None if environ is None else dict(environ),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,  # its complaints explain why it stopped
                text=True,
                bufsize=1,
            )
        except OSError as exc:
            raise ActivityError(f"cannot run {program}: {exc} (install swayidle)") from exc
        self.name = f"swayidle (after {seconds} s)"
        self._thread = threading.Thread(target=self._listen, name="swayidle", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._closing = True
        process = self._process
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._thread.join(timeout=STOP_TIMEOUT)
        if process.stdout is not None:
            process.stdout.close()
        self._closed()

    def _listen(self) -> None:
        """The reader thread: one line per event until the child's output ends."""
        stdout = self._process.stdout
        assert stdout is not None
        for line in stdout:
            text = line.strip()
            if text.startswith(TAG):
                self._event(text.removeprefix(TAG))
            elif text:
                log.debug("swayidle: %s", text)
                self._said.append(text)
        status = self._process.wait()
        said = f"; it said: {_plain(self._said[-1])}" if self._said else ""
        self._fail(f"swayidle stopped (exit status {status}){said}")

    def _event(self, word: str) -> None:
        with self._lock:
            if word in ("idle", "active"):
                self._set_idle(word == "idle")
            elif word in ("locked", "unlocked"):
                self._locked = word == "locked"
            elif word in ("sleeping", "awake"):
                self._sleeping = word == "sleeping"
        self._notify()


def _plain(line: str) -> str:
    """A swayidle log line without its time stamp and source line."""
    return _LOG_PREFIX.sub("", line)
