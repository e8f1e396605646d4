"""Shared state of the sources told "idle" once input stops for a timeout: Wayland's two."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from ergo_daemon.ports import ActivityError, Reading

# Seconds after the first timeout by which the compositor's "idle" event has surely arrived.
EVENT_GRACE = 0.5


class IdleSince:
    """Idle as ``timeout`` plus the time since the "idle" event (0 before), lock, sleep, failure.

    Until the first ``timeout`` has passed, idle is not known yet (``idle_pending``): the
    compositor's timer starts with the subscription, so a person idle for minutes is told
    "idle" only then.
    """

    # Subclasses run a listener thread that updates these under ``_lock``, calls ``_notify``
    # after each event and ``_fail`` when it ends; ``close`` sets ``_closing`` first, so the
    # end it causes is not reported as a failure, and calls ``_closed``.

    def __init__(self, timeout: float, clock: Callable[[], float]) -> None:
        self._timeout, self._clock = timeout, clock
        self._known_at = clock() + timeout + EVENT_GRACE
        self._lock = threading.Lock()
        self._idle_since: float | None = None
        self._locked = self._sleeping = False
        self._error: str | None = None
        self._changed: Callable[[], None] | None = None
        self._closing = False
        self._known_timer: threading.Timer | None = None

    def read(self) -> Reading:
        with self._lock:
            if self._error is not None:
                raise ActivityError(self._error)
            since, locked, sleeping = self._idle_since, self._locked, self._sleeping
        if since is None and self._clock() < self._known_at:
            return Reading(idle=None, locked=locked, sleeping=sleeping, idle_pending=True)
        idle = 0.0 if since is None else self._timeout + max(0.0, self._clock() - since)
        return Reading(idle=idle, locked=locked, sleeping=sleeping)

    def watch(self, changed: Callable[[], None]) -> None:
        self._changed = changed
        with self._lock:
            failed = self._error is not None
        if failed:  # it broke before anyone watched: say so now, not at the next look
            self._notify()
        elif (wait := self._known_at - self._clock()) > 0 and self._known_timer is None:
            # Idle becomes known without an event when none came: have the daemon look then.
            self._known_timer = threading.Timer(wait, self._notify)
            self._known_timer.daemon = True
            self._known_timer.start()

    def _set_idle(self, idle: bool) -> None:
        """Apply an "idle" or "resumed" event (under ``_lock``): from now on idle is known."""
        self._idle_since = self._clock() if idle else None
        self._known_at = 0.0

    def _closed(self) -> None:
        """Stop the timer ``watch`` may have started."""
        if self._known_timer is not None:
            self._known_timer.cancel()

    def _fail(self, reason: str) -> None:
        """Keep ``reason`` for the next ``read`` and tell the watcher, unless closing."""
        if self._closing:
            return
        with self._lock:
            self._error = reason
        self._notify()

    def _notify(self) -> None:
        changed = self._changed
        if changed is not None and not self._closing:
            try:
                changed()
            except Exception:  # the listener must outlive a failing callback
                # Under the source's own logger: the log line names which source it was.
                logging.getLogger(type(self).__module__).exception(
                    "activity change callback failed"
                )
