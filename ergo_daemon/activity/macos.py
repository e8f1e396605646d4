"""macOS idle time (CoreGraphics) and screen lock (the Quartz session dictionary) via ctypes."""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from typing import Any

from ergo_daemon.ports import ActivityError, Reading

CORE_GRAPHICS = "/System/Library/Frameworks/CoreGraphics.framework/CoreGraphics"
CORE_FOUNDATION = "/System/Library/Frameworks/CoreFoundation.framework/CoreFoundation"
# kCGEventSourceStateHIDSystemState: hardware input only, so events that programs post (mouse
# jigglers, automation) do not count as the person working; CombinedSessionState (0) would.
HID_SYSTEM_STATE = 1
ANY_INPUT_EVENT = 0xFFFFFFFF  # kCGAnyInputEventType
UTF8 = 0x08000100  # kCFStringEncodingUTF8
SCREEN_IS_LOCKED = b"CGSSessionScreenIsLocked"
ON_CONSOLE = b"kCGSSessionOnConsoleKey"


class MacActivity:
    """Seconds since the last hardware input; locked while the screen is locked or switched away.

    ``load`` is the seam tests replace (``ctypes.CDLL`` by default), e.g.
    ``MacActivity(load=fake_frameworks)``.
    """

    name = "macOS CoreGraphics idle time"
    tells_lock = True
    tells_sleep = False

    def __init__(self, load: Callable[[str], Any] = ctypes.CDLL) -> None:
        try:
            cg, cf = load(CORE_GRAPHICS), load(CORE_FOUNDATION)
        except OSError as exc:
            raise ActivityError(f"{exc} (CoreGraphics is part of macOS: is this a Mac?)") from exc
        # Every CF object is a pointer: without c_void_p ctypes would cut it to a 32-bit int.
        cg.CGEventSourceSecondsSinceLastEventType.restype = ctypes.c_double
        cg.CGEventSourceSecondsSinceLastEventType.argtypes = [ctypes.c_int32, ctypes.c_uint32]
        cg.CGSessionCopyCurrentDictionary.restype = ctypes.c_void_p
        cg.CGSessionCopyCurrentDictionary.argtypes = []
        cf.CFStringCreateWithCString.restype = ctypes.c_void_p
        cf.CFStringCreateWithCString.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_uint32]
        cf.CFDictionaryGetValue.restype = ctypes.c_void_p
        cf.CFDictionaryGetValue.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        cf.CFGetTypeID.restype = ctypes.c_ulong
        cf.CFGetTypeID.argtypes = [ctypes.c_void_p]
        cf.CFBooleanGetTypeID.restype = ctypes.c_ulong
        cf.CFBooleanGetTypeID.argtypes = []
        cf.CFBooleanGetValue.restype = ctypes.c_bool
        cf.CFBooleanGetValue.argtypes = [ctypes.c_void_p]
        cf.CFRelease.restype = None
        cf.CFRelease.argtypes = [ctypes.c_void_p]
        self._cg, self._cf = cg, cf
        self._keys: dict[bytes, int] = {}
        for key in (SCREEN_IS_LOCKED, ON_CONSOLE):
            created = cf.CFStringCreateWithCString(None, key, UTF8)
            if not created:
                self.close()
                raise ActivityError(f"CFStringCreateWithCString({key.decode()}) failed")
            self._keys[key] = created  # owned (a Create function): released by close()
        self._boolean = cf.CFBooleanGetTypeID()

    def read(self) -> Reading:
        idle = self._cg.CGEventSourceSecondsSinceLastEventType(HID_SYSTEM_STATE, ANY_INPUT_EVENT)
        session = self._cg.CGSessionCopyCurrentDictionary()
        if not session:  # not in a window-server session (ssh, a LaunchDaemon): lock unknown
            return Reading(idle=max(0.0, float(idle)))
        try:
            locked = self._flag(session, SCREEN_IS_LOCKED) is True
            # Another user's session on the screen (fast user switching): nobody works here.
            switched_away = self._flag(session, ON_CONSOLE) is False
        finally:
            self._cf.CFRelease(session)  # owned (a Copy function)
        return Reading(idle=max(0.0, float(idle)), locked=locked or switched_away)

    def watch(self, changed: Callable[[], None]) -> None:
        """Polled: CoreGraphics has no idle events without a run loop."""

    def close(self) -> None:
        keys, self._keys = self._keys, {}
        for key in keys.values():
            self._cf.CFRelease(key)

    def _flag(self, session: int, key: bytes) -> bool | None:
        """A boolean from the session dictionary; None when absent (the lock key is then absent)."""
        value = self._cf.CFDictionaryGetValue(session, self._keys[key])  # borrowed: no release
        if not value:
            return None
        if self._cf.CFGetTypeID(value) != self._boolean:
            return True  # present but not a CFBoolean: its presence is the signal
        return bool(self._cf.CFBooleanGetValue(value))
