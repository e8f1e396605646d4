"""The daemon's day on disk: timers, pause, snoozes and today's tally survive a restart.

A small JSON file in the state folder, replaced atomically. A file from an earlier day, or one
that cannot be read, is ignored: the day starts fresh.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ergo_daemon.files import write_private_json
from ergo_daemon.policy import PolicyState

log = logging.getLogger(__name__)

VERSION = 1
_TIMES = (
    "last_seen",
    "locked_since",
    "paused_until",
    "last_working",
    "held_since",
    "passive_until",
)


@dataclass
class Tally:
    """Today's figures as the daemon counts them: active time and sitting stretches (seconds)."""

    day: date
    active: float = 0.0
    sitting: float = 0.0  # the current unbroken stretch
    longest: float = 0.0

    def add(self, seconds: float) -> None:
        self.active += seconds
        self.sitting += seconds
        self.longest = max(self.longest, self.sitting)


@dataclass
class Saved:
    state: PolicyState
    tally: Tally
    saved_at: datetime


def save(path: Path, state: PolicyState, tally: Tally, now: datetime) -> None:
    """Write atomically; raises OSError (the caller logs it and keeps running)."""
    policy = asdict(state)
    for name in _TIMES:
        policy[name] = policy[name] and policy[name].isoformat()
    body = {
        "v": VERSION,
        "saved_at": now.isoformat(),
        "policy": policy,
        "tally": {**asdict(tally), "day": tally.day.isoformat()},
    }
    write_private_json(path, body)


def load(path: Path, today: date) -> Saved | None:
    """The saved day if it is ``today``'s; None when there is none, it is old, or unreadable."""
    try:
        body = json.loads(path.read_text())
        if body.get("v") != VERSION:
            return None
        tally = Tally(**{**body["tally"], "day": date.fromisoformat(body["tally"]["day"])})
        if tally.day != today:
            return None
        policy: dict[str, Any] = body["policy"]
        known = {f.name for f in fields(PolicyState)}
        policy = {k: v for k, v in policy.items() if k in known}
        for name in _TIMES:
            policy[name] = policy.get(name) and datetime.fromisoformat(policy[name])
        return Saved(PolicyState(**policy), tally, datetime.fromisoformat(body["saved_at"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        log.warning("ignoring the saved state in %s (%s); starting the day fresh", path, exc)
        return None
