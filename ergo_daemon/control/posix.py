"""Linux and macOS: a Unix socket in an owner-only folder, peer user checked, flock."""

from __future__ import annotations

import os
import socket
import struct
from pathlib import Path
from typing import TYPE_CHECKING

from ergo_daemon import paths
from ergo_daemon.control.endpoint import Endpoint, Foreign

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

SOCKET_NAME = "control.sock"
MAX_SOCKET_PATH = 100  # sun_path holds 104 (macOS) to 108 (Linux) bytes


def endpoint(runtime_dir: Path) -> Endpoint:
    """``control.sock`` in ``runtime_dir``, or in a private /tmp folder if that is too long."""
    folder = runtime_dir
    if len(os.fsencode(folder / SOCKET_NAME)) > MAX_SOCKET_PATH:
        folder = paths.short_runtime_dir(os.getuid())
    secure_folder(folder)
    return Endpoint(str(folder / SOCKET_NAME), "AF_UNIX", folder, vet, lock)


def secure_folder(folder: Path) -> None:
    """Create ``folder`` as 0700, or refuse one that another user owns."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = folder.lstat()
    if info.st_uid != os.getuid() or not folder.is_dir() or folder.is_symlink():
        raise PermissionError(f"{folder} is not a folder owned by this user")
    if info.st_mode & 0o077:
        folder.chmod(0o700)


def vet(conn: Connection, timeout: float) -> None:
    """Time out every read and write after ``timeout``; refuse another user's process."""
    with socket.socket(fileno=os.dup(conn.fileno())) as sock:
        timeval = struct.pack("ll", int(timeout), int(timeout % 1 * 1e6))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, timeval)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, timeval)
        uid = peer_uid(sock)
    if uid is not None and uid != os.getuid():
        raise Foreign(f"a process of user {uid} tried the control channel")


def peer_uid(sock: socket.socket) -> int | None:
    """The connecting process's user: SO_PEERCRED (Linux), LOCAL_PEERCRED (macOS, BSD)."""
    if hasattr(socket, "SO_PEERCRED"):
        ucred = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        return int(struct.unpack("3i", ucred)[1])
    local_peercred = getattr(socket, "LOCAL_PEERCRED", None)
    if local_peercred is not None:  # struct xucred { u_int version; uid_t uid; ... }
        xucred = sock.getsockopt(0, local_peercred, struct.calcsize("Ii h 16i"))
        return int(struct.unpack_from("Ii", xucred)[1])
    return None


def lock(fd: int) -> None:
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
