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


def load_without(args: argparse.Namespace, parts: frozenset[str]) -> Loaded:
    """Like ``load``, leaving out some of ``fallback.PARTS`` (to run on what is still valid)."""
    import tempfile

    from ergo_daemon import backends
    from ergo_daemon.settings.load import load_settings

    environ = dict(os.environ)
    if "the ERGO_* environment" in parts:  # ERGO_CONFIG only says where the file is
        environ = {
            k: v for k, v in environ.items() if not k.startswith("ERGO_") or k == "ERGO_CONFIG"
        }
    with tempfile.TemporaryDirectory() as scratch:
        config = args.config
        if "your config file" in parts:  # an empty file stands in for the user's own
            config = Path(scratch) / "empty.toml"
            config.write_text("", encoding="utf-8")
        command_line = "the command line" not in parts
        return load_settings(
            environ=environ,
            config_path=config,
            preset=args.preset if command_line else None,
            overrides=args.overrides if command_line else (),
            stores=[] if "organisation files" in parts else backends.organisation_stores(),
        )


def watched_files(args: argparse.Namespace) -> list[Path]:
    """Every file the configuration is read from here, present or not (for the reloader)."""
    from ergo_daemon import backends
    from ergo_daemon.settings.load import config_file

    places = [p.file for store in backends.organisation_stores() for p in store.places()]
    return [config_file(os.environ, args.config)[0], *(f for f in places if f is not None)]
