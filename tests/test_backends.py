"""Adapter selection: one place, by platform and session, with honest fallbacks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from desktop import Desktop

from ergo_daemon import backends
from ergo_daemon.activity.null import UnknownActivity
from ergo_daemon.activity.x11 import X11Idle
from ergo_daemon.notify.freedesktop import FreedesktopNotifier
from ergo_daemon.ports import ActivityError

PACKAGE = Path(__file__).parents[1] / "ergo_daemon"


def test_only_the_selection_module_looks_at_the_platform_or_desktop() -> None:
    pattern = re.compile(r"sys\.platform|platform\.system|\"(WAYLAND_)?DISPLAY\"|XDG_SESSION_TYPE")
    readers = {p.name for p in PACKAGE.rglob("*.py") if pattern.search(p.read_text())}
    assert readers == {"backends.py"}


def test_no_display_no_bus_means_unknown_activity_and_no_dbus() -> None:
    assert isinstance(backends.activity_source({}, "linux"), UnknownActivity)
    assert not isinstance(backends.notifier({}, "linux"), FreedesktopNotifier)


def test_wayland_sessions_do_not_use_x11_idle_time() -> None:
    environ = {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}
    assert isinstance(backends.activity_source(environ, "linux"), UnknownActivity)


def test_other_platforms_get_no_linux_adapters() -> None:
    assert isinstance(backends.activity_source({"DISPLAY": ":0"}, "darwin"), UnknownActivity)


def test_x11_session_uses_real_idle_time_and_the_bus(desktop: Desktop) -> None:
    source = backends.activity_source(desktop.env, "linux")
    assert isinstance(source, X11Idle)
    assert isinstance(backends.notifier(desktop.env, "linux"), FreedesktopNotifier)
    desktop.touch_input()
    first = source.read()
    assert first.idle is not None and first.idle < 1.0 and not first.locked


def test_missing_x_libraries_are_an_activity_error_naming_the_package() -> None:
    def no_library(name: str) -> object:
        raise OSError(f"{name}: cannot open shared object file")

    with pytest.raises(ActivityError, match="install libxss1"):
        X11Idle(":0", load=no_library)
