"""Commands for the running daemon: status, pause, resume, snooze, skip, done, stop, reload.

Each prints one short line (or JSON with ``--json``). Exit status: 0 done, 1 refused by the
daemon, 3 no daemon running.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

NOT_RUNNING = 3


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the control subcommands."""

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        parser = subparsers.add_parser(name, help=help_text, description=help_text)
        parser.add_argument("--json", action="store_true", help="print the reply as JSON")
        parser.set_defaults(handler=_send, command=name)
        return parser

    command("status", "is the daemon running, what is next, how much active time today")
    pause = command("pause", "hold every reminder; timers freeze and continue on resume")
    pause.add_argument(
        "length",
        nargs="*",
        metavar="DURATION | until HH:MM | until tomorrow",
        help="e.g. '45m', 'until 14:00', 'until tomorrow'; nothing: until 'resume'",
    )
    command("resume", "end a pause; timers go on where they were")
    snooze = command("snooze", "put off the prompt just shown, or the next one")
    snooze.add_argument("kind", nargs="?", help="eyes, stretch, break, hydration, ...")
    snooze.add_argument("duration", nargs="?", help="how long (default: snooze.length)")
    skip = command("skip", "let the prompt just shown, or the next one, go by")
    skip.add_argument("kind", nargs="?")
    done = command("done", "say you did it: 'done hydration' logs a glass, 'done break' a break")
    done.add_argument("kind")
    command("stop", "stop the daemon")
    command("reload", "read the configuration files again now")


def _send(args: argparse.Namespace) -> int:
    from ergo_daemon import backends
    from ergo_daemon.control.channel import NotRunning, call
    from ergo_daemon.control.wire import BadRequest, encode_request, parse_reply

    try:
        fields = _fields(args)
    except ValueError as exc:
        print(f"ergo-daemon {args.command}: {exc}", file=sys.stderr)
        return 2
    try:
        raw = call(backends.control_endpoint(), encode_request(args.command, **fields))
        ok, message, data = parse_reply(raw)
    except NotRunning as exc:
        if args.json:
            print(json.dumps({"running": False, "message": str(exc)}))
        else:
            print(f"{exc}. Start it with 'ergo-daemon run'.", file=sys.stderr)
        return NOT_RUNNING
    except (TimeoutError, OSError, BadRequest) as exc:
        print(f"ergo-daemon {args.command}: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps({"ok": ok, "message": message, **data}, indent=2))
    else:
        print(message, file=sys.stdout if ok else sys.stderr)
    return 0 if ok else 1


def _fields(args: argparse.Namespace) -> dict[str, Any]:
    """The request's fields from the command line; raises ValueError for what cannot be sent."""
    match args.command:
        case "pause":
            words = args.length
            if not words:
                return {}
            if words[0] == "until" and len(words) == 2:
                return {"until": _time_of_day(words[1])}
            if len(words) == 1:
                return {"seconds": _seconds(words[0])}
            raise ValueError("say how long: '45m', 'until 14:00' or 'until tomorrow'")
        case "snooze":
            kind, duration = args.kind, args.duration
            if kind is not None and duration is None and kind[:1].isdigit():
                kind, duration = None, kind  # 'snooze 10m'
            return {"kind": kind, "seconds": _seconds(duration) if duration else None}
        case "skip" | "done":
            return {"kind": args.kind}
    return {}


LONGEST = 7 * 86400  # the daemon takes pauses and snoozes of up to a week


def _seconds(text: str) -> float:
    """``"45m"`` as 2700.0; a ValueError in plain words for anything the daemon would refuse."""
    from ergo_daemon.durations import FORMAT_HELP, parse_duration

    try:
        seconds = parse_duration(text).total_seconds()
    except ValueError:
        raise ValueError(f"{text!r} is not a length of time; expected {FORMAT_HELP}") from None
    if not 0 < seconds <= LONGEST:
        raise ValueError(f"{text!r}: expected more than 0s and at most 7 days (168h)")
    return seconds


def _time_of_day(text: str) -> str:
    """``"9:05"`` as ``"09:05"``; ``"tomorrow"`` as is; a plain ValueError otherwise."""
    if text == "tomorrow":
        return text
    hour, sep, minute = text.partition(":")
    digits = sep and hour.isdigit() and minute.isdigit() and len(minute) == 2
    if digits and int(hour) < 24 and int(minute) < 60:
        return f"{int(hour):02d}:{minute}"
    raise ValueError(f"until {text!r}: expected a time of day from 00:00 to 23:59, or 'tomorrow'")
