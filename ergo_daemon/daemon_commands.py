"""What the daemon's commands (``daemon.snooze("eyes")``) return, and how they read a request.

Each command returns a small frozen result; ``control.handler`` makes the words people read
from it. The helpers below are pure: given the policy and ``now``, they say what a request
means (which kind, until when), or raise Refused in plain words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from ergo_daemon.fallback import InUse
from ergo_daemon.policy import Policy, Status
from ergo_daemon.workhours import local_instant

if TYPE_CHECKING:
    from ergo_daemon.kinds import Kind

UNTIL_RESUMED = datetime(9000, 1, 1, tzinfo=UTC)  # the end of a pause with no end given


class Refused(Exception):
    """A valid command that cannot be done now; the message says why, in plain words."""


@dataclass(frozen=True)
class Paused:
    at: datetime
    until: datetime  # UNTIL_RESUMED: until resumed


@dataclass(frozen=True)
class Resumed:
    at: datetime
    was_paused: bool


@dataclass(frozen=True)
class Planned:
    """``kind`` was skipped or done at ``at``; ``next``: when it comes next (None: not planned)."""

    at: datetime
    kind: Kind
    next: datetime | None


@dataclass(frozen=True)
class Snoozed(Planned):
    snoozes_left: int


@dataclass(frozen=True)
class Reloaded:
    summary: str  # "configuration reloaded: eyes.every: 20m -> 30m"


@dataclass(frozen=True)
class Snapshot:
    """The daemon as ``status`` shows it at ``at``; times of day are aware datetimes."""

    at: datetime
    status: Status | None  # None: no look at activity yet
    paused_until: datetime | None  # only while paused
    plan: tuple[tuple[Kind, datetime], ...]  # (kind, next due), in the order of the rules
    held: tuple[str, datetime] | None  # why prompts wait, and since when; only while held
    quiet: str | None  # why a prompt due now would wait (Do Not Disturb...), while not held
    active: float  # seconds today
    sitting: float  # seconds: the current unbroken stretch
    longest: float  # seconds: today's longest stretch
    snoozes_left: int
    activity: str  # the activity source's name
    statistics_problem: str | None
    delivery_failure: tuple[str, datetime] | None  # why notices do not show, and since when
    settings: InUse


def pause_end(policy: Policy, now: datetime, seconds: float | None, until: str | None) -> datetime:
    """When a pause of ``seconds``, until ``HH:MM`` or ``"tomorrow"`` (or none) ends."""
    tz = policy.calendar.tz
    if seconds:
        return now + timedelta(seconds=seconds)
    if until == "tomorrow":
        return local_instant(now.date() + timedelta(days=1), 0, tz)
    if until:
        hour, minute = map(int, until.split(":"))
        end = local_instant(now.date(), hour * 60 + minute, tz)
        return (
            end
            if end > now
            else local_instant(now.date() + timedelta(days=1), hour * 60 + minute, tz)
        )
    return UNTIL_RESUMED


def target(
    policy: Policy, name: str | None, shown: tuple[Kind, datetime] | None, now: datetime
) -> tuple[Kind, bool]:
    """The kind a snooze or skip means, and whether it is the prompt just ``shown``."""
    recent = shown is not None and now - shown[1] <= policy.settings.snooze.length
    if name is not None:
        kind = known(policy, name)
        return kind, recent and shown is not None and shown[0] == kind
    if recent and shown is not None:
        return shown[0], True
    plan = policy.upcoming(now)
    if not plan:
        raise Refused("nothing is coming up to put off")
    return min(plan.items(), key=lambda item: item[1])[0], False


def known(policy: Policy, name: str) -> Kind:
    """The enabled kind a command names."""
    try:
        return policy.kind(name)
    except KeyError:
        enabled = ", ".join(kind.name for kind in policy.kinds())
        raise Refused(f"no {name!r} reminder is enabled (enabled: {enabled})") from None
