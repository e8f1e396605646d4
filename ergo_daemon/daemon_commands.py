"""The running daemon's commands, typed or a notice's button: ``daemon.snooze("eyes")``.

These functions are methods of ``Daemon`` (its class binds them by name), kept apart from the
tick. Each takes the daemon's lock, looks at activity first (time passes between looks), acts
at one ``now``, saves, and asks for a wake (what is due next may have moved). Each returns a
small frozen result; ``control.handler`` makes the words people read from it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from ergo_daemon.fallback import InUse
from ergo_daemon.policy import Policy, Status
from ergo_daemon.workhours import local_instant

if TYPE_CHECKING:
    from ergo_daemon.daemon import Daemon
    from ergo_daemon.kinds import Kind

log = logging.getLogger(__name__)

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
    active: float  # seconds today
    sitting: float  # seconds: the current unbroken stretch
    longest: float  # seconds: today's longest stretch
    snoozes_left: int
    activity: str  # the activity source's name
    statistics_problem: str | None
    delivery_failure: tuple[str, datetime] | None  # why notices do not show, and since when
    settings: InUse


def pause(daemon: Daemon, *, seconds: float | None = None, until: str | None = None) -> Paused:
    """Pause for ``seconds``, until a local ``HH:MM`` or ``"tomorrow"``, or until resumed."""
    with _command(daemon) as now:
        # A typed duration follows --speed like every configured one; a time of day stays.
        end = _pause_end(daemon.policy, now, seconds and seconds / daemon.speed, until)
        daemon.policy.pause(end)
        return Paused(now, end)


def resume(daemon: Daemon) -> Resumed:
    """End a pause; says whether there was one."""
    with _command(daemon) as now:
        was_paused = daemon.policy.is_paused(now)
        daemon.policy.resume()
        return Resumed(now, was_paused)


def snooze(daemon: Daemon, name: str | None = None, seconds: float | None = None) -> Snoozed:
    """Put kind ``name`` (else the prompt just shown, else the next) off; raises Refused."""
    with _command(daemon) as now:
        policy = daemon.policy
        kind, just_shown = _target(policy, name, daemon._last_shown, now)
        # A typed duration follows --speed like every configured one (snooze.length is).
        typed = seconds and seconds / daemon.speed
        length = typed or policy.settings.snooze.length.total_seconds()
        try:
            policy.snooze(kind, length, now, just_shown=just_shown)
        except ValueError as exc:
            raise Refused(str(exc)) from None
        daemon.record(now, kind, "snoozed")
        return Snoozed(now, kind, policy.upcoming(now).get(kind), policy.snoozes_left(now))


def skip(daemon: Daemon, name: str | None = None) -> Planned:
    """Let kind ``name`` (else the prompt just shown, else the next) go by; raises Refused."""
    with _command(daemon) as now:
        kind, just_shown = _target(daemon.policy, name, daemon._last_shown, now)
        if not just_shown:
            daemon.policy.skip(kind, now)
        daemon.record(now, kind, "skipped")
        return Planned(now, kind, daemon.policy.upcoming(now).get(kind))


def done(daemon: Daemon, name: str, *, merged: Sequence[Kind] = ()) -> Planned:
    """Count kind ``name`` as taken; ``merged``: the other kinds the answered notice covered."""
    with _command(daemon) as now:
        policy = daemon.policy
        kind = _known(policy, name)
        policy.reset(kind)
        daemon.record(now, kind, "done", merged)
        if kind.rests:  # a real rest ends the sitting stretch
            daemon._desk.sitting = 0.0
        return Planned(now, kind, policy.upcoming(now).get(kind))


def dismissed(daemon: Daemon, kind: Kind, *, merged: Sequence[Kind] = ()) -> None:
    """The person closed ``kind``'s notice without answering it."""
    with _command(daemon) as now:
        daemon.record(now, kind, "dismissed", merged)


def reload(daemon: Daemon) -> Reloaded:
    """Read the configuration again now; raises Refused when the new one is not in force."""
    with _command(daemon) as now:
        if daemon._reloader is None:
            raise Refused("this daemon does not reload its configuration")
        daemon._reloader.request()
        summary = daemon._reload_if_changed(now) or "configuration unchanged"
        if daemon._settings_in_use.problem is not None:
            raise Refused(summary)
        return Reloaded(summary)


def status(daemon: Daemon) -> Snapshot:
    """The daemon now, the time since its last look counted."""
    with _command(daemon, saves=False) as now:
        policy, desk = daemon.policy, daemon._desk
        paused = policy.state.paused_until if policy.is_paused(now) else None
        plan = {} if paused == UNTIL_RESUMED else policy.upcoming(max(now, paused or now))
        recorder = daemon.recorder
        return Snapshot(
            at=now,
            status=daemon._status,
            paused_until=paused,
            plan=tuple(plan.items()),
            held=daemon._held if daemon._status == "held" else None,
            active=desk.active,
            sitting=desk.sitting,
            longest=desk.longest,
            snoozes_left=policy.snoozes_left(now),
            activity=daemon.activity.name,
            statistics_problem=recorder.problem if recorder is not None else None,
            delivery_failure=daemon._delivery_failure,
            settings=daemon._settings_in_use,
        )


def stop(daemon: Daemon) -> None:
    """Save, and end the run."""
    with daemon._lock:
        daemon.save()
    daemon._on_stop()


def apply_answers(daemon: Daemon) -> None:
    """Each button pressed since the last wake, by its typed command's own call."""
    if not daemon._answers:
        return
    # Loaded on first use, like the control channel: most days bring no answer.
    from ergo_daemon.control.handler import apply_answer

    while daemon._answers:
        answer = daemon._answers.popleft()
        log.info("answered %s: %s", answer.kind, apply_answer(daemon, answer))


@contextmanager
def _command(daemon: Daemon, *, saves: bool = True) -> Iterator[datetime]:
    """Hold the lock, look at activity, act at the ``now`` given; then save and ask for a wake.

    A refusal or a failure ends it at once: nothing saved, no wake asked.
    """
    with daemon._lock:
        daemon._tick()  # the time since the last look counts before acting on it or showing it
        yield daemon.now()
        if saves:
            daemon.save()
    daemon._on_change()


def _pause_end(policy: Policy, now: datetime, seconds: float | None, until: str | None) -> datetime:
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


def _target(
    policy: Policy, name: str | None, shown: tuple[Kind, datetime] | None, now: datetime
) -> tuple[Kind, bool]:
    """The kind a snooze or skip means, and whether it is the prompt just ``shown``."""
    recent = shown is not None and now - shown[1] <= policy.settings.snooze.length
    if name is not None:
        kind = _known(policy, name)
        return kind, recent and shown is not None and shown[0] == kind
    if recent and shown is not None:
        return shown[0], True
    plan = policy.upcoming(now)
    if not plan:
        raise Refused("nothing is coming up to put off")
    return min(plan.items(), key=lambda item: item[1])[0], False


def _known(policy: Policy, name: str) -> Kind:
    """The enabled kind a command names."""
    try:
        return policy.kind(name)
    except KeyError:
        enabled = ", ".join(kind.name for kind in policy.kinds())
        raise Refused(f"no {name!r} reminder is enabled (enabled: {enabled})") from None
