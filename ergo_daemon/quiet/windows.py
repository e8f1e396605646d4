r"""Windows: camera and microphone in use (ConsentStore), fullscreen or presenting, and muted
notifications, read from the registry and shell32 (imported when used).
"""

from __future__ import annotations

import ctypes
import importlib
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Protocol

from ergo_daemon.ports import QuietError
from ergo_daemon.winreg_tree import registry_tree

CONSENT_STORE = r"Software\Microsoft\Windows\CurrentVersion\CapabilityAccessManager\ConsentStore"
NOTIFICATION_SETTINGS = r"Software\Microsoft\Windows\CurrentVersion\Notifications\Settings"
TOASTS_ENABLED = "NOC_GLOBAL_SETTING_TOASTS_ENABLED"
# QUERY_USER_NOTIFICATION_STATE values that mean "do not interrupt now".
BUSY = {
    2: "a fullscreen program",
    3: "a fullscreen game",
    4: "a presentation",
    7: "a fullscreen app",
}


class UserRegistry(Protocol):
    def read_tree(self, path: str) -> dict[str, Any] | None:
        """The values and subkeys under ``HKCU\\path`` as nested dicts; None if it is absent."""
        ...


class WindowsUserRegistry:
    """The real HKEY_CURRENT_USER (Windows only)."""

    def read_tree(self, path: str) -> dict[str, Any] | None:
        winreg: Any = importlib.import_module("winreg")
        try:
            key = winreg.OpenKey(winreg.HKEY_CURRENT_USER, path)
        except OSError:
            return None
        with key:
            return registry_tree(winreg, key)


class ConsentInUse:
    r"""``ConsentInUse("webcam", registry, programs)``: a program uses the camera right now.

    Windows stamps ``LastUsedTimeStart`` when a program starts using the device and
    ``LastUsedTimeStop`` when it stops; ``Stop == 0`` means still in use. A program that
    crashed leaves ``Stop == 0`` behind, so desktop programs count only while they run.
    Store apps (packaged) cannot be matched to a process here and count as stamped.
    """

    def __init__(
        self, device: str, registry: UserRegistry, programs: Callable[[], Iterable[str]]
    ) -> None:
        self._device, self._registry, self._programs = device, registry, programs
        self.name = f"{'camera' if device == 'webcam' else device} (ConsentStore)"

    def read(self, now: datetime) -> str | None:
        tree = self._registry.read_tree(f"{CONSENT_STORE}\\{self._device}") or {}
        users = [(name, entry) for name, entry in tree.items() if isinstance(entry, dict)]
        desktop = tree.get("NonPackaged")
        if isinstance(desktop, dict):
            users = [u for u in users if u[0] != "NonPackaged"]
            users += [(name, entry) for name, entry in desktop.items() if isinstance(entry, dict)]
        in_use = [name for name, entry in users if _in_use(entry)]
        if not in_use:
            return None
        running: set[str] | None = None
        what = "camera" if self._device == "webcam" else self._device
        for name in in_use:
            if "#" not in name:  # a Store app's package name
                return f"{what} in use by {name.split('_', 1)[0]}"
            program = name.rsplit("#", 1)[-1].lower()  # C:#Program Files#Zoom#bin#Zoom.exe
            if running is None:
                running = {p.lower() for p in self._programs()}
            if program in running:
                return f"{what} in use by {program}"
        return None

    def close(self) -> None:
        pass


def _in_use(entry: dict[str, Any]) -> bool:
    return bool(entry.get("LastUsedTimeStart")) and entry.get("LastUsedTimeStop") == 0


class NotificationState:
    """``SHQueryUserNotificationState``: fullscreen, a game, or presenting (Focus assist's own)."""

    name = "fullscreen or presenting (shell32)"

    def __init__(self, load: Callable[[str], Any] | None = None) -> None:
        try:
            shell32 = (load or _windll)("shell32.dll")
        except OSError as exc:
            raise QuietError(f"{exc} (shell32 is part of Windows)") from exc
        shell32.SHQueryUserNotificationState.restype = ctypes.c_long
        shell32.SHQueryUserNotificationState.argtypes = [ctypes.POINTER(ctypes.c_int)]
        self._shell32 = shell32

    def read(self, now: datetime) -> str | None:
        state = ctypes.c_int(0)
        result = self._shell32.SHQueryUserNotificationState(ctypes.byref(state))
        if result != 0:
            raise QuietError(f"SHQueryUserNotificationState failed ({result:#x})")
        busy = BUSY.get(state.value)
        return f"{busy} is showing" if busy else None

    def close(self) -> None:
        pass


class NotificationsOff:
    """Do Not Disturb on Windows 11: all notifications turned off in Settings."""

    name = "Do Not Disturb (Windows notifications)"

    def __init__(self, registry: UserRegistry) -> None:
        self._registry = registry

    def read(self, now: datetime) -> str | None:
        settings = self._registry.read_tree(NOTIFICATION_SETTINGS) or {}
        return "Do Not Disturb is on" if settings.get(TOASTS_ENABLED) == 0 else None

    def close(self) -> None:
        pass


def _windll(name: str) -> Any:
    return ctypes.WinDLL(name)  # type: ignore[attr-defined,unused-ignore]
