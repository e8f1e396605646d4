"""Adapter selection in real sessions: X11 idle time and the bus, GNOME and its fallbacks."""

from __future__ import annotations

import logging
import shutil
import time
from contextlib import closing

import pytest
from support import dbus_services as services
from support.desktop import Desktop

from ergo_daemon import backends
from ergo_daemon.activity.mutter import MutterIdle
from ergo_daemon.activity.x11 import X11Idle
from ergo_daemon.notify.freedesktop import FreedesktopNotifier

# Pinned so that a real system bus (logind) on the test machine never takes part.
NO_SYSTEM_BUS = {"DBUS_SYSTEM_BUS_ADDRESS": "unix:path=/nonexistent/system_bus_socket"}


def test_x11_session_uses_real_idle_time_and_the_bus(
    desktop: Desktop, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="ergo_daemon")
    source = backends.activity_source({**desktop.env, **NO_SYSTEM_BUS}, "linux")
    assert source.name == X11Idle.name  # no screen saver or logind answers here
    # What doctor reports: a blanked screen reads as locked, but no screen locker is seen here.
    assert f"idle time from {X11Idle.name}; screen lock from nowhere (unknown);" in caplog.text
    assert "a coming sleep from nowhere" in caplog.text
    assert backends.notifier(desktop.env, "linux").name == FreedesktopNotifier.name
    desktop.touch_input()
    first = source.read()
    assert first.idle is not None and first.idle < 1.0 and not first.locked


def gnome_session(desktop: Desktop) -> dict[str, str]:
    """A GNOME session whose system bus is the private bus, where the stand-ins run."""
    bus = desktop.env["DBUS_SESSION_BUS_ADDRESS"]
    return {**desktop.env, "XDG_CURRENT_DESKTOP": "ubuntu:GNOME", "DBUS_SYSTEM_BUS_ADDRESS": bus}


def test_gnome_prefers_mutter_idle_time_and_follows_lock_and_sleep(
    desktop: Desktop, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="ergo_daemon")
    bus = desktop.env["DBUS_SESSION_BUS_ADDRESS"]
    mutter, logind = services.MutterIdleMonitor(bus), services.Logind(bus)
    freedesktop, gnome = services.ScreenSaver(bus), services.ScreenSaver(bus, gnome=True)
    with (
        services.running(mutter, logind, freedesktop, gnome),
        closing(backends.activity_source(gnome_session(desktop), "linux")) as source,
    ):
        assert source.name == (
            "GNOME Mutter idle monitor; "
            "lock and sleep: screen saver (org.gnome.ScreenSaver), systemd-logind"
        )
        mutter.set_idle(9.5)
        assert source.read().idle == 9.5  # not the X server's idle time
    assert (
        "screen lock from screen saver (org.gnome.ScreenSaver), systemd-logind; "
        "a coming sleep from systemd-logind (" in caplog.text
    ), "from the parts that tell each, as doctor says"


def test_gnome_without_its_idle_monitor_falls_back_to_x11(
    desktop: Desktop, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="ergo_daemon")
    with closing(backends.activity_source(gnome_session(desktop), "linux")) as source:
        assert source.name == X11Idle.name
    assert f"{MutterIdle.name} unavailable" in caplog.text


def test_without_an_idle_source_lock_and_sleep_still_count(
    desktop: Desktop, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)  # no swayidle
    environ = {k: v for k, v in gnome_session(desktop).items() if k != "XDG_CURRENT_DESKTOP"}
    environ["WAYLAND_DISPLAY"] = "wayland-0"  # X11 idle time means nothing under Wayland
    bus = desktop.env["DBUS_SESSION_BUS_ADDRESS"]
    with (
        services.Logind(bus) as logind,
        closing(backends.activity_source(environ, "linux")) as source,
    ):
        assert "counting clock time" in caplog.text
        assert source.read().idle is None
        logind.lock()
        deadline = time.monotonic() + 5
        while not source.read().locked:
            assert time.monotonic() < deadline, "the lock never showed"
            time.sleep(0.02)
