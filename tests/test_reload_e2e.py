"""Editing the configuration under a running daemon: applied within seconds, or kept if broken."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Any

from desktop import Desktop

BASE = """
[work_hours]
days = "mon-sun"
hours = ["00:00-24:00"]

[stretch]
enabled = false

[break]
enabled = false

[hydration]
enabled = false

[posture]
enabled = false
"""


def _eyes(desktop: Desktop) -> int:
    return sum(1 for n in desktop.notifications() if n.summary.startswith("Rest your eyes"))


def test_edits_apply_live_and_a_broken_file_keeps_the_last_good_settings(
    desktop: Desktop, start_daemon: Any, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(BASE + '[eyes]\nevery = "20m"\n')
    daemon = start_daemon(desktop.env, "--speed", "150", "--config", str(config))
    with desktop.keep_active():
        time.sleep(2)
        assert _eyes(desktop) == 0, "8 s at 150x: not due yet"

        config.write_text(BASE + '[eyes]\nevery = "5m"\n')
        daemon.wait_for_log("eyes.every: 20m -> 5m", timeout=5)
        desktop.wait_for_notifications(lambda ns: len(ns) >= 1, 5)

        config.write_text(BASE + '[eyes]\nevery = "two minutes"\n')
        daemon.wait_for_log("keeping the last good configuration", timeout=5)
        notices = desktop.wait_for_notifications(
            lambda ns: any("configuration error" in n.summary for n in ns), 5
        )
        error = next(n for n in notices if "configuration error" in n.summary)
        assert f"{config}:" in error.body and "eyes.every" in error.body
        before = _eyes(desktop)
        time.sleep(4.5)
        assert _eyes(desktop) >= before + 1, "still prompting every 2 s with the old settings"
        assert daemon.process.poll() is None

        config.write_text(BASE + '[eyes]\nevery = "6m"\n')
        daemon.wait_for_log("eyes.every: 5m -> 6m", timeout=5)
    daemon.process.send_signal(signal.SIGHUP)
    daemon.wait_for_log("configuration reloaded (nothing changed)", timeout=5)
    assert daemon.stop() == 0
