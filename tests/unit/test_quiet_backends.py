"""Which quiet signals each platform and desktop gets, and that ``[quiet]`` turns them off."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from ergo_daemon import backends
from ergo_daemon.settings.models import Quiet

UTC = ZoneInfo("UTC")
ALL_ON = Quiet()


ALL_OFF = Quiet(
    camera=False, microphone=False, fullscreen=False, do_not_disturb=False, inhibitors=False
)


def _keys(platform: str, environ: dict[str, str], quiet: Quiet = ALL_ON) -> list[str]:
    found = backends.quiet_candidates(quiet, UTC, environ, platform)
    return [c.key for c in found if c.enabled]


def test_each_platform_has_each_signal() -> None:
    x11 = {"DISPLAY": ":0", "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nowhere"}
    linux = _keys("linux", x11)
    for key in ("do_not_disturb", "fullscreen", "inhibitors", "camera", "microphone"):
        assert key in linux, key
    assert set(_keys("darwin", {})) == {"do_not_disturb", "camera", "microphone"}
    assert set(_keys("win32", {})) == {"do_not_disturb", "fullscreen", "camera", "microphone"}


def test_wayland_has_no_x11_fullscreen_and_gnome_adds_its_own() -> None:
    wayland = {"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0", "XDG_CURRENT_DESKTOP": "GNOME"}
    names = [c.name for c in backends.quiet_candidates(Quiet(), UTC, wayland, "linux")]
    assert not any("X11" in n for n in names)
    assert any("GNOME session" in n for n in names) is False, "no session bus: no GNOME session"
    wayland["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=/nowhere"
    names = [c.name for c in backends.quiet_candidates(Quiet(), UTC, wayland, "linux")]
    assert any("GNOME session" in n for n in names)


def test_off_in_quiet_means_not_built_and_windows_and_apps_only_when_set() -> None:
    assert _keys("linux", {"DISPLAY": ":0"}, ALL_OFF) == []
    quiet = ALL_OFF.model_copy(update={"apps": ["zoom"]})
    assert _keys("linux", {}, quiet) == ["apps"]
