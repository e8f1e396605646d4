"""Faults injected for real into a running daemon: it keeps prompting, says why, loses nothing."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from conftest import DaemonProcess
from support.cli import cli
from support.configs import schedule, toml
from support.desktop import Desktop

SPEED = "120"
# At 120x: eyes every 5 s of activity; nothing else.
FAST_EYES = toml(
    schedule(
        {
            "eyes": {"every": "10m", "duration": "1m"},
            "posture": {"with_every_nth_stretch": 0, "after_away": "0s"},
        }
    )
)


def _config(tmp_path: Path) -> str:
    path = tmp_path / "config.toml"
    path.write_text(FAST_EYES)
    return str(path)


def _eyes(desktop: Desktop) -> int:
    return sum(n.summary.startswith("Rest your eyes") for n in desktop.notifications())


def _state_dir(desktop: Desktop) -> Path:
    return Path(desktop.env["XDG_STATE_HOME"]) / "ergo-daemon"


def _cli(desktop: Desktop, *args: str) -> subprocess.CompletedProcess[str]:
    return cli(desktop.env, *args)


def _status(desktop: Desktop) -> dict[str, Any]:
    done = _cli(desktop, "status", "--json")
    assert done.returncode == 0, done.stderr
    status: dict[str, Any] = json.loads(done.stdout)
    return status


def test_the_notification_server_dies_and_comes_back(
    desktop: Desktop, start_daemon: Any, tmp_path: Path
) -> None:
    daemon = start_daemon(desktop.env, "--speed", SPEED, "--config", _config(tmp_path))
    with desktop.keep_active():
        desktop.wait_for_notifications(lambda _: _eyes(desktop) >= 1, 15)
        assert _status(desktop)["delivery_problem"] is None
        desktop.stop_notification_server()
        daemon.wait_for_log("could not show 'Rest your eyes", 15)
        problem = _status(desktop)["delivery_problem"]
        assert problem["error"] == "no notification server is running on the session bus"
        assert problem["since"] is not None
        line = _cli(desktop, "status").stdout
        assert "notices are NOT shown since " in line and "no notification server" in line, line
        report = {f["port"]: f for f in json.loads(_cli(desktop, "doctor", "--json").stdout)}
        assert not report["daemon"]["ok"] and "NOT shown" in report["daemon"]["detail"]
        desktop.start_notification_server()
        shown = _eyes(desktop)
        desktop.wait_for_notifications(lambda _: _eyes(desktop) > shown, 15)
    assert _status(desktop)["delivery_problem"] is None, "cleared by the next notice shown"
    assert "NOT shown" not in _cli(desktop, "status").stdout
    assert daemon.process.poll() is None


def test_the_session_bus_disappears(desktop: Desktop, start_daemon: Any, tmp_path: Path) -> None:
    daemon = start_daemon(desktop.env, "--speed", SPEED, "--config", _config(tmp_path))
    with desktop.keep_active():
        desktop.wait_for_notifications(lambda _: _eyes(desktop) >= 1, 15)
        desktop.stop_session_bus()
        daemon.wait_for_log("reminder (no desktop notifications): Rest your eyes", 20)
        time.sleep(6)  # more reminders fall due meanwhile
        problem = _status(desktop)["delivery_problem"]
        assert problem["error"].startswith("only written to the log: session bus unavailable")
    log = daemon.log()
    assert log.count("is gone (session bus unavailable") == 1, log
    assert log.count("reminder (no desktop notifications)") >= 2, log
    assert daemon.process.poll() is None


def _without_root_powers(args: list[str]) -> list[str]:
    """The daemon as root would write through any file mode: drop those powers first."""
    command = [sys.executable, "-m", "ergo_daemon", "run", *args]
    if os.geteuid() != 0:
        return command
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *command]


def _make_read_only(state_dir: Path) -> None:
    for child in state_dir.iterdir():
        child.chmod(0o400)
    state_dir.chmod(0o500)


def test_a_read_only_state_folder_keeps_prompts_coming_and_says_why(
    desktop: Desktop, tmp_path: Path
) -> None:
    state_dir = _state_dir(desktop)
    argv = _without_root_powers(["--speed", SPEED, "--config", _config(tmp_path)])
    log_path = tmp_path / "daemon.log"
    with log_path.open("wb") as sink:
        process = subprocess.Popen(argv, env=desktop.env, stderr=sink, stdout=subprocess.DEVNULL)
    daemon = DaemonProcess(process, log_path)
    try:
        daemon.wait_for_log(" ready ")
        with desktop.keep_active():
            desktop.wait_for_notifications(lambda _: _eyes(desktop) >= 1, 15)
            _make_read_only(state_dir)
            shown = _eyes(desktop)
            desktop.wait_for_notifications(lambda _: _eyes(desktop) >= shown + 2, 20)
        status = cli(desktop.env, "status", "--json")
        problem = json.loads(status.stdout)["statistics_problem"]
        assert problem and "readonly" in problem.replace("-", "").replace(" ", ""), problem
        assert "statistics" in daemon.log() and "reminders continue" in daemon.log()
    finally:
        state_dir.chmod(0o700)
        assert daemon.stop() == 0, daemon.log()


def test_sigterm_while_a_prompt_is_being_delivered_leaves_state_whole(
    desktop: Desktop, start_daemon: Any, tmp_path: Path
) -> None:
    daemon = start_daemon(desktop.env, "--speed", SPEED, "--config", _config(tmp_path))
    with desktop.keep_active():
        desktop.wait_for_notifications(lambda _: _eyes(desktop) >= 1, 15)
        dunst = desktop._dunst
        assert dunst is not None
        os.kill(dunst.pid, signal.SIGSTOP)  # the next Notify call hangs until its timeout
        try:
            time.sleep(6)  # the next eyes prompt (every 5 s) is now waiting for dunst
            os.kill(daemon.process.pid, signal.SIGTERM)
            assert daemon.process.wait(15) == 0
        finally:
            os.kill(dunst.pid, signal.SIGCONT)
    log = daemon.log()
    assert log.index("could not show 'Rest your eyes") < log.index(" stopped"), log
    state = json.loads((_state_dir(desktop) / "state.json").read_text())
    assert state["tally"]["active"] > 0
    with sqlite3.connect(_state_dir(desktop) / "stats.sqlite3") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    again = start_daemon(desktop.env, "--speed", SPEED, "--config", _config(tmp_path))
    again.wait_for_log("continuing today's timers")
