"""Windows: a named pipe per user; the key file in the user's local app data; msvcrt locks."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING

from ergo_daemon import paths
from ergo_daemon.control.endpoint import Endpoint

if TYPE_CHECKING:
    from multiprocessing.connection import Connection


def endpoint(runtime_dir: Path) -> Endpoint:
    """``\\\\.\\pipe\\ergo-daemon-USER``; the pipe's default ACL and the key keep others out.

    Pipe names are machine-wide, but the authentication runs both ways, so a process that
    took the name first learns nothing and cannot answer.
    """
    runtime_dir.mkdir(parents=True, exist_ok=True)
    address = rf"\\.\pipe\{paths.APP}-{getpass.getuser()}"
    return Endpoint(address, "AF_PIPE", runtime_dir, vet, lock)


def vet(conn: Connection, timeout: float) -> None:
    """Pipes have no per-read timeout here; each client is served by its own short thread."""


def lock(fd: int) -> None:
    import msvcrt

    msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined,unused-ignore]
