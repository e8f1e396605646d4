"""An activity source that is never swapped out for good: while it fails, its fallback reads."""

from __future__ import annotations

import logging

from ergo_daemon.ports import ActivitySource, Reading

log = logging.getLogger(__name__)


class SteadyReading:
    """``read()`` is ``source``'s reading; while it fails, ``fallback``'s, asking again each time.

    A source that fails now (a compositor restarting) may work at the next look. One that
    worked before reads as idle pending meanwhile: nobody can tell whether the person is there.
    """

    def __init__(self, source: ActivitySource, fallback: ActivitySource) -> None:
        self.source = source
        self._fallback = fallback
        self._worked = False
        self._failing: str | None = None  # why the source fails, while it does

    def read(self) -> Reading:
        try:
            reading = self.source.read()
        except Exception as exc:  # any adapter failure: degrade, never stop
            if self._failing is None:
                log.warning(
                    "activity: %s failed (%s); using %s until it works again",
                    self.source.name,
                    exc,
                    self._fallback.name,
                )
            self._failing = str(exc)
            fallback = self._fallback.read()
            if not self._worked:
                return fallback
            return Reading(None, fallback.locked, fallback.sleeping, idle_pending=True)
        if self._failing is not None:
            log.info("activity: %s works again", self.source.name)
            self._failing = None
        self._worked = True
        return reading
