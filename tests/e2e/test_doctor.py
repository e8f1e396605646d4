"""``ergo-daemon doctor``: honest about a bare machine, and about a working desktop."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from support import dbus_services as services
from support.cli import cli
from support.desktop import Desktop


def doctor(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return cli(env, "doctor", *args, timeout=60)


def findings(done: subprocess.CompletedProcess[str]) -> dict[str, dict[str, Any]]:
    return {f["port"]: f for f in json.loads(done.stdout)}


def test_no_display_and_no_bus_is_said_plainly_and_fails(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")
    }
    env.update(HOME=str(tmp_path), XDG_RUNTIME_DIR=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path))
    done = doctor(env)
    assert done.returncode == 1
    assert "NO  notifications" in done.stdout and "no session bus" in done.stdout
    assert "no display is set" in done.stdout
    assert "Traceback" not in done.stderr
    report = findings(doctor(env, "--json"))
    assert report["notifications"]["ok"] is False and report["idle"]["ok"] is False
    assert report["daemon"]["detail"] == "ergo-daemon is not running"
    assert "answers" not in report, "nothing to answer without notifications"


def test_a_working_desktop_reports_x11_idle_and_delivers_a_test_notice(desktop: Desktop) -> None:
    desktop.touch_input()
    done = doctor(desktop.env, "--json", "--notify")
    assert done.returncode == 0, done.stdout + done.stderr
    report = findings(done)
    assert report["notifications"]["ok"] and "dunst" in report["notifications"]["detail"]
    assert report["answers"]["backend"] == "buttons", "dunst offers actions (in its menu)"
    assert report["break screen"]["ok"] and "Tk 8." in report["break screen"]["detail"]
    assert "X11" in report["idle"]["backend"] and report["idle"]["ok"]
    assert report["config"]["ok"]
    desktop.wait_for_notifications(lambda ns: any(n.summary == "ergo-daemon test" for n in ns), 10)
    desktop.stop_notification_server()
    done = doctor(desktop.env)
    assert done.returncode == 1, "no server: notifications cannot be delivered"
    assert "no notification server is running on the session bus" in done.stdout
    assert "ServiceUnknown" not in done.stdout and "('" not in done.stdout


NO_SYSTEM_BUS = "unix:path=/nonexistent/system_bus_socket"


def test_no_lock_source_is_said_with_the_fix_not_reported_as_unlocked(desktop: Desktop) -> None:
    """Xvfb with a session bus but no screen saver service and no logind: nothing tells lock."""
    env = {**desktop.env, "DBUS_SYSTEM_BUS_ADDRESS": NO_SYSTEM_BUS}
    done = doctor(env)
    assert "NO  lock" in done.stdout and "no lock source here" in done.stdout, done.stdout
    assert "not locked now" not in done.stdout
    assert "fix: run a screen locker that serves org.freedesktop.ScreenSaver" in done.stdout
    report = findings(doctor(env, "--json"))
    assert report["lock"]["ok"] is False and report["lock"]["backend"] == "none"
    assert report["idle"]["ok"], "idle time still works: only the lock is missing"


def test_gnome_without_its_lock_service_names_gnome_shell_as_the_fix(desktop: Desktop) -> None:
    env = {**desktop.env, "XDG_CURRENT_DESKTOP": "GNOME", "DBUS_SYSTEM_BUS_ADDRESS": NO_SYSTEM_BUS}
    with services.running(services.MutterIdleMonitor(env["DBUS_SESSION_BUS_ADDRESS"])):
        report = findings(doctor(env, "--json"))
    assert "Mutter" in report["idle"]["backend"] and report["idle"]["ok"]
    assert report["lock"]["ok"] is False
    assert "org.gnome.ScreenSaver" in report["lock"]["fix"]


def test_lock_is_reported_from_the_sources_that_can_tell_it(desktop: Desktop) -> None:
    bus = desktop.env["DBUS_SESSION_BUS_ADDRESS"]
    env = {**desktop.env, "DBUS_SYSTEM_BUS_ADDRESS": bus}  # logind's stand-in is on it too
    saver = services.ScreenSaver(bus)
    with services.running(services.Logind(bus, in_session=False, display_session=False)):
        report = findings(doctor(env, "--json"))
        assert report["lock"]["ok"] is False, "logind outside any session tells sleep only"
        with services.running(saver):
            saver.set_active(True)
            report = findings(doctor(env, "--json"))
    assert report["lock"]["ok"] is True
    assert report["lock"]["backend"] == "screen saver (org.freedesktop.ScreenSaver)"
    assert report["lock"]["detail"] == "the screen is locked now"
    with services.running(services.Logind(bus)):
        report = findings(doctor(env, "--json"))
    assert report["lock"] == {
        "port": "lock",
        "backend": "systemd-logind",
        "ok": True,
        "detail": "the screen is not locked now",
        "fix": "",
    }


def test_a_server_without_buttons_is_named_with_the_commands_to_type(desktop: Desktop) -> None:
    from support import dbus_services as services

    desktop.stop_notification_server()
    address = desktop.env["DBUS_SESSION_BUS_ADDRESS"]
    with services.NotificationServer(address, capabilities=("body",)):
        report = findings(doctor(desktop.env, "--json"))
    assert report["answers"]["backend"] == "commands"
    assert "ergo-daemon done break" in report["answers"]["detail"]


def test_quiet_signals_turned_off_or_unset_name_the_key_that_does_it(desktop: Desktop) -> None:
    done = doctor({**desktop.env, "ERGO_QUIET__CAMERA": "false"})
    assert "camera (/dev/video*): off (quiet.camera = false)" in done.stdout, done.stdout
    assert "quiet windows: none set (quiet.windows)" in done.stdout, done.stdout
