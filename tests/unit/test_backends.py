"""Adapter selection: one place, by platform and session, with honest fallbacks."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from ergo_daemon import backends
from ergo_daemon.activity.null import UnknownActivity
from ergo_daemon.activity.x11 import X11Idle
from ergo_daemon.notify.freedesktop import FreedesktopNotifier
from ergo_daemon.ports import ActivityError

PACKAGE = Path(__file__).parents[2] / "ergo_daemon"


# Pinned so that a real system bus (logind) on the test machine never takes part.
NO_SYSTEM_BUS = {"DBUS_SYSTEM_BUS_ADDRESS": "unix:path=/nonexistent/system_bus_socket"}


def test_only_the_selection_module_looks_at_the_platform_or_desktop() -> None:
    pattern = re.compile(r"sys\.platform|platform\.system|\"(WAYLAND_)?DISPLAY\"|XDG_SESSION_TYPE")
    readers = {p.name for p in PACKAGE.rglob("*.py") if pattern.search(p.read_text())}
    assert readers == {"backends.py"}


def test_no_display_no_bus_means_unknown_activity_and_no_dbus() -> None:
    assert isinstance(backends.activity_source(NO_SYSTEM_BUS, "linux"), UnknownActivity)
    assert not isinstance(backends.notifier({}, "linux"), FreedesktopNotifier)


def test_wayland_sessions_do_not_use_x11_idle_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)  # no swayidle either
    environ = {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", **NO_SYSTEM_BUS}
    assert isinstance(backends.activity_source(environ, "linux"), UnknownActivity)


def test_other_platforms_get_no_linux_adapters() -> None:
    assert isinstance(backends.activity_source({"DISPLAY": ":0"}, "darwin"), UnknownActivity)


def test_missing_x_libraries_are_an_activity_error_naming_the_package() -> None:
    def no_library(name: str) -> object:
        raise OSError(f"{name}: cannot open shared object file")

    with pytest.raises(ActivityError, match="install libxss1"):
        X11Idle(":0", load=no_library)


def test_each_platform_and_wayland_desktop_gets_its_idle_sources_in_order() -> None:
    from ergo_daemon.activity.macos import MacActivity
    from ergo_daemon.activity.swayidle import SwayIdle
    from ergo_daemon.activity.wayland import WaylandIdle
    from ergo_daemon.activity.windows import WindowsActivity

    def idle_labels(environ: dict[str, str], platform: str) -> list[str]:
        idle, _status = backends._activity_candidates(environ, platform, 60.0)
        return [c.label for c in idle]

    assert idle_labels({}, "darwin") == [MacActivity.name]
    assert idle_labels({}, "win32") == [WindowsActivity.name]
    sway = {"WAYLAND_DISPLAY": "wayland-1", "XDG_CURRENT_DESKTOP": "sway", "DISPLAY": ":0"}
    labels = idle_labels(sway, "linux")
    assert labels[0] == WaylandIdle.name and X11Idle.name not in labels
    assert (SwayIdle.name in labels) == (shutil.which("swayidle") is not None)
    gnome = {**sway, "XDG_CURRENT_DESKTOP": "GNOME", "DBUS_SESSION_BUS_ADDRESS": "unix:path=/x"}
    assert WaylandIdle.name not in idle_labels(gnome, "linux")
