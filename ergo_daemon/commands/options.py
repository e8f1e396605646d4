"""Options every command that reads settings shares, and loading with them."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ergo_daemon.settings.layers import Loaded


def add_settings_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--preset", metavar="NAME", help="a shipped preset (see 'presets') or a file"
    )
    parser.add_argument(
        "--config", type=Path, metavar="PATH", help="a config file to use instead of your own"
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        dest="overrides",
        help="set one key for this run, e.g. --set eyes.every=25m (repeatable)",
    )


def load(args: argparse.Namespace) -> Loaded:
    """The effective settings for a command's ``args``, organisation layers included."""
    from ergo_daemon import backends
    from ergo_daemon.settings.load import load_settings

    return load_settings(
        environ=os.environ,
        config_path=args.config,
        preset=args.preset,
        overrides=args.overrides,
        stores=backends.organisation_stores(),
    )
