"""``ergo-daemon autostart enable|disable|status [--system] [--systemd]``.

Exit status: 0 when the change was made (or nothing needed doing) and, for ``status``, when
autostart is installed, enabled and the program it runs exists; 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import sys

EPILOG = """\
Linux: an XDG autostart entry in ~/.config/autostart (with --systemd also a systemd user
unit); macOS: a LaunchAgent; Windows: a value in the registry's Run key. The entry runs the
Python and the install that ran 'enable', so run it from the venv or pipx install you use.
'status' exits 0 when autostart is enabled and the program it runs exists, 1 otherwise."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``autostart`` subcommand."""
    parser = subparsers.add_parser(
        "autostart",
        help="start the daemon at login: enable, disable, or show the status",
        description="Start 'ergo-daemon run' when you log in.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("action", choices=("enable", "disable", "status"))
    parser.add_argument(
        "--system",
        action="store_true",
        help="for every user of this machine (needs root, or an elevated prompt on Windows)",
    )
    parser.add_argument(
        "--systemd",
        action="store_true",
        help="Linux: a systemd user unit with graphical-session.target (the XDG entry stays, "
        "marked X-systemd-skip=true, for sessions systemd does not start)",
    )
    parser.set_defaults(handler=_autostart)


def _autostart(args: argparse.Namespace) -> int:
    from ergo_daemon import backends
    from ergo_daemon.autostart import AutostartError

    adapter = backends.autostart(os.environ)
    try:
        if args.action == "status":
            status = adapter.status(system=args.system, systemd=args.systemd)
            print(status.describe())
            return 0 if status.ok else 1
        change = adapter.enable if args.action == "enable" else adapter.disable
        print(change(system=args.system, systemd=args.systemd))
    except AutostartError as exc:
        print(f"ergo-daemon autostart {args.action}: {exc}", file=sys.stderr)
        return 1
    return 0
