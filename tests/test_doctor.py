"""``ergo-daemon doctor``: honest about a bare machine, and about a working desktop."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from desktop import Desktop


def doctor(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ergo_daemon", "doctor", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


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
    assert doctor(desktop.env).returncode == 1, "no server: notifications cannot be delivered"


def test_a_server_without_buttons_is_named_with_the_commands_to_type(desktop: Desktop) -> None:
    import dbus_services as services

    desktop.stop_notification_server()
    address = desktop.env["DBUS_SESSION_BUS_ADDRESS"]
    with services.NotificationServer(address, capabilities=("body",)):
        report = findings(doctor(desktop.env, "--json"))
    assert report["answers"]["backend"] == "commands"
    assert "ergo-daemon done break" in report["answers"]["detail"]
