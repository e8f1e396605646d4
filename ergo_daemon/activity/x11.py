"""X11 idle time from the MIT-SCREEN-SAVER extension (libXss), through ctypes."""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from typing import Any

from ergo_daemon.ports import ActivityError, Reading

SCREEN_SAVER_ON = 1


class _Info(ctypes.Structure):
    _fields_ = [
        ("window", ctypes.c_ulong),
        ("state", ctypes.c_int),
        ("kind", ctypes.c_int),
        ("til_or_since", ctypes.c_ulong),
        ("idle", ctypes.c_ulong),
        ("event_mask", ctypes.c_ulong),
    ]


class X11Idle:
    """Milliseconds since the last input on the X display; a running screen saver counts as locked.

    ``load`` is the seam tests replace (``ctypes.CDLL`` by default).
    """

    name = "X11 screen-saver extension"

    def __init__(self, display_name: str, load: Callable[[str], Any] = ctypes.CDLL) -> None:
        try:
            xlib, xss = load("libX11.so.6"), load("libXss.so.1")
        except OSError as exc:
            raise ActivityError(f"{exc} (install libxss1)") from exc
        xlib.XOpenDisplay.restype = ctypes.c_void_p
        xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
        xlib.XDefaultRootWindow.restype = ctypes.c_ulong
        xlib.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
        xss.XScreenSaverQueryExtension.argtypes = [ctypes.c_void_p] + [ctypes.c_void_p] * 2
        xss.XScreenSaverAllocInfo.restype = ctypes.POINTER(_Info)
        xss.XScreenSaverQueryInfo.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_void_p]
        display = xlib.XOpenDisplay(display_name.encode())
        if not display:
            raise ActivityError(f"cannot open the X display {display_name!r}")
        event_base, error_base = ctypes.c_int(), ctypes.c_int()
        if not xss.XScreenSaverQueryExtension(
            display, ctypes.byref(event_base), ctypes.byref(error_base)
        ):
            raise ActivityError("the X server has no MIT-SCREEN-SAVER extension")
        self._xlib, self._xss = xlib, xss
        self._display = display
        self._root = xlib.XDefaultRootWindow(display)
        self._info = xss.XScreenSaverAllocInfo()

    def read(self) -> Reading:
        if not self._xss.XScreenSaverQueryInfo(self._display, self._root, self._info):
            raise ActivityError("XScreenSaverQueryInfo failed")
        info = self._info.contents
        return Reading(idle=info.idle / 1000.0, locked=info.state == SCREEN_SAVER_ON)

    def watch(self, changed: Callable[[], None]) -> None:
        """Polled: X has no idle events worth a thread."""

    def close(self) -> None:
        if self._display:
            self._xlib.XCloseDisplay(self._display)
            self._display = None
