"""Where the control channel lives on this machine, and the OS-specific guards around it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from multiprocessing.connection import Connection


class Foreign(Exception):
    """The other end of a connection is not this user."""


@dataclass(frozen=True)
class Endpoint:
    """``address`` in ``family`` (a Unix socket or a named pipe), plus an owner-only ``folder``.

    ``vet`` checks a fresh connection (peer user, read timeouts) and raises Foreign or OSError;
    ``lock`` takes an exclusive, non-blocking lock on an open file or raises OSError.
    """

    address: str
    family: str
    folder: Path
    vet: Callable[[Connection, float], None]
    lock: Callable[[int], None]

    @property
    def key_file(self) -> Path:
        return self.folder / "control.key"

    @property
    def lock_file(self) -> Path:
        return self.folder / "daemon.lock"
