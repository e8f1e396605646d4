"""What the running daemon does with each control request; every answer is one short line."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ergo_daemon.control import messages as m
from ergo_daemon.durations import format_duration
from ergo_daemon.notify.answers import LABELS
from ergo_daemon.words import counted
from ergo_daemon.workhours import local_instant

if TYPE_CHECKING:
    from ergo_daemon.daemon import Daemon
    from ergo_daemon.kinds import Kind
    from ergo_daemon.notify.answers import Answer

log = logging.getLogger(__name__)

UNTIL_RESUMED = datetime(9000, 1, 1, tzinfo=UTC)


class Refused(Exception):
    """A valid request that cannot be done now (the reply says why)."""


def handle(daemon: Daemon, raw: bytes) -> bytes:
    """Answer one request; never raises, whatever arrives."""
    try:
        request = m.parse_request(raw)
    except m.BadRequest as exc:
        return m.reply(f"bad request: {exc}", ok=False)
    try:
        if not isinstance(request, m.Stop):
            # The daemon looks at activity only now and then: count the time since its last look
            # before acting on it or reporting it.
            daemon.tick()
        with daemon.lock:
            message, data = _dispatch(daemon, request, daemon.now())
            if not isinstance(request, m.Status):
                daemon.save()
    except Refused as exc:
        return m.reply(str(exc), ok=False)
    except Exception:
        log.exception("control request %s failed", request.command)
        return m.reply(f"{request.command} failed inside the daemon; see its log", ok=False)
    if isinstance(request, m.Stop):
        daemon.on_stop()
    else:  # plan the next look from what is known now
        daemon.on_change()
    return m.reply(message, **data)


def apply_answer(daemon: Daemon, answer: Answer, now: datetime) -> str:
    """Do what a notice's button asks, as its command would (the daemon's lock is held)."""
    if answer.action == "dismissed":
        daemon.record(now, answer.kind, "dismissed", answer.merged)
        return "dismissed"
    request: m.Request
    if answer.action == "done":
        request = m.Done(v=1, command="done", kind=answer.kind.name)
    elif answer.action == "snooze":
        request = m.Snooze(v=1, command="snooze", kind=answer.kind.name)
    else:
        request = m.Skip(v=1, command="skip", kind=answer.kind.name)
    try:
        message, _ = _dispatch(daemon, request, now, merged=answer.merged)
    except Refused as exc:
        daemon.tell(f"{LABELS[answer.action]}: {exc}", now)
        return f"refused: {exc}"
    except Exception:  # a button must never stop the daemon
        log.exception("answering %s with %s failed", answer.kind, answer.action)
        return "failed inside the daemon"
    return message


def _dispatch(
    daemon: Daemon, request: m.Request, now: datetime, *, merged: tuple[Kind, ...] = ()
) -> tuple[str, dict[str, Any]]:
    """Do one request; ``merged``: the other kinds a notice answered by a button covered."""
    policy = daemon.policy
    match request:
        case m.Status():
            return _status(daemon, now)
        case m.Pause():
            until = _pause_end(daemon, request, now)
            policy.pause(until)
            log.info("paused %s", _until(until, now))
            return f"paused {_until(until, now)}", {"paused_until": _iso(until)}
        case m.Resume():
            was = policy.state.paused_until
            policy.resume()
            log.info("resumed")
            return ("resumed" if was and was > now else "was not paused"), {}
        case m.Snooze():
            kind, just_shown = _target(daemon, request.kind, now)
            # A typed duration follows --speed like every configured one (snooze.length is).
            typed = request.seconds and request.seconds / daemon.speed
            seconds = typed or policy.settings.snooze.length.total_seconds()
            try:
                policy.snooze(kind, seconds, now, just_shown=just_shown)
            except ValueError as exc:
                raise Refused(str(exc)) from None
            daemon.record(now, kind, "snoozed")
            due = policy.upcoming(now).get(kind)
            left = policy.snoozes_left(now)
            log.info("snoozed %s until %s (%s left today)", kind, _when(due, now), left)
            return (
                f"snoozed {kind}: next at {_when(due, now)} ({counted(left, 'snooze')} left today)"
                if due
                else f"snoozed {kind}",
                {"kind": kind.name, "next": _iso(due), "snoozes_left": left},
            )
        case m.Skip():
            kind, just_shown = _target(daemon, request.kind, now)
            if not just_shown:
                policy.skip(kind, now)
            daemon.record(now, kind, "skipped")
            due = policy.upcoming(now).get(kind)
            log.info("skipped %s; next at %s", kind, _when(due, now))
            return f"skipped {kind}" + (f"; next at {_when(due, now)}" if due else ""), {
                "kind": kind.name
            }
        case m.Done():
            kind = _known(daemon, request.kind)
            policy.reset(kind)
            daemon.record(now, kind, "done", merged)
            if kind.rests:  # a real rest ends the sitting stretch
                daemon.tally.sitting = 0.0
            what = kind.done_line()
            due = policy.upcoming(now).get(kind)
            log.info("%s; next at %s", what, _when(due, now))
            return what + (f"; next at {_when(due, now)}" if due else ""), {"kind": kind.name}
        case m.Stop():
            return "stopping", {}
        case m.Reload():
            done, summary = daemon.reload(now)
            if not done:  # exit 1: the new file was refused
                raise Refused(summary)
            return summary, {}
    raise Refused(f"unknown command {request.command}")  # pragma: no cover: validated above


def _status(daemon: Daemon, now: datetime) -> tuple[str, dict[str, Any]]:
    policy, tally = daemon.policy, daemon.tally
    paused = policy.state.paused_until if policy.is_paused(now) else None
    plan = {} if paused == UNTIL_RESUMED else policy.upcoming(max(now, paused or now))
    state = f"paused {_until(paused, now)}" if paused else (daemon.status or "starting")
    held = _held(daemon, now)
    if held is not None and not paused:
        state = f"held: {held['reason']} since {held['since_local']}"
    line = f"{state}; {format_duration(timedelta(seconds=round(tally.active)))} active today"
    if plan:
        line += "; next " + ", ".join(
            f"{k} {_when(t, now)}" for k, t in sorted(plan.items(), key=_at)
        )
    problem = daemon.recorder.problem if daemon.recorder else None
    data = {
        "running": True,
        "pid": os.getpid(),
        "status": daemon.status,
        "paused_until": _iso(paused),
        "active_today": round(tally.active),
        "sitting_now": round(tally.sitting),
        "longest_sitting_today": round(tally.longest),
        "next": {kind.name: _iso(at) for kind, at in plan.items()},
        "snoozes_left": policy.snoozes_left(now),
        "activity": daemon.activity.name,
        "statistics_problem": problem,
        "held": held and {"reason": held["reason"], "since": held["since"]},
    }
    if problem:
        line += f" (statistics not recorded: {problem})"
    failure = daemon.delivery_failure
    data["delivery_problem"] = failure and {"error": failure[0], "since": _iso(failure[1])}
    if failure is not None:
        line += f"\nnotices are NOT shown since {_when(failure[1], now)}: {failure[0]}"
    in_use = daemon.settings_in_use
    data["settings"] = in_use.as_json()
    if in_use.problem is not None:
        first = in_use.problem.splitlines()[0]
        line += f"\nsettings: running on {in_use.detail}, because of a configuration error: {first}"
    return line, data


def _held(daemon: Daemon, now: datetime) -> dict[str, str] | None:
    """Why prompts wait now (``held: camera in use since 10:02``), if they do."""
    if daemon.status != "held" or daemon.held is None:
        return None
    reason, since = daemon.held
    local = since.astimezone(now.tzinfo)
    when = f"{local:%H:%M}" if local.date() == now.date() else f"{local:%a %H:%M}"
    return {"reason": reason, "since": _iso(since) or "", "since_local": when}


def _pause_end(daemon: Daemon, request: m.Pause, now: datetime) -> datetime:
    tz = daemon.policy.calendar.tz
    if request.seconds:  # a duration follows --speed; a time of day stays as it is
        return now + timedelta(seconds=request.seconds / daemon.speed)
    if request.until == "tomorrow":
        return local_instant(now.date() + timedelta(days=1), 0, tz)
    if request.until:
        hour, minute = map(int, request.until.split(":"))
        end = local_instant(now.date(), hour * 60 + minute, tz)
        return (
            end
            if end > now
            else local_instant(now.date() + timedelta(days=1), hour * 60 + minute, tz)
        )
    return UNTIL_RESUMED


def _target(daemon: Daemon, name: str | None, now: datetime) -> tuple[Kind, bool]:
    """The kind a snooze or skip means, and whether it is the prompt just shown."""
    window = daemon.policy.settings.snooze.length
    shown = daemon.last_shown
    recent = shown is not None and now - shown[1] <= window
    if name is not None:
        kind = _known(daemon, name)
        return kind, recent and shown is not None and shown[0] == kind
    if recent and shown is not None:
        return shown[0], True
    plan = daemon.policy.upcoming(now)
    if not plan:
        raise Refused("nothing is coming up to put off")
    return min(plan.items(), key=_at)[0], False


def _known(daemon: Daemon, name: str) -> Kind:
    """The enabled kind a request names."""
    try:
        return daemon.policy.kind(name)
    except KeyError:
        enabled = ", ".join(kind.name for kind in daemon.policy.kinds())
        raise Refused(f"no {name!r} reminder is enabled (enabled: {enabled})") from None


def _until(until: datetime | None, now: datetime) -> str:
    if until is None or until >= UNTIL_RESUMED:
        return "until resumed"
    local = until.astimezone(now.tzinfo)
    return f"until {local:%H:%M}" if local.date() == now.date() else f"until {local:%a %H:%M}"


def _when(at: datetime | None, now: datetime) -> str:
    """``08:00`` today, ``tomorrow 08:00``, or ``Mon 08:00`` later in the week."""
    if at is None:
        return "not planned"
    local = at.astimezone(now.tzinfo)
    days = (local.date() - now.date()).days
    if days == 0:
        return f"{local:%H:%M}"
    return f"tomorrow {local:%H:%M}" if days == 1 else f"{local:%a %H:%M}"


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat(timespec="seconds")


def _at(item: tuple[Kind, datetime]) -> datetime:
    return item[1]
