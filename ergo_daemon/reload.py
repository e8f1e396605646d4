"""Notice when the configuration changed (files edited, or SIGHUP) and load it again."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from ergo_daemon.settings.layers import ConfigError, Loaded

Stamp = tuple[int, int] | None


def _stamp(path: Path) -> Stamp:
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size)


class Reloader:
    """``poll()`` gives new settings, the error that stops them, or None when nothing changed."""

    def __init__(self, load: Callable[[], Loaded], files: Sequence[Path]) -> None:
        self._load = load
        self._files = tuple(files)
        self._stamps = [_stamp(f) for f in self._files]
        self._requested = False

    def request(self) -> None:
        """Reload at the next poll even if no file changed (SIGHUP, ``ergo-daemon reload``)."""
        self._requested = True

    def poll(self) -> Loaded | ConfigError | None:
        stamps = [_stamp(f) for f in self._files]
        if stamps == self._stamps and not self._requested:
            return None
        self._stamps, self._requested = stamps, False
        try:
            loaded = self._load()
        except ConfigError as exc:
            return exc
        self._files = tuple(loaded.files) or self._files
        self._stamps = [_stamp(f) for f in self._files]
        return loaded
