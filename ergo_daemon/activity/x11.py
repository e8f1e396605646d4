"""X11 idle time from the MIT-SCREEN-SAVER extension (libXss), through ctypes."""

from __future__ import annotations

import ctypes
import os
import socket
from collections.abc import Callable
from typing import Any

from ergo_daemon.ports import ActivityError, Reading

SCREEN_SAVER_ON = 1
_IOErrorHandler = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)
_IOErrorExitHandler = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p)


def _quiet(display: int | None) -> int:
    """Instead of Xlib's default, which prints and calls exit(); the exit handler decides."""
    return 0


def _carry_on(display: int | None, data: int | None) -> None:
    """Return instead of exit(): Xlib marks the display dead and later calls on it fail."""


# Xlib keeps these pointers for the life of the process, so they must never be freed.
_ON_IO_ERROR = _IOErrorHandler(_quiet)
_ON_IO_ERROR_EXIT = _IOErrorExitHandler(_carry_on)


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

    Losing the X server makes ``read`` raise ActivityError instead of Xlib ending the process.
    ``load`` is the seam tests replace (``ctypes.CDLL`` by default).
    """

    name = "X11 screen-saver extension"
    tells_lock = False  # a blanked screen reads as locked, but a screen locker is not seen
    tells_sleep = False

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
        xlib.XConnectionNumber.argtypes = [ctypes.c_void_p]
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
        self._survives_io_errors = _survive_io_errors(xlib, display)
        self._root = xlib.XDefaultRootWindow(display)
        self._info = xss.XScreenSaverAllocInfo()

    def read(self) -> Reading:
        if not self._display:
            raise ActivityError("the X display is closed")
        if not self._survives_io_errors and _hung_up(self._xlib.XConnectionNumber(self._display)):
            raise ActivityError("the X server closed the connection")
        if not self._xss.XScreenSaverQueryInfo(self._display, self._root, self._info):
            raise ActivityError("XScreenSaverQueryInfo failed: the X server is gone or refused")
        info = self._info.contents
        return Reading(idle=info.idle / 1000.0, locked=info.state == SCREEN_SAVER_ON)

    def watch(self, changed: Callable[[], None]) -> None:
        """Polled: X has no idle events worth a thread."""

    def close(self) -> None:
        if not self._display:
            return
        display, self._display = self._display, None
        fd = self._xlib.XConnectionNumber(display)
        if self._survives_io_errors or not _hung_up(fd):
            self._xlib.XCloseDisplay(display)
        else:  # old libX11 would exit() on the dead connection: leave its memory, free the socket
            os.close(fd)


def _survive_io_errors(xlib: Any, display: int) -> bool:
    """Make a lost X server an error, not exit(); False where libX11 is older than 1.7."""
    try:
        set_exit_handler = xlib.XSetIOErrorExitHandler
    except AttributeError:  # libX11 < 1.7: after any IO error handler returns, Xlib exits
        return False
    xlib.XSetIOErrorHandler.restype = ctypes.c_void_p
    xlib.XSetIOErrorHandler.argtypes = [_IOErrorHandler]
    set_exit_handler.restype = None
    set_exit_handler.argtypes = [ctypes.c_void_p, _IOErrorExitHandler, ctypes.c_void_p]
    xlib.XSetIOErrorHandler(_ON_IO_ERROR)  # process-wide: the default one calls exit()
    set_exit_handler(display, _ON_IO_ERROR_EXIT, None)
    return True


def _hung_up(fd: int) -> bool:
    """Whether the X server has closed the connection on ``fd``, checked without reading it."""
    # For libX11 < 1.7 only: a narrow window stays (the server dying between this check and the
    # query) where it still exits.
    try:
        with socket.socket(fileno=os.dup(fd)) as sock:
            return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:  # nothing to read: the connection is alive
        return False
    except OSError:
        return True
