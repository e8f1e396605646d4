"""The platform's own sound, for notices whose server plays none (``ergo_daemon.backends`` picks).

Each player starts the sound and returns at once; a failure is logged once, never raised.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any, Protocol

log = logging.getLogger(__name__)


class Chime(Protocol):
    """Plays a freedesktop sound name (``"message-new-instant"``), or its nearest match."""

    @property
    def name(self) -> str: ...

    def play(self, sound: str) -> None: ...


class CommandChime:
    """Runs a player program, e.g. ``CommandChime(["canberra-gtk-play", "--id", "{sound}"])``."""

    def __init__(self, argv: Sequence[str], *, spawn: Callable[..., Any] | None = None) -> None:
        self._argv = list(argv)
        self.name = self._argv[0]
        self._spawn = spawn
        self._child: Any = None
        self._failed = False

    def play(self, sound: str) -> None:
        import subprocess

        if self._child is not None:
            self._child.poll()  # collect the last one: no zombie waits
        spawn = self._spawn or subprocess.Popen
        argv = [part.replace("{sound}", sound) for part in self._argv]
        try:
            self._child = spawn(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError as exc:
            if not self._failed:
                log.warning("sound: cannot run %s: %s", self.name, exc)
            self._failed = True


class WindowsChime:
    """``winsound.MessageBeep``: the sound Windows plays for its own notices."""

    name = "winsound"

    def __init__(self, winsound: Any = None) -> None:
        self._winsound = winsound

    def play(self, sound: str) -> None:
        if self._winsound is None:
            import winsound  # type: ignore[import-not-found,unused-ignore]  # Windows only

            self._winsound = winsound
        try:
            self._winsound.MessageBeep(self._winsound.MB_ICONASTERISK)
        except RuntimeError as exc:  # no sound device
            log.warning("sound: %s", exc)


class NoChime:
    """Where nothing can play a sound: says so once."""

    name = "none"

    def __init__(self, why: str) -> None:
        self._why: str | None = why

    def play(self, sound: str) -> None:
        if self._why is not None:
            log.warning("sound: %s", self._why)
            self._why = None
