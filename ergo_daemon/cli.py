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
from typing import TYPE_CHECKING

from ergo_daemon import __version__
from ergo_daemon.commands import autostart as autostart_command
from ergo_daemon.commands import config as config_command
from ergo_daemon.commands import control as control_command
from ergo_daemon.commands import doctor as doctor_command
from ergo_daemon.commands import stats as stats_command
from ergo_daemon.commands.options import add_settings_options, load
from ergo_daemon.settings.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ergo_daemon.content.compose import Notice

log = logging.getLogger("ergo_daemon")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        result: int = args.handler(args)
    except ConfigError as exc:
        print(f"ergo-daemon: configuration error:\n{_indent(str(exc))}", file=sys.stderr)
        return 2
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
        type=date.fromisoformat,
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
    from ergo_daemon import app, backends, logs
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
    try:
        loaded = load(args)
    except ConfigError as exc:
        log.error("configuration error, not starting:\n%s", _indent(str(exc)))
        return 2
    for line in loaded.overruled:
        log.warning("%s", line)
    daemon, wakeups = app.build(
        loaded, speed=args.speed, environ=os.environ, load=lambda: load(args)
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
    from ergo_daemon.simulate import working_day

    settings = load(args).settings
    tz = local_zone(settings)
    day = args.date or date.today()
    notices = working_day(settings, day, tz)
    if args.json:
        print(json.dumps([_as_json(n) for n in notices], indent=2, ensure_ascii=False))
        return 0
    hours = ", ".join(
        f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}"
        for a, b in settings.work_hours.hours
    )
    print(
        f"{day:%A %Y-%m-%d}, {tz.key}: working {'/'.join(settings.work_hours.days)} {hours}, "
        f"preset {settings.preset or 'office (built-in)'}"
    )
    if not notices:
        print("No reminders: this is not a working day.")
        return 0
    for notice in notices:
        merged = f"  (+ {', '.join(notice.merged)})" if notice.merged else ""
        print(f"{notice.at.astimezone(tz):%H:%M}  {notice.kind:<10} {notice.title}{merged}")
    counts = Counter(n.kind for n in notices)
    print(f"{len(notices)} reminders: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


def _as_json(notice: Notice) -> dict[str, object]:
    return {
        "at": notice.at.isoformat(timespec="seconds"),
        "kind": notice.kind,
        "title": notice.title,
        "message": notice.message,
        "merged": list(notice.merged),
    }


def _presets(_args: argparse.Namespace) -> int:
    from ergo_daemon.settings.presets import shipped_presets

    for preset in shipped_presets():
        print(f"{preset.name:<14} {preset.description}")
    return 0


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be greater than 0")
    return value


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" for line in text.splitlines())
