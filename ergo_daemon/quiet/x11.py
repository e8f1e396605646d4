"""X11: the active window is fullscreen (``_NET_WM_STATE_FULLSCREEN`` of ``_NET_ACTIVE_WINDOW``)."""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ergo_daemon.ports import QuietError

XA_ATOM, XA_WINDOW = 4, 33
SUCCESS = 0
_ErrorHandler = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)


def _ignore(display: int | None, event: int | None) -> int:
    """A window that closed while we asked about it is an X error, not a reason to exit()."""
    return 0


_ON_ERROR = _ErrorHandler(_ignore)  # kept for the life of the process: Xlib holds the pointer


class FullscreenWindow:
    """``FullscreenWindow(":0").read(now)`` -> ``"fullscreen window"`` or None.

    Needs a window manager that follows EWMH (every common one does). ``load`` is the seam
    tests replace (``ctypes.CDLL`` by default).
    """

    name = "fullscreen window (X11)"

    def __init__(self, display_name: str, load: Callable[[str], Any] = ctypes.CDLL) -> None:
        try:
            xlib = load("libX11.so.6")
        except OSError as exc:
            raise QuietError(f"{exc} (install libx11-6)") from exc
        xlib.XOpenDisplay.restype = ctypes.c_void_p
        xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
        xlib.XDefaultRootWindow.restype = ctypes.c_ulong
        xlib.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        xlib.XInternAtom.restype = ctypes.c_ulong
        xlib.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        xlib.XGetWindowProperty.argtypes = [
            ctypes.c_void_p,  # display
            ctypes.c_ulong,  # window
            ctypes.c_ulong,  # property
            ctypes.c_long,  # offset
            ctypes.c_long,  # length (in 32-bit units)
            ctypes.c_int,  # delete
            ctypes.c_ulong,  # requested type
            ctypes.POINTER(ctypes.c_ulong),  # actual type
            ctypes.POINTER(ctypes.c_int),  # actual format
            ctypes.POINTER(ctypes.c_ulong),  # items
            ctypes.POINTER(ctypes.c_ulong),  # bytes after
            ctypes.POINTER(ctypes.c_void_p),  # data
        ]
        xlib.XFree.argtypes = [ctypes.c_void_p]
        xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
        xlib.XSetErrorHandler.restype = ctypes.c_void_p
        xlib.XSetErrorHandler.argtypes = [_ErrorHandler]
        display = xlib.XOpenDisplay(display_name.encode())
        if not display:
            raise QuietError(f"cannot open the X display {display_name!r}")
        xlib.XSetErrorHandler(_ON_ERROR)
        self._xlib, self._display = xlib, display
        self._root = xlib.XDefaultRootWindow(display)
        self._active: int = xlib.XInternAtom(display, b"_NET_ACTIVE_WINDOW", 0)
        self._state: int = xlib.XInternAtom(display, b"_NET_WM_STATE", 0)
        self._fullscreen: int = xlib.XInternAtom(display, b"_NET_WM_STATE_FULLSCREEN", 0)

    def read(self, now: datetime) -> str | None:
        if not self._display:
            raise QuietError("the X display is closed")
        windows = self._property(self._root, self._active, XA_WINDOW)
        if not windows or not windows[0]:
            return None
        states = self._property(windows[0], self._state, XA_ATOM)
        return "fullscreen window" if self._fullscreen in states else None

    def _property(self, window: int, prop: int, kind: int) -> list[int]:
        actual, fmt = ctypes.c_ulong(), ctypes.c_int()
        items, after, data = ctypes.c_ulong(), ctypes.c_ulong(), ctypes.c_void_p()
        status = self._xlib.XGetWindowProperty(
            self._display, window, prop, 0, 64, 0, kind,
            ctypes.byref(actual), ctypes.byref(fmt), ctypes.byref(items),
            ctypes.byref(after), ctypes.byref(data),
        )  # fmt: skip
        if status != SUCCESS or not data.value:
            return []
        try:
            if fmt.value != 32 or actual.value != kind:
                return []
            # Format 32 comes back as C longs, whatever their size on this machine.
            values = ctypes.cast(data, ctypes.POINTER(ctypes.c_ulong))
            return [values[i] for i in range(items.value)]
        finally:
            self._xlib.XFree(data)

    def close(self) -> None:
        if self._display:
            display, self._display = self._display, None
            self._xlib.XCloseDisplay(display)
