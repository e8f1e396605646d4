"""macOS: a LaunchAgent plist in ``~/Library/LaunchAgents`` (``/Library/LaunchAgents`` for all).

launchd reads it at the next login; ``enable`` does not start a second daemon now.
"""

from __future__ import annotations

import plistlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ergo_daemon.autostart import (
    AutostartError,
    Entry,
    Installed,
    SharedCheck,
    for_everyone,
    hidden_from_others,
    launch_command,
    program_exists,
    remove_file,
    require_admin,
    require_shared,
    write_file,
)
from ergo_daemon.paths import APP

LABEL = f"org.{APP}.agent"
SYSTEM_DIR = Path("/Library/LaunchAgents")


def agent_plist(command: Sequence[str]) -> dict[str, Any]:
    """The LaunchAgent: at login, in the GUI session, restarted only if it fails.

    ``agent_plist(["/usr/bin/python3", "-m", "ergo_daemon", "run"])["RunAtLoad"]`` is True.
    """
    return {
        "Label": LABEL,
        "ProgramArguments": list(command),
        "RunAtLoad": True,
        "KeepAlive": {"SuccessfulExit": False},
        "LimitLoadToSessionType": "Aqua",
        "ProcessType": "Interactive",
    }


class LaunchdAutostart:
    """The LaunchAgent adapter, e.g. ``LaunchdAutostart(Path.home(), sys.executable, is_root)``."""

    name = "launchd LaunchAgent"

    def __init__(
        self,
        home: Path,
        executable: str,
        is_admin: Callable[[], bool],
        system_dir: Path = SYSTEM_DIR,
        shared: SharedCheck = hidden_from_others,
    ) -> None:
        self._shared = shared  # can other users run it? (for --system)
        self._home = home
        self._executable = executable
        self._is_admin = is_admin
        self._system_dir = system_dir

    def path(self, system: bool) -> Path:
        """Where the plist goes."""
        directory = self._system_dir if system else self._home / "Library" / "LaunchAgents"
        return directory / f"{LABEL}.plist"

    def enable(self, *, system: bool, systemd: bool) -> str:
        path = self._checked(system, systemd)
        command = launch_command(self._executable)
        if system:
            require_shared(self._shared, command)
        data = plistlib.dumps(agent_plist(command))
        if not write_file(path, data, private_dirs=False):
            return f"Already enabled (unchanged): {path}."
        return (
            f"Enabled: {path} starts {' '.join(command)} at login.\n"
            f"To start it now as well: launchctl bootstrap gui/$(id -u) {path}"
        )

    def disable(self, *, system: bool, systemd: bool) -> str:
        path = self._checked(system, systemd)
        if not remove_file(path):
            return f"Not enabled: there is no {path}; nothing to do."
        return (
            f"Disabled: removed {path}.\n"
            f"A daemon it started keeps running until logout, or: "
            f"launchctl bootout gui/$(id -u)/{LABEL}"
        )

    def status(self, *, system: bool, systemd: bool) -> Installed:
        path = self.path(system)
        scope = "system-wide" if system else "this user"
        if not path.exists():
            return Installed(scope=scope, entries=())
        kind = "LaunchAgent"
        try:
            agent = plistlib.loads(path.read_bytes())
        except (OSError, plistlib.InvalidFileException, ValueError) as exc:
            return Installed(
                scope, (Entry(kind, str(path), False, f"unreadable ({exc})", (), False),)
            )
        raw = agent.get("ProgramArguments") if isinstance(agent, dict) else None
        command = tuple(str(a) for a in raw) if isinstance(raw, list) else ()
        if isinstance(agent, dict) and agent.get("Disabled") is True:
            enabled, state = False, "disabled (Disabled=true)"
        else:
            enabled, state = True, "enabled (RunAtLoad)"
        exists = bool(command) and program_exists(command[0])
        entries = (Entry(kind, str(path), enabled, state, command, exists),)
        return Installed(scope, for_everyone(self._shared, entries) if system else entries)

    def _checked(self, system: bool, systemd: bool) -> Path:
        if systemd:
            raise AutostartError("--systemd is for Linux; macOS uses a LaunchAgent")
        path = self.path(system)
        if system:
            require_admin(self._is_admin(), path, "root: run it with sudo")
        return path
