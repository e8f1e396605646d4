"""``ergo-daemon run [--speed N] [--verbose]``: the daemon in the foreground (what login starts).

Exit status: 0 once stopped (a signal, or ``ergo-daemon stop``), 1 when another daemon of this
user runs already.
"""

from __future__ import annotations

import argparse
import logging
import os
from functools import partial
from typing import TYPE_CHECKING

from ergo_daemon.commands.options import add_settings_options, load, load_without, watched_files
from ergo_daemon.settings.errors import ConfigError

if TYPE_CHECKING:
    from ergo_daemon.daemon import Daemon
    from ergo_daemon.fallback import InUse
    from ergo_daemon.settings.layers import Loaded

log = logging.getLogger("ergo_daemon")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``run`` subcommand."""
    parser = subparsers.add_parser(
        "run", help="run the daemon in the foreground (what login starts)"
    )
    add_settings_options(parser)
    parser.add_argument(
        "--speed",
        type=_positive_float,
        default=1.0,
        metavar="N",
        help="make time run N times faster (intervals, durations, idle thresholds), for demos",
    )
    parser.add_argument("--verbose", action="store_true", help="log debugging detail")
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from ergo_daemon import app, backends
    from ergo_daemon.control.instance import AlreadyRunning
    from ergo_daemon.lifecycle import Lifecycle

    try:
        with Lifecycle(backends.control_endpoint(), verbose=args.verbose) as life:
            loaded, in_use = _load_or_fall_back(args)
            for line in loaded.overruled:
                log.warning("%s", line)
            daemon, wakeups = app.build(
                loaded, speed=args.speed, environ=os.environ, load=lambda: load(args), in_use=in_use
            )
            life.on_exit(daemon.close)
            life.serve(partial(_answer, daemon))
            speed = f", {args.speed:g}x speed" if args.speed != 1 else ""
            preset = loaded.settings.preset or "built-in defaults"
            log.info("ready (%s%s; log file %s)", preset, speed, life.log_file or "none")
            life.run(wakeups, daemon.tick, reload=daemon.request_reload)
    except AlreadyRunning:  # said in the log
        return 1
    return 0


def _load_or_fall_back(args: argparse.Namespace) -> tuple[Loaded, InUse]:
    from ergo_daemon import fallback, paths

    try:
        return load(args), fallback.CONFIGURED
    except ConfigError as exc:
        # Exiting would leave the person without reminders (and a service manager restarting
        # it in a loop): run on what is still good, and say so in a notice and in `status`.
        without = partial(load_without, args)
        return fallback.recover(exc, paths.last_good_settings(), without, watched_files(args))


def _answer(daemon: Daemon, request: bytes) -> bytes:
    from ergo_daemon.control.handler import handle  # most days bring no request: load late

    return handle(daemon, request)


def _positive_float(text: str) -> float:
    """``--speed 60``; argparse shows the ArgumentTypeError's words, so they say what fits."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number above 0, e.g. 1, 60 or 0.5")
    return value
