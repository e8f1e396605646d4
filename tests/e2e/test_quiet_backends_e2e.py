"""A real X11 desktop builds its quiet signals, and nothing holds."""

from __future__ import annotations

from datetime import UTC as utc
from datetime import datetime
from zoneinfo import ZoneInfo

from support.desktop import Desktop

from ergo_daemon import backends
from ergo_daemon.settings.models import Quiet

UTC = ZoneInfo("UTC")


def test_an_x11_desktop_builds_its_signals_and_nothing_holds(desktop: Desktop) -> None:
    env = {**desktop.env, "DBUS_SYSTEM_BUS_ADDRESS": desktop.env["DBUS_SESSION_BUS_ADDRESS"]}
    signals = backends.quiet_signals(Quiet(), UTC, env, "linux")
    names = [s.name for s in signals.signals]
    assert "fullscreen window (X11)" in names and "camera (/dev/video*)" in names
    assert signals.read(datetime.now(utc)) is None, "nothing here is a call or a film"
    signals.close()
