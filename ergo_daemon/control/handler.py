"""Control requests matched to the daemon's commands; every answer is one short line."""

from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ergo_daemon.control import messages as m
from ergo_daemon.daemon_commands import UNTIL_RESUMED, Paused, Planned, Refused, Snapshot, Snoozed
from ergo_daemon.durations import format_duration
from ergo_daemon.words import counted

if TYPE_CHECKING:
    from ergo_daemon.daemon import Daemon

log = logging.getLogger(__name__)

Said = tuple[str, dict[str, Any]]  # the reply's line and its data


def handle(daemon: Daemon, raw: bytes) -> bytes:
    """Answer one request; never raises, whatever arrives."""
    try:
        request = m.parse_request(raw)
    except m.BadRequest as exc:
        return m.reply(f"bad request: {exc}", ok=False)
    try:
        message, data = _dispatch(daemon, request)
    except Refused as exc:
        return m.reply(str(exc), ok=False)
    except Exception:
        log.exception("control request %s failed", request.command)
        return m.reply(f"{request.command} failed inside the daemon; see its log", ok=False)
    return m.reply(message, **data)


def _dispatch(daemon: Daemon, request: m.Request) -> Said:
    match request:
        case m.StatusQuery():
            return _status(daemon.status())
        case m.Pause():
            return _paused(daemon.pause(seconds=request.seconds, until=request.until))
        case m.Resume():
            was_paused = daemon.resume().was_paused
            log.info("resumed")
            return ("resumed" if was_paused else "was not paused"), {}
        case m.Snooze():
            return _snoozed(daemon.snooze(request.kind, request.seconds))
        case m.Skip():
            return _skipped(daemon.skip(request.kind))
        case m.Done():
            return _done(daemon.done(request.kind))
        case m.Stop():
            daemon.stop()
            return "stopping", {}
        case m.Reload():
            return daemon.reload().summary, {}
    raise Refused(f"unknown command {request.command}")  # pragma: no cover: validated above


def _paused(paused: Paused) -> Said:
    until = _until(paused.until, paused.at)
    log.info("paused %s", until)
    return f"paused {until}", {"paused_until": _iso(paused.until)}


def _snoozed(snoozed: Snoozed) -> Said:
    kind, due, left = snoozed.kind, snoozed.next, snoozed.snoozes_left
    log.info("snoozed %s until %s (%s left today)", kind, _when(due, snoozed.at), left)
    return (
        f"snoozed {kind}: next at {_when(due, snoozed.at)} ({counted(left, 'snooze')} left today)"
        if due
        else f"snoozed {kind}",
        {"kind": kind.name, "next": _iso(due), "snoozes_left": left},
    )


def _skipped(skipped: Planned) -> Said:
    log.info("skipped %s; next at %s", skipped.kind, _when(skipped.next, skipped.at))
    return f"skipped {skipped.kind}{_next(skipped)}", {"kind": skipped.kind.name}


def _done(done: Planned) -> Said:
    what = done.kind.done_line()
    log.info("%s; next at %s", what, _when(done.next, done.at))
    return what + _next(done), {"kind": done.kind.name}


def _next(planned: Planned) -> str:
    return f"; next at {_when(planned.next, planned.at)}" if planned.next else ""


def _status(shot: Snapshot) -> Said:
    now, paused = shot.at, shot.paused_until
    state = f"paused {_until(paused, now)}" if paused else (shot.status or "starting")
    held = _held(shot)
    if held is not None and not paused:
        state = f"held: {held['reason']} since {held['since_local']}"
    elif shot.quiet is not None:
        state += f" (a prompt due now would wait: {shot.quiet})"
    line = f"{state}; {format_duration(timedelta(seconds=round(shot.active)))} active today"
    if shot.plan:
        line += "; next " + ", ".join(
            f"{k} {_when(t, now)}" for k, t in sorted(shot.plan, key=lambda item: item[1])
        )
    problem = shot.statistics_problem
    data = {
        "running": True,
        "pid": os.getpid(),
        "status": shot.status,
        "paused_until": _iso(paused),
        "active_today": round(shot.active),
        "sitting_now": round(shot.sitting),
        "longest_sitting_today": round(shot.longest),
        "next": {kind.name: _iso(at) for kind, at in shot.plan},
        "snoozes_left": shot.snoozes_left,
        "activity": shot.activity,
        "statistics_problem": problem,
        "held": held and {"reason": held["reason"], "since": held["since"]},
        "quiet": shot.quiet,
    }
    if problem:
        line += f" (statistics not recorded: {problem})"
    failure = shot.delivery_failure
    data["delivery_problem"] = failure and {"error": failure[0], "since": _iso(failure[1])}
    if failure is not None:
        line += f"\nnotices are NOT shown since {_when(failure[1], now)}: {failure[0]}"
    in_use = shot.settings
    data["settings"] = in_use.as_json()
    if in_use.problem is not None:
        first = in_use.problem.splitlines()[0]
        line += f"\nsettings: running on {in_use.detail}, because of a configuration error: {first}"
    return line, data


def _held(shot: Snapshot) -> dict[str, str] | None:
    """Why prompts wait now (``held: camera in use since 10:02``), if they do."""
    if shot.held is None:
        return None
    reason, since = shot.held
    local = since.astimezone(shot.at.tzinfo)
    when = f"{local:%H:%M}" if local.date() == shot.at.date() else f"{local:%a %H:%M}"
    return {"reason": reason, "since": _iso(since) or "", "since_local": when}


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
