"""``ergo-daemon report`` and ``ergo-daemon stats export|purge``: the recorded statistics."""

from __future__ import annotations

import argparse
import csv
import sqlite3
import sys
from dataclasses import astuple
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from ergo_daemon.stats.report import DayActivity, PromptEvent

CSV_COLUMNS = (
    "record",
    "day",
    "at_utc",
    "kind",
    "outcome",
    "merged",
    "active_seconds",
    "longest_sitting_seconds",
    "held_seconds",  # of the active seconds, those in calls, films and Do Not Disturb
)
MAX_DAYS = 3660
DB_HELP = "the statistics database (default: stats.sqlite3 in the state directory)"
REPORT_EPILOG = """\
A break is 'prompted' each time a break reminder is shown, and 'taken' each time one is
marked done or a natural break (time away from the keyboard) resets it, so taken can exceed
prompted. Eye rests and stretches count the same way; a glass is a water reminder marked done."""


def register(commands: Any) -> None:
    """Add the ``report`` and ``stats`` subcommands."""
    report = commands.add_parser(
        "report",
        help="active time, sitting, breaks and water per day",
        description="Show the recorded statistics per day, or write them as a web page.",
        epilog=REPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    report.add_argument(
        "--days",
        type=_days,
        default=7,
        metavar="N",
        help="the last N days, today included (default: 7)",
    )
    report.add_argument(
        "--html",
        type=Path,
        metavar="FILE",
        help="write a self-contained page with charts to FILE instead of printing",
    )
    report.add_argument("--db", type=Path, metavar="PATH", help=DB_HELP)
    report.set_defaults(handler=_report)

    stats = commands.add_parser("stats", help="export or delete the recorded statistics")
    actions = stats.add_subparsers(title="actions", required=True, metavar="ACTION")
    export = actions.add_parser(
        "export",
        help="write every recorded prompt and day to a CSV file",
        description="One row per day of activity ('day') and per prompt event ('prompt'), "
        "oldest first; times in UTC, days in local time.",
    )
    export.add_argument(
        "--csv", type=Path, required=True, metavar="FILE", help="where to write ('-': stdout)"
    )
    export.add_argument("--db", type=Path, metavar="PATH", help=DB_HELP)
    export.set_defaults(handler=_export)

    purge = actions.add_parser(
        "purge",
        help="delete every recorded statistic",
        description="Delete every recorded statistic, and the copies of damaged databases "
        "that were moved aside. Safe while the daemon runs; it keeps recording afterwards.",
    )
    purge.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    purge.add_argument("--db", type=Path, metavar="PATH", help=DB_HELP)
    purge.set_defaults(handler=_purge)


def _report(args: argparse.Namespace) -> int:
    from ergo_daemon.stats.report import ReportError, read_report

    path = _database(args)
    try:
        report = read_report(path, last=date.today(), days=args.days)
    except ReportError as exc:
        print(f"ergo-daemon report: {exc}", file=sys.stderr)
        return 1
    if args.html is None:
        from ergo_daemon.stats import text

        fits = _can_encode(sys.stdout, "".join(astuple(text.UNICODE)))
        print(text.render(report, glyphs=text.UNICODE if fits else text.ASCII), end="")
        return 0
    from ergo_daemon.stats import html

    try:
        args.html.write_text(html.render(report), encoding="utf-8")
    except OSError as exc:
        print(f"ergo-daemon report: cannot write {args.html}: {exc.strerror}", file=sys.stderr)
        return 1
    note = " (no statistics yet)" if report.empty else ""
    print(f"wrote {args.html}{note}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from ergo_daemon.stats.report import ReportError, open_database, read_activity, read_prompts

    path = _database(args)
    try:
        conn = open_database(path)
        try:
            prompts = read_prompts(conn) if conn else []
            activity = read_activity(conn) if conn else []
        finally:
            if conn:
                conn.close()
    except (ReportError, sqlite3.Error) as exc:
        print(f"ergo-daemon stats export: {exc}", file=sys.stderr)
        return 1
    to_stdout = str(args.csv) == "-"
    try:
        if to_stdout:
            _write_csv(sys.stdout, prompts, activity)
        else:
            with args.csv.open("w", newline="", encoding="utf-8") as out:
                _write_csv(out, prompts, activity)
    except OSError as exc:
        print(f"ergo-daemon stats export: cannot write {args.csv}: {exc}", file=sys.stderr)
        return 1
    where = "standard output" if to_stdout else str(args.csv)
    print(
        f"exported {_count(len(prompts), 'prompt event')} and"
        f" {_count(len(activity), 'day')} of activity to {where}",
        file=sys.stderr if to_stdout else sys.stdout,
    )
    return 0


def _write_csv(out: TextIO, prompts: list[PromptEvent], activity: list[DayActivity]) -> None:
    rows = [
        (
            "day",
            a.day.isoformat(),
            "",
            "",
            "",
            "",
            _seconds(a.active_seconds),
            _seconds(a.longest_sitting_seconds),
            _seconds(a.held_seconds),
        )
        for a in activity
    ]
    rows += [
        ("prompt", p.day.isoformat(), p.at, p.kind, p.outcome, " ".join(p.merged), "", "", "")
        for p in prompts
    ]
    # Each day's activity row first, then its prompts in time order.
    rows.sort(key=lambda row: (row[1], row[0] != "day", row[2]))
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(rows)


def _purge(args: argparse.Namespace) -> int:
    from ergo_daemon.stats.store import BrokenDatabase, purge

    path = _database(args)
    if not args.yes:
        if not sys.stdin.isatty():
            print(
                "ergo-daemon stats purge: nothing deleted; add --yes to confirm without a terminal",
                file=sys.stderr,
            )
            return 2
        answer = input(f"Delete every statistic recorded in {path}? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing deleted.")
            return 1
    try:
        purged = purge(path)
    except (BrokenDatabase, sqlite3.Error, OSError) as exc:
        print(f"ergo-daemon stats purge: {exc}", file=sys.stderr)
        return 1
    print(
        f"Deleted {_count(purged.prompts, 'prompt event')} and"
        f" {_count(purged.days, 'day')} of activity from {path}."
    )
    for copy in purged.broken_copies:
        print(f"Deleted {copy} (a damaged database moved aside earlier).")
    return 0


def _database(args: argparse.Namespace) -> Path:
    if args.db is not None:
        return Path(args.db)
    from ergo_daemon import paths

    return paths.stats_database()


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= MAX_DAYS:
        raise argparse.ArgumentTypeError(f"must be from 1 to {MAX_DAYS}")
    return value


def _can_encode(stream: TextIO, sample: str) -> bool:
    try:
        sample.encode(stream.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _seconds(value: float) -> str:
    return f"{value:.0f}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
