"""The ``ergo-daemon`` command: its parser, and the dispatch to one module per command."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from ergo_daemon import __version__
from ergo_daemon.commands import autostart as autostart_command
from ergo_daemon.commands import config as config_command
from ergo_daemon.commands import control as control_command
from ergo_daemon.commands import doctor as doctor_command
from ergo_daemon.commands import preview as preview_command
from ergo_daemon.commands import run as run_command
from ergo_daemon.commands import stats as stats_command
from ergo_daemon.paths import APP
from ergo_daemon.settings.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        result: int = args.handler(args)
        sys.stdout.flush()  # here, so a closed pipe is caught below and not at exit
    except ConfigError as exc:
        print(f"{APP}: configuration error:\n{_indent(str(exc))}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader stopped reading (``preview | head``): that is no error. Point stdout at
        # nothing so the interpreter's last flush cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=APP,
        description="Reminders for breaks, stretches, posture, water and eye rest, "
        "timed by the time you actually spend at the keyboard.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")
    for command in (
        run_command,
        preview_command,
        autostart_command,
        config_command,
        control_command,
        doctor_command,
        stats_command,
    ):
        command.register(commands)
    return parser


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" for line in text.splitlines())
