"""The real CLI and a real daemon: status, pause, snooze, done, stop, one instance, kill -9."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from conftest import DaemonProcess
from support.cli import cli, status
from support.configs import schedule, toml
from support.desktop import Desktop

SPEED = "120"
# At 120x: eyes every 10 s of activity, hydration every 25 s of clock time; nothing else.
EYES_ONLY = toml(
    schedule(
        {
            "eyes": {"every": "20m", "duration": "1m"},
            "hydration": {"every": "50m"},
            "posture": {"with_every_nth_stretch": 0, "after_away": "0s"},
        }
    )
)


def start(desktop: Desktop, start_daemon: Any, tmp_path: Path) -> DaemonProcess:
    config = tmp_path / "config.toml"
    config.write_text(EYES_ONLY)
    daemon: DaemonProcess = start_daemon(desktop.env, "--speed", SPEED, "--config", str(config))
    return daemon


def eyes_times(desktop: Desktop) -> list[float]:
    return [n.at for n in desktop.notifications() if n.summary.startswith("Rest your eyes")]


def test_status_pause_freezes_timers_and_resume_continues(
    desktop: Desktop, start_daemon: Any, tmp_path: Path
) -> None:
    daemon = start(desktop, start_daemon, tmp_path)
    with desktop.keep_active():
        # With input going on: on a busy machine the X server may have been idle longer than
        # away_after (1 s at 120x) by the time the daemon starts.
        line = cli(desktop.env, "status")
        assert line.returncode == 0 and line.stdout.startswith("active"), line
        assert "next eyes" in line.stdout
        time.sleep(5)  # half of the eyes interval
        assert cli(desktop.env, "pause").stdout.strip() == "paused until resumed"
        paused = status(desktop.env)
        assert paused["status"] == "paused" and paused["next"] == {}
        time.sleep(12)  # longer than the whole interval: nothing may show
        assert eyes_times(desktop) == []
        assert cli(desktop.env, "resume").stdout.strip() == "resumed"
        resumed = time.time()
        desktop.wait_for_notifications(lambda ns: bool(eyes_times(desktop)), 15)
    waited = eyes_times(desktop)[0] - resumed
    # Frozen, not reset: about the 5 s left of the 10 s interval, not a fresh 10 s, not at once.
    assert 3.0 < waited < 7.5, waited
    assert "now paused" in daemon.log()


def test_snooze_brings_the_prompt_back_and_done_logs_a_glass(
    desktop: Desktop, start_daemon: Any, tmp_path: Path
) -> None:
    daemon = start(desktop, start_daemon, tmp_path)
    with desktop.keep_active():
        desktop.wait_for_notifications(lambda ns: bool(eyes_times(desktop)), 15)
        snoozed = cli(desktop.env, "snooze", "6m")  # a typed duration follows --speed: 3 s
        assert snoozed.returncode == 0 and snoozed.stdout.startswith("snoozed eyes"), snoozed
        assert "(4 snoozes left today)" in snoozed.stdout
        desktop.wait_for_notifications(lambda ns: len(eyes_times(desktop)) >= 2, 15)
    first, second = eyes_times(desktop)[:2]
    assert 2.0 < second - first < 6.5, "back after the 6 min snooze at 120x, not the 10 s interval"
    before = status(desktop.env)["next"]["hydration"]
    glass = cli(desktop.env, "done", "hydration")
    assert glass.stdout.startswith("a glass of water logged"), glass
    assert status(desktop.env)["next"]["hydration"] > before
    refused = cli(desktop.env, "done", "coffee")
    assert refused.returncode == 1 and "no 'coffee' reminder" in refused.stderr
    assert cli(desktop.env, "stop").stdout.strip() == "stopping"
    assert daemon.process.wait(10) == 0
    assert "snoozed eyes until" in daemon.log() and "a glass of water logged" in daemon.log()
    db = Path(desktop.env["XDG_STATE_HOME"]) / "ergo-daemon" / "stats.sqlite3"
    with sqlite3.connect(db) as conn:
        outcomes = {tuple(row) for row in conn.execute("SELECT kind, outcome FROM prompts")}
    assert {("eyes", "shown"), ("eyes", "snoozed"), ("hydration", "done")} <= outcomes


def test_one_instance_and_a_clear_word_when_none_runs(
    desktop: Desktop, start_daemon: Any, tmp_path: Path
) -> None:
    missing = cli(desktop.env, "status")
    assert missing.returncode == 3 and "not running" in missing.stderr
    assert cli(desktop.env, "pause", "10m").returncode == 3
    daemon = start(desktop, start_daemon, tmp_path)
    second = subprocess.run(
        [sys.executable, "-m", "ergo_daemon", "run"],
        env=desktop.env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert second.returncode == 1
    assert f"already running (pid {daemon.process.pid})" in second.stderr
    assert daemon.process.poll() is None, "the first one keeps running"


def test_after_kill_9_the_next_start_works_and_keeps_the_day(
    desktop: Desktop, start_daemon: Any, tmp_path: Path
) -> None:
    daemon = start(desktop, start_daemon, tmp_path)
    with desktop.keep_active():
        time.sleep(3)
    cli(desktop.env, "pause", "until", "tomorrow")
    before = status(desktop.env)
    assert before["active_today"] >= 2, "about 3 s of real activity"
    os.kill(daemon.process.pid, signal.SIGKILL)
    daemon.process.wait(10)
    again = start(desktop, start_daemon, tmp_path)
    after = status(desktop.env)
    assert after["status"] == "paused" and after["paused_until"] == before["paused_until"]
    assert after["active_today"] >= before["active_today"], "saved when paused"
    assert "continuing today's timers" in again.log()
