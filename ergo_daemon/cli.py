"""The ``ergo-daemon`` command: run the daemon, preview a day, list presets."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from collections import Counter
from datetime import date
from functools import partial
from typing import TYPE_CHECKING

from ergo_daemon import __version__
from ergo_daemon.commands import autostart as autostart_command
from ergo_daemon.commands import config as config_command
from ergo_daemon.commands import control as control_command
from ergo_daemon.commands import doctor as doctor_command
from ergo_daemon.commands import stats as stats_command
from ergo_daemon.commands.options import add_settings_options, load, load_without, watched_files
from ergo_daemon.settings.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ergo_daemon.ports import Notice

log = logging.getLogger("ergo_daemon")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        result: int = args.handler(args)
        sys.stdout.flush()  # here, so a closed pipe is caught below and not at exit
    except ConfigError as exc:
        print(f"ergo-daemon: configuration error:\n{_indent(str(exc))}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader stopped reading (``preview | head``): that is no error. Point stdout at
        # nothing so the interpreter's last flush cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ergo-daemon",
        description="Reminders for breaks, stretches, posture, water and eye rest, "
        "timed by the time you actually spend at the keyboard.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run the daemon in the foreground (what login starts)")
    add_settings_options(run)
    run.add_argument(
        "--speed",
        type=_positive_float,
        default=1.0,
        metavar="N",
        help="make time run N times faster (intervals, durations, idle thresholds), for demos",
    )
    run.add_argument("--verbose", action="store_true", help="log debugging detail")
    run.set_defaults(handler=_run)

    preview = commands.add_parser("preview", help="show one day's reminders before you roll out")
    add_settings_options(preview)
    preview.add_argument(
        "--date",
        type=_day,
        metavar="YYYY-MM-DD",
        help="the day to show (default: today)",
    )
    preview.add_argument("--json", action="store_true", help="print JSON for scripts")
    preview.set_defaults(handler=_preview)

    presets = commands.add_parser("presets", help="list the shipped presets")
    presets.set_defaults(handler=_presets)
    autostart_command.register(commands)
    config_command.register(commands)
    control_command.register(commands)
    doctor_command.register(commands)
    stats_command.register(commands)
    return parser


def _run(args: argparse.Namespace) -> int:
    from ergo_daemon import app, backends, fallback, logs
    from ergo_daemon.control.channel import ControlServer
    from ergo_daemon.control.instance import AlreadyRunning, InstanceLock

    log_file = logs.configure(verbose=args.verbose)
    endpoint = backends.control_endpoint()
    instance = InstanceLock(endpoint)
    try:
        instance.acquire()
    except AlreadyRunning as exc:
        log.error("%s; not starting a second one", exc)
        return 1
    in_use = fallback.CONFIGURED
    try:
        loaded = load(args)
    except ConfigError as exc:
        # Exiting would leave the person without reminders (and a service manager restarting
        # it in a loop): run on what is still good, and say so in a notice and in `status`.
        saved = logs.state_dir() / fallback.FILE_NAME
        without = partial(load_without, args)
        loaded, in_use = fallback.recover(exc, saved, without, watched_files(args))
    for line in loaded.overruled:
        log.warning("%s", line)
    daemon, wakeups = app.build(
        loaded, speed=args.speed, environ=os.environ, load=lambda: load(args), in_use=in_use
    )

    def answer(request: bytes) -> bytes:
        from ergo_daemon.control.handler import handle  # most days bring no request: load late

        return handle(daemon, request)

    server = ControlServer(endpoint, answer)
    server.start()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: wakeups.stop())
    if hasattr(signal, "SIGHUP"):  # POSIX: reload now (a thread, as the scheduler holds a lock)

        def reload(*_: object) -> None:
            daemon.request_reload()
            threading.Thread(target=wakeups.wake_now, daemon=True).start()

        signal.signal(signal.SIGHUP, reload)
    speed = f", {args.speed:g}x speed" if args.speed != 1 else ""
    preset = loaded.settings.preset or "built-in defaults"
    log.info("ready (%s%s; log file %s)", preset, speed, log_file or "none")
    try:
        wakeups.run()
    finally:
        server.close()
        daemon.close()
        instance.release()
    log.info("stopped")
    return 0


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


def _positive_float(text: str) -> float:
    """``--speed 60``; argparse shows the ArgumentTypeError's words, so they say what fits."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number above 0, e.g. 1, 60 or 0.5")
    return value


def _day(text: str) -> date:
    """``--date 2026-11-23``; a date that does not exist is named as such."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date; expected YYYY-MM-DD, e.g. 2026-11-23"
        ) from None


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" for line in text.splitlines())
