"""Control requests answered by a daemon on a fake clock: the words people read, and the log."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from support.activity import IdleFor
from support.clocks import FakeClock
from support.configs import settings
from support.daemons import fake_daemon
from support.notifiers import Shown

from ergo_daemon.control import messages as m
from ergo_daemon.control.handler import handle
from ergo_daemon.daemon import Daemon

OFFICE_HOURS = settings(
    {
        "work_hours": {"days": "mon-fri", "hours": ["08:00-18:00"]},
        "eyes": {},
        "snooze": {"per_day": 2},
    }
)


def _daemon(clock: FakeClock, speed: float = 1.0, shown: Shown | None = None) -> Daemon:
    return fake_daemon(
        OFFICE_HOURS,
        shown or Shown(),
        IdleFor(0.0),
        fallback=IdleFor(0.0),
        clock=clock,
        speed=speed,
    )


def ask(daemon: Daemon, command: str, **fields: Any) -> tuple[str, dict[str, Any]]:
    ok, message, data = m.parse_reply(handle(daemon, m.encode_request(command, **fields)))
    assert ok, message
    return message, data


def test_status_names_the_day_of_a_next_prompt_that_is_not_today() -> None:
    clock = FakeClock()  # Monday 09:00
    daemon = _daemon(clock)
    daemon.tick()
    assert ask(daemon, "status")[0].endswith("next eyes 09:20")
    clock.advance(9 * 3600)  # Monday 18:00: the next is on Tuesday morning
    assert ask(daemon, "status")[0].endswith("next eyes tomorrow 08:00")
    clock.advance(4 * 86400)  # Friday 18:00: the next is on Monday
    assert ask(daemon, "status")[0].endswith("next eyes Mon 08:00")


def test_snooze_skip_and_done_say_it_in_words_and_in_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = FakeClock()
    daemon = _daemon(clock)
    daemon.tick()
    with caplog.at_level(logging.INFO, logger="ergo_daemon"):
        assert ask(daemon, "snooze", kind="eyes")[0].endswith("(1 snooze left today)")
        assert ask(daemon, "snooze", kind="eyes")[0].endswith("(0 snoozes left today)")
        ask(daemon, "skip", kind="eyes")
        ask(daemon, "done", kind="eyes")
    assert "snoozed eyes until 09:20 (1 left today)" in caplog.text
    assert "skipped eyes; next at 09:20" in caplog.text
    assert "eyes done; next at 09:20" in caplog.text


def test_typed_durations_follow_speed_like_configured_ones() -> None:
    clock, shown = FakeClock(), Shown()
    daemon = _daemon(clock, speed=60, shown=shown)
    daemon.tick()
    _, paused = ask(daemon, "pause", seconds=1800)  # "pause 30m" at 60x: 30 s
    assert paused["paused_until"] == (clock.wall + timedelta(seconds=30)).isoformat()
    ask(daemon, "resume")
    while not shown.shown:  # the eye prompt shows: snoozing what just showed is back exactly then
        clock.advance(1)
        daemon.tick()
    _, snoozed = ask(daemon, "snooze", kind="eyes", seconds=600)  # 10 s at 60x
    assert snoozed["next"] == (clock.wall + timedelta(seconds=10)).isoformat()
    _, default = ask(daemon, "snooze", kind="eyes")  # snooze.length, 5 min: 5 s at 60x
    assert default["next"] == (clock.wall + timedelta(seconds=5)).isoformat()
    assert datetime.fromisoformat(default["next"]).tzinfo is not None
    assert clock.wall.tzinfo == UTC
