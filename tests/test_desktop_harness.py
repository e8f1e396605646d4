"""Tests proving the headless desktop harness in tests/desktop.py works."""

from __future__ import annotations

import ctypes
import ctypes.util
import subprocess
import time

import pytest
from desktop import Desktop, Notification, missing_message, missing_programs


class _XScreenSaverInfo(ctypes.Structure):
    _fields_ = [
        ("window", ctypes.c_ulong),
        ("state", ctypes.c_int),
        ("kind", ctypes.c_int),
        ("til_or_since", ctypes.c_ulong),
        ("idle", ctypes.c_ulong),
        ("event_mask", ctypes.c_ulong),
    ]


def x_idle_ms(display: str) -> int:
    """Return the X server idle time in milliseconds via XScreenSaverQueryInfo."""
    xlib_name = ctypes.util.find_library("X11")
    xss_name = ctypes.util.find_library("Xss")
    if xlib_name is None or xss_name is None:
        pytest.skip("libX11/libXss not found (apt-get install libxss1)")
    xlib = ctypes.CDLL(xlib_name)
    xss = ctypes.CDLL(xss_name)
    xlib.XOpenDisplay.restype = ctypes.c_void_p
    xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
    xlib.XDefaultRootWindow.restype = ctypes.c_ulong
    xlib.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
    xlib.XFree.argtypes = [ctypes.c_void_p]
    xss.XScreenSaverAllocInfo.restype = ctypes.POINTER(_XScreenSaverInfo)
    xss.XScreenSaverQueryInfo.argtypes = [
        ctypes.c_void_p,
        ctypes.c_ulong,
        ctypes.POINTER(_XScreenSaverInfo),
    ]
    dpy = xlib.XOpenDisplay(display.encode())
    assert dpy, f"cannot open display {display}"
    info = xss.XScreenSaverAllocInfo()
    try:
        assert xss.XScreenSaverQueryInfo(dpy, xlib.XDefaultRootWindow(dpy), info), (
            "MIT-SCREEN-SAVER missing"
        )
        return int(info.contents.idle)
    finally:
        xlib.XFree(info)
        xlib.XCloseDisplay(dpy)


def notify(desktop: Desktop, *args: str) -> subprocess.CompletedProcess[str]:
    """Run notify-send inside the session."""
    return subprocess.run(
        ["notify-send", *args], env=desktop.env, capture_output=True, text=True, timeout=10
    )


def test_notify_send_is_recorded(desktop: Desktop) -> None:
    """A notify-send notification shows up with its fields."""
    assert notify(desktop, "-a", "demo", "Hello", "World").returncode == 0
    got = desktop.wait_for_notifications(lambda ns: len(ns) >= 1, timeout=5)
    assert got == [Notification(appname="demo", summary="Hello", body="World", urgency="NORMAL")]


def test_idle_time_grows_and_touch_input_resets_it(desktop: Desktop) -> None:
    """X idle time grows without input and resets on touch_input and keep_active."""
    display = desktop.env["DISPLAY"]
    desktop.touch_input()
    time.sleep(0.6)
    assert x_idle_ms(display) >= 500
    desktop.touch_input()
    assert x_idle_ms(display) < 300
    with desktop.keep_active(interval=0.1):
        time.sleep(0.6)
        assert x_idle_ms(display) < 300


def test_notification_server_restart(desktop: Desktop) -> None:
    """Notifications fail while dunst is stopped and arrive again after a restart."""
    desktop.stop_notification_server()
    assert notify(desktop, "-a", "demo", "Lost").returncode != 0
    desktop.start_notification_server()
    assert notify(desktop, "-a", "demo", "Back", "again").returncode == 0
    got = desktop.wait_for_notifications(lambda ns: any(n.summary == "Back" for n in ns), timeout=5)
    assert [n.summary for n in got] == ["Back"]


def test_missing_programs_skip_or_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    """The missing-program message names the programs and Debian packages."""
    monkeypatch.setenv("PATH", "/nonexistent")
    missing = missing_programs()
    assert "Xvfb" in missing and "notify-send" in missing
    assert missing_message(["Xvfb"]) == "no desktop session: missing Xvfb (apt-get install xvfb)"
