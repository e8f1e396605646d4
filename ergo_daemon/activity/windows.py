"""Windows idle time (GetLastInputInfo) and session lock (WTS session information), through ctypes.

Lock comes from ``WTSQuerySessionInformationW(WTSSessionInfoEx)``: one polled call, no window or
message loop (``WTSRegisterSessionNotification`` needs both). Its ``SessionFlags`` are inverted
on Windows 7 and Server 2008 R2, which cannot run Python 3.9 or later, so they are read as
documented.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from typing import Any

from ergo_daemon.ports import ActivityError, Reading

TICK_MASK = 0xFFFFFFFF  # GetTickCount and LASTINPUTINFO.dwTime are 32-bit: they wrap at 49.7 days
WTS_CURRENT_SERVER_HANDLE = None
WTS_CURRENT_SESSION = 0xFFFFFFFF
WTS_SESSION_INFO_EX = 25  # WTS_INFO_CLASS.WTSSessionInfoEx
WTS_ACTIVE = 0  # WTS_CONNECTSTATE_CLASS.WTSActive
WTS_SESSIONSTATE_LOCK = 0
WTS_SESSIONSTATE_UNLOCK = 1


class LastInputInfo(ctypes.Structure):
    _fields_ = [("cbSize", ctypes.c_uint32), ("dwTime", ctypes.c_uint32)]


class WtsInfoExLevel1(ctypes.Structure):
    # WCHAR is 16-bit on Windows; c_wchar is 32-bit on Linux, where the tests build this.
    _fields_ = [
        ("SessionId", ctypes.c_uint32),
        ("SessionState", ctypes.c_int),
        ("SessionFlags", ctypes.c_int32),
        ("WinStationName", ctypes.c_uint16 * 33),
        ("UserName", ctypes.c_uint16 * 21),
        ("DomainName", ctypes.c_uint16 * 18),
        ("LogonTime", ctypes.c_int64),
        ("ConnectTime", ctypes.c_int64),
        ("DisconnectTime", ctypes.c_int64),
        ("LastInputTime", ctypes.c_int64),
        ("CurrentTime", ctypes.c_int64),
        ("IncomingBytes", ctypes.c_uint32),
        ("OutgoingBytes", ctypes.c_uint32),
        ("IncomingFrames", ctypes.c_uint32),
        ("OutgoingFrames", ctypes.c_uint32),
        ("IncomingCompressedBytes", ctypes.c_uint32),
        ("OutgoingCompressedBytes", ctypes.c_uint32),
    ]


class WtsInfoEx(ctypes.Structure):
    _fields_ = [("Level", ctypes.c_uint32), ("Data", WtsInfoExLevel1)]


# WTS may hand back a longer structure in later versions: only the fields read must fit.
_FLAGS_END = WtsInfoEx.Data.offset + WtsInfoExLevel1.SessionFlags.offset + 4


def idle_milliseconds(tick: int, last_input: int) -> int:
    """Milliseconds between two 32-bit tick counts, across a wrap: ``(5, 0xFFFFFFFE)`` -> 7."""
    return (tick - last_input) & TICK_MASK


def windll(name: str) -> Any:
    """A system DLL with the stdcall convention (``ctypes.WinDLL`` exists only on Windows)."""
    try:
        loader = ctypes.WinDLL  # type: ignore[attr-defined,unused-ignore]
    except AttributeError:
        raise OSError(f"cannot load {name}: not Windows") from None
    return loader(name)


class WindowsActivity:
    """Milliseconds since the last input in this session; locked while locked or disconnected.

    ``load`` is the seam tests replace (``windll`` by default), e.g.
    ``WindowsActivity(load=fake_dlls)``.
    """

    name = "Windows GetLastInputInfo"
    tells_lock = True
    tells_sleep = False

    def __init__(self, load: Callable[[str], Any] = windll) -> None:
        try:
            user32, kernel32 = load("user32.dll"), load("kernel32.dll")
        except OSError as exc:
            raise ActivityError(f"{exc} (user32/kernel32 are part of Windows)") from exc
        user32.GetLastInputInfo.restype = ctypes.c_int
        user32.GetLastInputInfo.argtypes = [ctypes.POINTER(LastInputInfo)]
        kernel32.GetTickCount.restype = ctypes.c_uint32
        kernel32.GetTickCount.argtypes = []
        self._user32, self._kernel32 = user32, kernel32
        try:
            wtsapi32 = load("wtsapi32.dll")
        except OSError as exc:
            # Idle time alone still works: say so in the name the daemon logs.
            self.name = f"{self.name} (lock state unknown: {exc})"
            self.tells_lock = False
            self._wtsapi32: Any = None
        else:
            wtsapi32.WTSQuerySessionInformationW.restype = ctypes.c_int
            wtsapi32.WTSQuerySessionInformationW.argtypes = [
                ctypes.c_void_p,
                ctypes.c_uint32,
                ctypes.c_int,
                ctypes.POINTER(ctypes.c_void_p),
                ctypes.POINTER(ctypes.c_uint32),
            ]
            wtsapi32.WTSFreeMemory.restype = None
            wtsapi32.WTSFreeMemory.argtypes = [ctypes.c_void_p]
            self._wtsapi32 = wtsapi32

    def read(self) -> Reading:
        info = LastInputInfo(cbSize=ctypes.sizeof(LastInputInfo))
        if not self._user32.GetLastInputInfo(ctypes.pointer(info)):
            raise ActivityError("GetLastInputInfo failed")
        # The tick after the last input, never before: input arriving between the two calls
        # would otherwise look like a wrap and read as 49.7 days idle.
        tick = self._kernel32.GetTickCount()
        idle = idle_milliseconds(tick, info.dwTime) / 1000.0
        return Reading(idle=idle, locked=self._locked())

    def watch(self, changed: Callable[[], None]) -> None:
        """Polled: session change events would need a window and a message loop."""

    def close(self) -> None:
        """Nothing to release: the DLLs stay loaded for the process."""

    def _locked(self) -> bool:
        """Whether this session is locked, or disconnected (another user took the screen)."""
        if self._wtsapi32 is None:
            return False
        buffer, size = ctypes.c_void_p(), ctypes.c_uint32()
        if not self._wtsapi32.WTSQuerySessionInformationW(
            WTS_CURRENT_SERVER_HANDLE,
            WTS_CURRENT_SESSION,
            WTS_SESSION_INFO_EX,
            ctypes.pointer(buffer),
            ctypes.pointer(size),
        ):
            return False  # transient (e.g. mid-disconnect): idle time still tells the story
        try:
            if not buffer.value or size.value < _FLAGS_END:
                return False
            info = WtsInfoEx.from_address(buffer.value)
            if info.Level != 1:
                return False
            data = info.Data
            return bool(
                data.SessionFlags == WTS_SESSIONSTATE_LOCK or data.SessionState != WTS_ACTIVE
            )
        finally:
            if buffer.value:
                self._wtsapi32.WTSFreeMemory(buffer.value)  # allocated by WTS: freed by WTS
