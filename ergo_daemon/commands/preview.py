"""``ergo-daemon preview [--date D] [--json]``: one day's reminders; ``presets``: the presets."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from datetime import date
from typing import TYPE_CHECKING

from ergo_daemon.commands.options import add_settings_options, load

if TYPE_CHECKING:
    from ergo_daemon.ports import Notice


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``preview`` and ``presets`` subcommands."""
    preview = subparsers.add_parser("preview", help="show one day's reminders before you roll out")
    add_settings_options(preview)
    preview.add_argument(
        "--date",
        type=_day,
        metavar="YYYY-MM-DD",
        help="the day to show (default: today)",
    )
    preview.add_argument("--json", action="store_true", help="print JSON for scripts")
    preview.set_defaults(handler=_preview)

    presets = subparsers.add_parser("presets", help="list the shipped presets")
    presets.set_defaults(handler=_presets)


def _preview(args: argparse.Namespace) -> int:
    from ergo_daemon.app import local_zone
    from ergo_daemon.settings.models import format_range
    from ergo_daemon.simulate import working_day

    settings = load(args).settings
    tz = local_zone(settings)
    day = args.date or date.today()
    notices = working_day(settings, day, tz)
    if args.json:
        print(json.dumps([_as_json(n) for n in notices], indent=2, ensure_ascii=False))
        return 0
    hours = ", ".join(format_range(a, b) for a, b in settings.work_hours.hours)
    print(
        f"{day:%A %Y-%m-%d}, {tz.key}: working {'/'.join(settings.work_hours.days)} {hours}, "
        f"preset {settings.preset or 'office (built-in)'}"
    )
    if not notices:
        print("No reminders: this is not a working day.")
        return 0
    for notice in notices:
        merged = f"  (+ {', '.join(k.name for k in notice.merged)})" if notice.merged else ""
        local = notice.at.astimezone(tz)
        when = f"{local:%H:%M}" if local.date() == day else f"{local:%a %H:%M}"  # a night shift
        print(f"{when}  {_name(notice):<10} {notice.title}{merged}")
    counts = Counter(_name(n) for n in notices)
    from ergo_daemon.words import counted

    print(
        f"{counted(len(notices), 'reminder')}: " + ", ".join(f"{k} {v}" for k, v in counts.items())
    )
    return 0


def _as_json(notice: Notice) -> dict[str, object]:
    return {
        "at": notice.at.isoformat(timespec="seconds"),
        "kind": _name(notice),
        "title": notice.title,
        "message": notice.message,
        "merged": [k.name for k in notice.merged],
    }


def _name(notice: Notice) -> str:
    return notice.kind.name if notice.kind is not None else notice.topic


def _presets(_args: argparse.Namespace) -> int:
    from ergo_daemon.settings.presets import shipped_presets

    for preset in shipped_presets():
        print(f"{preset.name:<14} {preset.description}")
    return 0


def _day(text: str) -> date:
    """``--date 2026-11-23``; a date that does not exist is named as such."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date; expected YYYY-MM-DD, e.g. 2026-11-23"
        ) from None
