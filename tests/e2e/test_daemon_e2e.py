"""The real daemon under a real X server, session bus and notification server (dunst)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from support.configs import schedule, toml
from support.desktop import Desktop

from ergo_daemon.content.catalogue import load_catalogue

SPEED = "120"
# At 120x: eyes every 10 s, stretch 20 s, hydration 25 s (clock), break 35 s; away after 1 s;
# a posture check after 5 s away. Far enough apart that no two merge.
TABLES: dict[str, dict[str, Any]] = {
    "eyes": {"every": "20m", "duration": "1m"},
    "stretch": {"every": "40m", "duration": "2m"},
    "break": {"every": "70m", "duration": "5m"},
    "hydration": {"every": "50m"},
    "posture": {"with_every_nth_stretch": 0, "after_away": "10m"},
}
SCHEDULE = toml(schedule(TABLES))


def _config(tmp_path: Path, text: str = SCHEDULE) -> str:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return str(path)


def _summaries(desktop: Desktop) -> list[str]:
    return [n.summary for n in desktop.notifications() if n.appname == "ergo-daemon"]


def test_every_kind_reaches_the_notification_server(
    desktop: Desktop, start_daemon: Any, tmp_path: Path
) -> None:
    daemon = start_daemon(desktop.env, "--speed", SPEED, "--config", _config(tmp_path))
    with desktop.keep_active():
        desktop.wait_for_notifications(
            lambda ns: any(n.summary.startswith("Break time") for n in ns), 45
        )
    summaries = _summaries(desktop)
    assert any(s.startswith("Rest your eyes") for s in summaries), summaries
    assert any(s.startswith("Stand up and stretch") for s in summaries), summaries
    assert any(s == "Water break" for s in summaries), summaries
    assert any(s.startswith("Break time") for s in summaries), summaries

    shown = len(summaries)
    time.sleep(6)  # no input: away for 6 s = 12 min at 120x
    assert len(_summaries(desktop)) == shown, "nothing is shown while the person is away"
    desktop.touch_input()
    notices = desktop.wait_for_notifications(
        lambda ns: any("Posture check" in n.summary for n in ns), 5
    )
    assert "Welcome back" in notices[-1].summary
    assert "natural break" in daemon.log()
    assert daemon.stop() == 0
    assert "stopped" in daemon.log()
    # Where each rotation stands is kept for the next start: the last stretch shown is noted.
    rotation = json.loads(
        (Path(desktop.env["XDG_STATE_HOME"]) / "ergo-daemon" / "rotation.json").read_text()
    )
    last = next(
        e.name for e in load_catalogue().exercises if e.id == rotation["decks"]["stretch"]["last"]
    )
    lead, aside = f"Stand up and stretch: {last}", f"Stretch: {last}."
    stretched = [
        n
        for n in desktop.notifications()
        if n.summary.startswith("Stand up and stretch: ") or "Stretch: " in n.body
    ]
    assert lead == stretched[-1].summary or aside in stretched[-1].body, (last, stretched[-1])


QUIET = toml(
    schedule({**TABLES, **{k: {**TABLES[k], "enabled": False} for k in ("hydration", "posture")}})
)


def test_idle_longer_than_the_break_resets_timers_and_shows_nothing(
    desktop: Desktop, start_daemon: Any, tmp_path: Path
) -> None:
    daemon = start_daemon(desktop.env, "--speed", SPEED, "--config", _config(tmp_path, QUIET))
    with desktop.keep_active():
        time.sleep(7)  # eyes due at 10 s of activity
    time.sleep(4)  # real X idle time: longer than every break length at 120x
    with desktop.keep_active():
        time.sleep(7)  # 7 s more: without the reset, eyes would be due at 3 s
    assert _summaries(desktop) == []
    log = daemon.log()
    assert "natural break: eyes timer reset" in log
    assert "natural break: break timer reset" in log
