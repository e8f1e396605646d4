"""Signs that the person is at the desk but busy (a call, a film, Do Not Disturb).

Each adapter answers one question when asked; ``QuietSignals`` asks them in turn and gives the
first reason. Nothing here runs on its own: the daemon asks only at a decision point.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import suppress
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

    from ergo_daemon.ports import QuietSignal

log = logging.getLogger(__name__)


class QuietSignals:
    """``QuietSignals([camera, microphone]).read(now)`` -> ``"camera in use"`` or None."""

    name = "quiet signals"

    def __init__(self, signals: Sequence[QuietSignal]) -> None:
        self.signals = tuple(signals)
        self._failing: set[str] = set()

    def read(self, now: datetime) -> str | None:
        """The first signal's reason; a signal that fails is skipped (said once, not each time)."""
        for signal in self.signals:
            try:
                reason = signal.read(now)
            except Exception as exc:  # one broken signal must not stop the others or the daemon
                if signal.name not in self._failing:
                    self._failing.add(signal.name)
                    log.warning("quiet: cannot tell %s (%s); ignoring it for now", signal.name, exc)
                continue
            if signal.name in self._failing:
                self._failing.discard(signal.name)
                log.info("quiet: %s works again", signal.name)
            if reason:
                return reason
        return None

    def close(self) -> None:
        for signal in self.signals:
            with suppress(Exception):
                signal.close()
