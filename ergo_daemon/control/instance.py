"""One daemon per user session: an exclusive lock the OS releases when the process dies."""

from __future__ import annotations

import os
from pathlib import Path

from ergo_daemon.control.endpoint import Endpoint


class AlreadyRunning(Exception):
    """Another daemon holds the lock (its pid, when it wrote one)."""

    def __init__(self, pid: int | None) -> None:
        self.pid = pid
        super().__init__(f"ergo-daemon is already running (pid {pid or 'unknown'})")


class InstanceLock:
    """Held from ``acquire()`` until the process ends or ``release()``; never left stale."""

    def __init__(self, endpoint: Endpoint) -> None:
        self._endpoint = endpoint
        self._fd: int | None = None

    def acquire(self) -> None:
        path = self._endpoint.lock_file
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            self._endpoint.lock(fd)
        except OSError:
            os.close(fd)
            raise AlreadyRunning(_read_pid(path)) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
