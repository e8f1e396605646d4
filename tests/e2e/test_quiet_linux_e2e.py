"""Each Linux quiet signal against the real thing: PulseAudio, an X window manager, dunst,
processes holding files open; D-Bus stand-ins for logind, KDE and GNOME's session manager."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from contextlib import closing
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from support.desktop import Desktop, stop_gracefully
from support.quiet_session import (
    MIC,
    GnomeSession,
    Inhibitors,
    Notifications,
    dunst_paused,
    eventually,
    film,
    pulseaudio,
    recording,
    window_manager,
)

from ergo_daemon.ports import QuietError
from ergo_daemon.quiet import proc
from ergo_daemon.quiet.apps import QuietApps
from ergo_daemon.quiet.desktop import (
    GnomeIdleInhibitors,
    LogindIdleInhibitors,
    NotificationServerPaused,
)
from ergo_daemon.quiet.linux import CameraInUse, MicrophoneInUse
from ergo_daemon.quiet.x11 import FullscreenWindow

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 9, 35, tzinfo=BERLIN)  # a Monday


def test_camera_is_in_use_while_a_process_holds_the_device_open(tmp_path: Path) -> None:
    device = tmp_path / "video0"  # the device-path seam: a real file, a real open descriptor
    device.write_bytes(b"")
    camera = CameraInUse(devices=str(tmp_path / "video"))
    assert camera.read(NOW) is None
    holder = subprocess.Popen(
        [sys.executable, "-c", f"f = open({str(device)!r}); import time; time.sleep(60)"]
    )
    try:
        reason = eventually(lambda: camera.read(NOW), "the camera seen in use")
        assert reason.startswith("camera in use by python"), reason
    finally:
        stop_gracefully(holder)
    assert camera.read(NOW) is None, "the camera stays in use after the call ended"


def test_microphone_in_use_only_for_a_real_source_never_a_monitor(
    desktop: Desktop, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pulseaudio(desktop) as address:
        monkeypatch.setenv("PULSE_SERVER", address)
        microphone = MicrophoneInUse()
        assert microphone.read(NOW) is None
        with recording(desktop, address, "ergo-test-speakers.monitor"):
            assert microphone.read(NOW) is None, "recording the speakers is no call"
        with recording(desktop, address, MIC):
            assert microphone.read(NOW) == "microphone in use"
        eventually(lambda: microphone.read(NOW) is None, "the microphone free again")


def test_microphone_without_a_sound_server_is_an_error_not_a_hold(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    if shutil.which("pactl") is None:
        pytest.fail("pactl missing (apt-get install pulseaudio-utils)")
    monkeypatch.setenv("PULSE_SERVER", f"unix:{tmp_path}/nothing")
    with pytest.raises(QuietError, match="pactl"):
        MicrophoneInUse().read(NOW)


def test_a_fullscreen_active_window_holds(desktop: Desktop) -> None:
    display = desktop.env["DISPLAY"]
    with (
        window_manager(desktop),
        film(desktop) as fullscreen,
        closing(FullscreenWindow(display)) as signal,
    ):
        assert signal.read(NOW) is None
        fullscreen(True)
        eventually(lambda: signal.read(NOW) == "fullscreen window", "fullscreen seen")
        fullscreen(False)
        eventually(lambda: signal.read(NOW) is None, "fullscreen left")


def test_a_closed_window_is_no_x_error(desktop: Desktop) -> None:
    with window_manager(desktop), closing(FullscreenWindow(desktop.env["DISPLAY"])) as signal:
        with film(desktop) as fullscreen:
            fullscreen(True)
            eventually(lambda: signal.read(NOW), "fullscreen seen")
        eventually(lambda: signal.read(NOW) is None, "the window gone")


def test_dunst_paused_is_do_not_disturb(desktop: Desktop) -> None:
    bus = desktop.env["DBUS_SESSION_BUS_ADDRESS"]
    with closing(NotificationServerPaused(bus)) as signal:
        assert signal.read(NOW) is None
        dunst_paused(desktop, True)
        assert signal.read(NOW) == "Do Not Disturb is on (dunst)"
        dunst_paused(desktop, False)
        assert signal.read(NOW) is None


def test_kde_inhibited_is_do_not_disturb_and_other_servers_are_not_muted(
    desktop: Desktop,
) -> None:
    bus = desktop.env["DBUS_SESSION_BUS_ADDRESS"]
    desktop.stop_notification_server()
    with closing(NotificationServerPaused(bus)) as signal:
        assert signal.read(NOW) is None, "no server at all: nothing to mute"
        with Notifications(bus) as kde:
            assert signal.read(NOW) is None
            kde.set_properties(kde.path, kde.bus_name, Inhibited=True)
            assert signal.read(NOW) == "Do Not Disturb is on"
        with Notifications(bus, kde=False):
            assert signal.read(NOW) is None


def test_logind_idle_blockers_of_this_user_hold(desktop: Desktop) -> None:
    bus = desktop.env["DBUS_SESSION_BUS_ADDRESS"]  # the stand-in "system bus"
    with Inhibitors(bus) as logind, closing(LogindIdleInhibitors(bus)) as signal:
        assert signal.read(NOW) is None
        logind.inhibit("sleep", "Backup")
        logind.inhibit("idle", "Firefox", mode="delay")
        logind.inhibit("idle", "Someone else's player", uid=os.getuid() + 1)
        assert signal.read(NOW) is None, "not idle, not block, or not ours"
        logind.inhibit("sleep:idle", "mpv")
        assert signal.read(NOW) == "mpv keeps the screen awake (playing)"


def test_gnome_session_idle_inhibit_holds(desktop: Desktop) -> None:
    bus = desktop.env["DBUS_SESSION_BUS_ADDRESS"]
    with GnomeSession(bus) as gnome, closing(GnomeIdleInhibitors(bus)) as signal:
        assert signal.read(NOW) is None
        gnome.set_properties(gnome.path, gnome.bus_name, InhibitedActions=4)  # suspend only
        assert signal.read(NOW) is None
        gnome.set_properties(gnome.path, gnome.bus_name, InhibitedActions=4 | 8)
        assert signal.read(NOW) == "an application keeps the session awake"


def test_a_program_in_quiet_apps_holds_while_it_runs(tmp_path: Path) -> None:
    standup = tmp_path / "ergo-standup-app"  # a real program with a name nothing else has
    shutil.copy(shutil.which("sleep") or "/bin/sleep", standup)
    apps = QuietApps(["ergo-standup-app", "zoom"], proc.programs)
    assert apps.read(NOW) is None
    running = subprocess.Popen([standup, "60"])
    try:
        assert eventually(lambda: apps.read(NOW), "the app seen") == "ergo-standup-app is running"
    finally:
        stop_gracefully(running)
    assert apps.read(NOW) is None
