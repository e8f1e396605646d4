"""The real daemon holds prompts for a real call, film or Do Not Disturb, and shows one after.

Each test runs ``ergo-daemon run --speed 240`` in a headless desktop (Xvfb, a private session
bus, dunst) with the real part that says "busy": a PulseAudio server with a recording client,
a window manager with a fullscreen window, dunst paused, a logind that lists an idle blocker.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

from support.cli import cli
from support.configs import schedule, toml
from support.desktop import Desktop
from support.quiet_session import (
    MIC,
    Inhibitors,
    dunst_paused,
    eventually,
    film,
    pulseaudio,
    recording,
    window_manager,
)

SPEED = "240"
# At 240x: eyes every 5 s, stretch every 10 s, the eye break 0.25 s of silence; a hold ends by
# itself after 45 s. Nothing else is on.
SCHEDULE = toml(
    schedule(
        {"eyes": {"every": "20m", "duration": "1m"}, "stretch": {"every": "40m", "duration": "2m"}}
    )
)
HELD = 14.0  # seconds held: without the hold, two eye prompts and a stretch would show


def _config(tmp_path: Path, extra: str = "") -> str:
    path = tmp_path / "config.toml"
    path.write_text(SCHEDULE + extra)
    return str(path)


def _ours(desktop: Desktop) -> list[str]:
    return [n.summary for n in desktop.notifications() if n.appname == "ergo-daemon"]


def _dunst_count(desktop: Desktop, which: str) -> int:
    argv = ["dunstctl", "count", which]
    return int(subprocess.run(argv, env=desktop.env, capture_output=True, text=True).stdout)


def _status(env: dict[str, str]) -> dict[str, Any]:
    done = cli(env, "status", "--json", timeout=10)
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def _held_then_one(desktop: Desktop, daemon: Any, release: Any, reason: str) -> list[str]:
    """Stay held for HELD seconds, release, and return what showed in the 3 s after."""
    daemon.wait_for_log(f"holding prompts: {reason}")
    time.sleep(HELD)
    assert _ours(desktop) == [], "a prompt showed while held"
    assert "held eyes" in daemon.log() and "held stretch" in daemon.log()
    release()
    desktop.wait_for_notifications(lambda ns: any(n.appname == "ergo-daemon" for n in ns), 5)
    time.sleep(3.0)  # the next eye prompt is due 5 s after the one shown
    return _ours(desktop)


def test_a_recording_microphone_holds_prompts_and_stopping_releases_one(
    desktop: Desktop, start_daemon: Any, tmp_path: Path
) -> None:
    with pulseaudio(desktop) as address:
        env = {**desktop.env, "PULSE_SERVER": address}
        with desktop.keep_active(), recording(desktop, address, MIC) as call:
            daemon = start_daemon(env, "--speed", SPEED, "--config", _config(tmp_path))
            daemon.wait_for_log("holding prompts: microphone in use")
            status = _status(env)
            assert status["status"] == "held"
            assert status["held"]["reason"] == "microphone in use"
            after = _held_then_one(desktop, daemon, call.terminate, "microphone in use")
    assert len(after) == 1, f"not exactly one after the call: {after}"
    assert after[0].startswith("Stand up and stretch"), "the largest kind that fell due"


def test_a_fullscreen_window_holds_prompts_and_leaving_releases_one(
    desktop: Desktop, start_daemon: Any, tmp_path: Path
) -> None:
    with window_manager(desktop), film(desktop) as fullscreen, desktop.keep_active():
        fullscreen(True)
        daemon = start_daemon(desktop.env, "--speed", SPEED, "--config", _config(tmp_path))
        after = _held_then_one(desktop, daemon, lambda: fullscreen(False), "fullscreen window")
    assert len(after) == 1, f"not exactly one after the film: {after}"


def test_dunst_paused_nothing_is_sent_and_at_most_one_shows_after(
    desktop: Desktop, start_daemon: Any, tmp_path: Path
) -> None:
    dunst_paused(desktop, True)
    with desktop.keep_active():
        daemon = start_daemon(desktop.env, "--speed", SPEED, "--config", _config(tmp_path))
        daemon.wait_for_log("holding prompts: Do Not Disturb is on (dunst)")
        deadline = time.monotonic() + HELD
        while time.monotonic() < deadline:
            assert _dunst_count(desktop, "waiting") == 0, "a notice was sent during DND"
            time.sleep(0.5)
        dunst_paused(desktop, False)
        desktop.wait_for_notifications(lambda ns: len(ns) >= 1, 5)
        time.sleep(1.0)
        assert len(_ours(desktop)) == 1, "a pile-up after DND ended"
        deadline = time.monotonic() + 12  # two more eye prompts: each replaces the last
        while time.monotonic() < deadline:
            assert _dunst_count(desktop, "displayed") <= 1, "two of ours on screen"
            time.sleep(0.2)
    assert len(_ours(desktop)) >= 2, "prompts did not resume after DND"


def test_an_idle_blocker_means_no_natural_break_however_long_the_silence(
    desktop: Desktop, start_daemon: Any, tmp_path: Path
) -> None:
    bus = desktop.env["DBUS_SESSION_BUS_ADDRESS"]
    env = {**desktop.env, "DBUS_SYSTEM_BUS_ADDRESS": bus}  # the stand-in logind lives here
    with Inhibitors(bus) as logind:
        logind.inhibit("idle", "mpv")
        desktop.touch_input()
        daemon = start_daemon(env, "--speed", SPEED, "--config", _config(tmp_path))
        daemon.wait_for_log("holding prompts: mpv keeps the screen awake (playing)")
        time.sleep(HELD)  # an hour of film without a key pressed
        assert "natural break" not in daemon.log(), "watching a film was counted as a break"
        assert _ours(desktop) == []
        with logind.mutex:
            logind.inhibitors.clear()
        eventually(lambda: "prompts no longer held" in daemon.log(), "the hold ending")
        # Still no input: from now on the silence is a break again.
        eventually(lambda: "natural break: eyes" in daemon.log(), "a natural break after")


def _doctor(env: dict[str, str]) -> dict[str, dict[str, Any]]:
    done = cli(env, "doctor", "--json")
    return {f["backend"]: f for f in json.loads(done.stdout) if f["port"] == "quiet"}


def test_doctor_probes_each_signal_live_and_gives_a_fix(desktop: Desktop, tmp_path: Path) -> None:
    with pulseaudio(desktop) as address:
        env = {**desktop.env, "PULSE_SERVER": address, "DBUS_SYSTEM_BUS_ADDRESS": "unix:path=/x"}
        found = _doctor(env)
        assert found["microphone (pactl)"]["detail"] == "works; not holding prompts now"
        assert found["Do Not Disturb (notification server)"]["ok"]
        assert found["fullscreen window (X11)"]["ok"]
        inhibitors = found["idle inhibitors (systemd-logind)"]
        assert not inhibitors["ok"] and "quiet.inhibitors = false" in inhibitors["fix"]
        dunst_paused(desktop, True)
        with recording(desktop, address, MIC):
            found = _doctor(env)
        dunst_paused(desktop, False)
    assert found["microphone (pactl)"]["detail"] == "holding prompts now: microphone in use"
    dnd = found["Do Not Disturb (notification server)"]["detail"]
    assert dnd == "holding prompts now: Do Not Disturb is on (dunst)"
    gone = _doctor({**desktop.env, "PULSE_SERVER": f"unix:{tmp_path}/none"})
    assert not gone["microphone (pactl)"]["ok"]
    assert "pipewire-pulse" in gone["microphone (pactl)"]["fix"]
