"""Linux processes as /proc shows them: who holds a device open, which programs run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

PROC = Path("/proc")


def _pids(proc: Path) -> Iterator[Path]:
    try:
        entries = list(os.scandir(proc))
    except OSError:
        return
    for entry in entries:
        if entry.name.isdigit():
            yield Path(entry.path)


def program(pid_dir: Path) -> str:
    """The program name of one process (``comm``; empty when it just ended)."""
    try:
        return (pid_dir / "comm").read_text().strip()
    except OSError:
        return ""


def holders(prefix: str, proc: Path = PROC) -> list[str]:
    """Programs with a file open whose path starts with ``prefix`` (e.g. ``/dev/video``).

    Only processes this user may look into are seen, which are the ones that matter.
    """
    found: list[str] = []
    own = os.getpid()
    for pid_dir in _pids(proc):
        if pid_dir.name == str(own):
            continue
        try:
            fds = list(os.scandir(pid_dir / "fd"))
        except OSError:  # another user's process, or it just ended
            continue
        for fd in fds:
            try:
                target = str(Path(fd.path).readlink())
            except OSError:
                continue
            if target.startswith(prefix):
                found.append(program(pid_dir) or pid_dir.name)
                break
    return found


def programs(proc: Path = PROC) -> Iterator[str]:
    """The running programs: ``comm`` (cut at 15 characters) and the file each one runs."""
    for pid_dir in _pids(proc):
        yield program(pid_dir)
        try:
            argv0 = (pid_dir / "cmdline").read_bytes().split(b"\0", 1)[0]
        except OSError:
            continue
        if argv0:
            yield Path(argv0.decode(errors="replace")).name
