"""Programs that hold prompts while they run (``quiet.apps``), on any system."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import PurePath

from ergo_daemon.quiet.command import Run, run


class QuietApps:
    """``QuietApps(["zoom"], programs).read(now)`` -> ``"zoom is running"`` or None."""

    name = "quiet apps"

    def __init__(self, names: Iterable[str], programs: Callable[[], Iterable[str]]) -> None:
        self._names = {_plain(n) for n in names}
        self._programs = programs

    def read(self, now: datetime) -> str | None:
        for program in self._programs():
            if _plain(program) in self._names:
                return f"{program} is running"
        return None

    def close(self) -> None:
        pass


def _plain(name: str) -> str:
    """``C:\\Program Files\\Zoom\\Zoom.exe`` and ``zoom`` are the same program."""
    base = PurePath(name.replace("\\", "/")).name.lower()
    return base.removesuffix(".exe")


def ps_programs(command: Run = run) -> list[str]:
    """Running program names on macOS (``ps -axco comm=``)."""
    return [line.strip() for line in command(["ps", "-axco", "comm="]).splitlines()]


def tasklist_programs(command: Run = run) -> list[str]:
    """Running program names on Windows (``tasklist /fo csv /nh``: first column)."""
    lines = command(["tasklist", "/fo", "csv", "/nh"]).splitlines()
    return [line.split(",", 1)[0].strip('"') for line in lines if line.startswith('"')]
