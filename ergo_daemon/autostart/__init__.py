"""Start the daemon at login: the port, what ``status`` reports, and the command a login runs.

The adapters (one module per mechanism) are picked by ``ergo_daemon.backends.autostart``.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol


class AutostartError(Exception):
    """Autostart could not be changed; the message says why and what to do instead."""


@dataclass(frozen=True)
class Entry:
    """One installed start-at-login item, e.g. an XDG entry that runs ``/usr/bin/python3``.

    ``Entry("XDG autostart entry", "/home/a/.config/autostart/ergo-daemon.desktop",
    enabled=True, state="enabled", command=("/usr/bin/python3", "-m", "ergo_daemon", "run"),
    program_exists=True)``
    """

    kind: str
    where: str
    enabled: bool
    state: str
    command: tuple[str, ...]
    program_exists: bool
    problem: str = ""  # why it cannot work although the program exists, e.g. others cannot run it

    def describe(self) -> str:
        """``XDG autostart entry /h/.config/autostart/ergo-daemon.desktop: enabled`` + command."""
        program = self.command[0] if self.command else ""
        if not program:
            runs = "runs nothing (no command)"
        elif not self.program_exists:
            runs = f"runs {' '.join(self.command)}, but {program} does not exist"
        elif self.problem:
            runs = f"runs {' '.join(self.command)}, but {self.problem}"
        else:
            runs = f"runs {' '.join(self.command)}"
        return f"{self.kind} {self.where}: {self.state}\n  {runs}"


@dataclass(frozen=True)
class Installed:
    """Everything installed for one scope (user or system); no entries: nothing installed.

    ``Installed(scope="user", entries=())`` is "not enabled"; ``ok`` is what the exit status shows.
    """

    scope: str
    entries: tuple[Entry, ...]
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Installed, every entry enabled, and every program they run exists."""
        return bool(self.entries) and all(
            e.enabled and e.program_exists and not e.problem for e in self.entries
        )

    def describe(self) -> str:
        """The lines ``ergo-daemon autostart status`` prints."""
        if not self.entries:
            head = f"Autostart ({self.scope}): not enabled, nothing installed."
        elif self.ok:
            head = f"Autostart ({self.scope}): enabled."
        elif not any(e.enabled for e in self.entries):
            head = f"Autostart ({self.scope}): disabled."
        else:
            head = f"Autostart ({self.scope}): NOT working, see below."
        return "\n".join([head, *(e.describe() for e in self.entries), *self.notes])


class Autostart(Protocol):
    """Installs, removes and reports the item that starts ``ergo-daemon run`` at login.

    ``system``: for every user of the machine (needs root or an administrator);
    ``systemd``: on Linux, a ``systemd --user`` unit as well as the XDG entry.
    ``enable`` and ``disable`` return what they did, raise AutostartError when they cannot,
    and may be repeated: enabling twice leaves one entry, disabling nothing is no error.
    """

    name: str

    def enable(self, *, system: bool, systemd: bool) -> str: ...

    def disable(self, *, system: bool, systemd: bool) -> str: ...

    def status(self, *, system: bool, systemd: bool) -> Installed: ...


def launch_command(executable: str) -> tuple[str, ...]:
    """This interpreter, absolute, running the daemon in the foreground.

    ``launch_command("/home/a/.venv/bin/python")`` is
    ``("/home/a/.venv/bin/python", "-m", "ergo_daemon", "run")``. Symlinks stay as they are:
    a venv's ``bin/python`` is a link, and following it would leave the venv.
    """
    if not executable:
        raise AutostartError("cannot tell which Python is running (sys.executable is empty)")
    return (str(Path(executable).absolute()), "-m", "ergo_daemon", "run")


def program_exists(program: str) -> bool:
    """Whether ``program`` is a file this user may run."""
    return bool(program) and Path(program).is_file() and os.access(program, os.X_OK)


def package_dir() -> Path:
    """The folder of the installed ``ergo_daemon`` package, which ``-m ergo_daemon`` reads."""
    return Path(__file__).resolve().parents[1]


def hidden_from_others(program: Path, package: Path | None = None) -> str | None:
    """Why other users could not run ``program`` (and read ``package``); None when they can.

    ``hidden_from_others(Path("/root/.venv/bin/python"))`` is ``"/root is closed to other
    users (mode 700)"``. Both the path as written and the file a symlink leads to count: a
    venv's ``bin/python`` links to an interpreter that may sit in a private home.
    """
    checks = [(program, stat.S_IXOTH)]
    if package is not None:
        checks += [(package, stat.S_IROTH | stat.S_IXOTH), (package / "__main__.py", stat.S_IROTH)]
    try:
        for path, needed in checks:
            for candidate in dict.fromkeys([Path(path).absolute(), Path(path).resolve()]):
                for folder in reversed(candidate.parents):
                    if not folder.stat().st_mode & stat.S_IXOTH:
                        return f"{folder} is closed to other users (mode {_mode(folder)})"
                if candidate.stat().st_mode & needed != needed:
                    what = "run" if needed == stat.S_IXOTH else "read"
                    return f"other users may not {what} {candidate} (mode {_mode(candidate)})"
    except OSError as exc:
        return f"cannot check {exc.filename}: {exc.strerror or exc}"
    return None


def _mode(path: Path) -> str:
    return f"{path.stat().st_mode & 0o777:o}"


SharedCheck = Callable[[Path, "Path | None"], "str | None"]


def require_shared(check: SharedCheck, command: tuple[str, ...]) -> None:
    """Refuse a machine-wide entry that other users could not start: it would fail at login."""
    why = check(Path(command[0]), package_dir())
    if why is not None:
        raise AutostartError(
            f"--system would start {command[0]} for every user, but {why}. Install "
            "ergo-daemon where every user can run it (e.g. a venv made with "
            "'python3 -m venv /opt/ergo-daemon'), then run enable from there: "
            "/opt/ergo-daemon/bin/python -m ergo_daemon autostart enable --system"
        )


def require_admin(is_admin: bool, where: Path | str, how: str) -> None:
    """Refuse a system-wide change without the rights to make it; ``how`` says how to get them."""
    if not is_admin:
        raise AutostartError(f"--system writes {where}, which needs {how}")


def is_root() -> bool:
    """Whether this process runs as root (POSIX)."""
    return os.geteuid() == 0


def write_file(path: Path, data: bytes, *, private_dirs: bool) -> bool:
    """Replace ``path`` atomically with ``data`` (mode 0644); False when it already held it.

    Missing directories are created 0700 (``private_dirs``, for a home) or 0755.
    """
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise AutostartError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700 if private_dirs else 0o755)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            Path(tmp).chmod(0o644)
            Path(tmp).replace(path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise AutostartError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return True


def remove_file(path: Path) -> bool:
    """Delete ``path``; False when it was not there."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise AutostartError(f"cannot remove {path}: {exc.strerror or exc}") from exc
    return True


def for_everyone(check: SharedCheck, entries: Sequence[Entry]) -> tuple[Entry, ...]:
    """Machine-wide entries, each marked when other users could not run its program."""
    marked = []
    for entry in entries:
        why = check(Path(entry.command[0]), None) if entry.program_exists else None
        marked.append(
            replace(entry, problem=f"other users cannot start it: {why}") if why else entry
        )
    return tuple(marked)
