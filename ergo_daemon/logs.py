"""Logging for the daemon: stderr (when there is one) and a rotating file in the state dir."""

from __future__ import annotations

import logging
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

import platformdirs

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def state_dir() -> Path:
    """``~/.local/state/ergo-daemon`` on Linux; the platform's equivalent elsewhere."""
    return Path(platformdirs.user_state_dir("ergo-daemon", appauthor=False))


def configure(*, verbose: bool = False) -> Path | None:
    """Log to stderr and to ``ergo-daemon.log`` in the state dir; returns the file's path."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    formatter = logging.Formatter(FORMAT)
    if sys.stderr is not None:  # None under a windowless start
        console = logging.StreamHandler(sys.stderr)
        console.setFormatter(formatter)
        root.addHandler(console)
    path = state_dir() / "ergo-daemon.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler = RotatingFileHandler(path, maxBytes=512_000, backupCount=2, encoding="utf-8")
    except OSError as exc:
        logging.getLogger(__name__).warning("no log file (%s); logging to stderr only", exc)
        return None
    handler.setFormatter(formatter)
    root.addHandler(handler)
    return path
