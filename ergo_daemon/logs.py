"""Logging for the daemon: stderr (when there is one) and a rotating file in the state dir."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from logging.handlers import RotatingFileHandler
from pathlib import Path

from ergo_daemon import paths

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@contextmanager
def configured(*, verbose: bool = False) -> Iterator[Path | None]:
    """Log to stderr and to ``paths.log_file()`` in the block; yields the file, None if none."""
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    formatter = logging.Formatter(FORMAT)
    added: list[logging.Handler] = []
    if sys.stderr is not None:  # None under a windowless start
        added.append(logging.StreamHandler(sys.stderr))
    file = paths.log_file()
    problem: OSError | None = None
    try:
        file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        added.append(RotatingFileHandler(file, maxBytes=512_000, backupCount=2, encoding="utf-8"))
    except OSError as exc:
        problem = exc
    for handler in added:
        handler.setFormatter(formatter)
        root.addHandler(handler)
    if problem is not None:
        logging.getLogger(__name__).warning("no log file (%s); logging to stderr only", problem)
    try:
        yield file if problem is None else None
    finally:
        for handler in added:
            root.removeHandler(handler)
            handler.close()
        root.setLevel(level)
