"""The headless desktop harness in tests/support/desktop.py works: notices, idle time, restarts."""

from __future__ import annotations

import subprocess
import time

from support.desktop import Desktop, Notification

from ergo_daemon.activity.x11 import X11Idle


def x_idle_ms(display: str) -> int:
    """The X server's idle time, read by the daemon's own X11 adapter."""
    idle = X11Idle(display).read().idle
    assert idle is not None
    return round(idle * 1000)


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
