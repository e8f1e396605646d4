"""One activity source made of several: idle time from one, lock and sleep from all."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass

from ergo_daemon.ports import ActivitySource, Reading

log = logging.getLogger(__name__)
RETRY_AFTER = 60.0
RETRY_AT_MOST_EVERY = 3600.0


@dataclass(frozen=True)
class Candidate:
    """A source that may work here, built (so probed) on demand: ``Candidate("X11", build)``."""

    label: str
    build: Callable[[], ActivitySource]


class _Slot:
    """A candidate, its running source if any, and when to try it again if not."""

    def __init__(self, candidate: Candidate, retry_after: float) -> None:
        self.candidate = candidate
        self.source: ActivitySource | None = None
        self.retry_at = 0.0
        self.delay = retry_after
        self.worked = False

    @property
    def name(self) -> str:
        return self.source.name if self.source is not None else self.candidate.label


class CombinedActivity:
    """Idle time from the first idle source that works; locked or sleeping if any part says so."""

    # A part that fails is logged once, closed and dropped, and the next one stands in at once.
    # Dropped parts, and those that did not answer at start (a desktop service may come up after
    # the daemon), are tried again after ``retry_after`` seconds, then twice as long each time
    # up to an hour: cheap, and a restarted service is taken back. Idle parts below the one in
    # use are started only when it fails and closed once it is back, so no standby (a swayidle
    # child) runs for nothing. With no idle part working, a status part's idle (logind's hint)
    # stands in; without that, idle is unknown, and "pending" (not "no idle source here") once
    # an idle part has worked: ``read`` never raises, as every part is tried again in its time.

    def __init__(
        self,
        idle: Sequence[Candidate],
        status: Sequence[Candidate],
        *,
        retry_after: float = RETRY_AFTER,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._retry_after = retry_after
        self._clock = clock
        self._changed: Callable[[], None] | None = None
        self._idle = [_Slot(c, retry_after) for c in idle]
        self._status = [_Slot(c, retry_after) for c in status]
        now = clock()
        for slot in self._idle:  # the first that works; the rest only when it fails
            self._start(slot, now)
            if slot.source is not None:
                break
        for slot in self._status:
            self._start(slot, now)
        self._idle_name = self.idle_name
        self.name = self._describe()

    @property
    def idle_name(self) -> str | None:
        """The idle source in use now (None: idle time is unknown)."""
        return next((s.name for s in self._idle if s.source is not None), None)

    @property
    def lock_names(self) -> tuple[str, ...]:
        """The parts in use now that can tell a locked screen."""
        return tuple(s.name for s in self._running() if s.tells_lock)

    @property
    def sleep_names(self) -> tuple[str, ...]:
        """The parts in use now that can tell a coming suspend."""
        return tuple(s.name for s in self._running() if s.tells_sleep)

    @property
    def tells_lock(self) -> bool:
        return bool(self.lock_names)

    @property
    def tells_sleep(self) -> bool:
        return bool(self.sleep_names)

    @property
    def status_names(self) -> tuple[str, ...]:
        """The lock and sleep sources in use now."""
        return tuple(s.name for s in self._status if s.source is not None)

    def read(self) -> Reading:
        now = self._clock()
        for slot in self._status:
            if slot.source is None and slot.retry_at <= now:
                self._start(slot, now)
        first = self._read_idle(now)
        readings = [r for s in self._status if (r := self._read(s, now)) is not None]
        self.name = self._describe()
        if self.idle_name != self._idle_name:
            self._idle_name = self.idle_name
            log.info("activity: idle time now from %s", self._idle_name or "nowhere (unknown)")
        if first is not None:
            idle, pending = first.idle, first.idle_pending
        else:  # idle is being retried (pending) or there never was an idle source here
            idle, pending = None, any(slot.worked for slot in self._idle)
        hint = next((r.idle for r in readings if r.idle is not None), None)
        if idle is None and hint is not None:
            idle, pending = hint, False
        if first is not None:
            readings.append(first)
        return Reading(
            idle=idle,
            locked=any(r.locked for r in readings),
            sleeping=any(r.sleeping for r in readings),
            idle_pending=pending,
        )

    def _read_idle(self, now: float) -> Reading | None:
        """The reading of the first idle part that works, started or taken back as due."""
        for index, slot in enumerate(self._idle):
            if slot.source is None and slot.retry_at <= now:
                self._start(slot, now)
            if (reading := self._read(slot, now)) is not None:
                for lower in self._idle[index + 1 :]:  # a standby not needed any more
                    self._stand_down(lower)
                return reading
        return None

    def watch(self, changed: Callable[[], None]) -> None:
        self._changed = changed
        for slot in self._idle + self._status:
            if slot.source is not None:
                slot.source.watch(changed)

    def close(self) -> None:
        for slot in self._idle + self._status:
            if slot.source is not None:
                with suppress(Exception):
                    slot.source.close()
                slot.source = None

    def _running(self) -> list[ActivitySource]:
        return [s.source for s in self._idle + self._status if s.source is not None]

    def _describe(self) -> str:
        status = ", ".join(self.status_names)
        return (self.idle_name or "no idle source") + (
            f"; lock and sleep: {status}" if status else ""
        )

    def _start(self, slot: _Slot, now: float) -> None:
        try:
            source = slot.candidate.build()
        except Exception as exc:  # whatever a probe raises, the candidate just does not work
            if not slot.worked and slot.retry_at == 0.0:
                log.info("activity: %s unavailable: %s", slot.candidate.label, exc)
            else:
                log.debug("activity: %s still unavailable: %s", slot.candidate.label, exc)
            self._later(slot, now)
            return
        if slot.retry_at:
            log.info("activity: %s works %s", source.name, "again" if slot.worked else "now")
        slot.source, slot.worked = source, True
        slot.delay = self._retry_after
        if self._changed is not None:
            source.watch(self._changed)

    def _read(self, slot: _Slot, now: float) -> Reading | None:
        if slot.source is None:
            return None
        try:
            return slot.source.read()
        except Exception as exc:  # any part failing: say so once, drop it, carry on without
            log.warning(
                "activity: %s stopped working (%s); trying it again in %.0f s",
                slot.name,
                exc,
                slot.delay,
            )
            with suppress(Exception):
                slot.source.close()
            slot.source = None
            self._later(slot, now)
            return None

    def _stand_down(self, slot: _Slot) -> None:
        """Close a working part that is not needed now; it starts again when it is."""
        if slot.source is not None:
            log.info("activity: %s is not needed any more; closing it", slot.source.name)
            with suppress(Exception):
                slot.source.close()
            slot.source = None
        slot.retry_at, slot.delay = 0.0, self._retry_after

    def _later(self, slot: _Slot, now: float) -> None:
        slot.retry_at = now + slot.delay
        slot.delay = min(slot.delay * 2, RETRY_AT_MOST_EVERY)
