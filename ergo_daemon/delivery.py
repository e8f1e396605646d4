"""Getting notices to the screen: one try now, one retry later, and what is on screen.

A reminder that fails is tried once more after ``retry_after``; a notice about ergo-daemon
itself (a configuration error) keeps a slot of its own, so neither pushes out the other. While
the desktop is muted, the daemon's own notices wait too (reminders never reach here then).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from ergo_daemon.followups import AGAIN
from ergo_daemon.kinds import Kind
from ergo_daemon.ports import REMINDER, Notice, Notifier, Outcome

Record = Callable[[datetime, Kind, Outcome, Sequence[Kind]], None]

log = logging.getLogger(__name__)


class Delivery:
    """Sends notices through ``notifier``; ``record`` counts each reminder shown or lost."""

    def __init__(
        self,
        notifier: Notifier,
        *,
        retry_after: timedelta,
        record: Record,
        muted: Callable[[datetime], str | None],
    ) -> None:
        self._notifier = notifier
        self._retry_after = retry_after
        self._record = record
        self._muted = muted  # why notices about ergo-daemon itself should wait now, if they should
        # Failed notices waiting for one more try, by slot: one reminder, one per topic.
        self._retries: dict[str, tuple[Notice, datetime]] = {}
        # Why notices are not reaching the screen, and since when; None once one gets through.
        self.failure: tuple[str, datetime] | None = None
        self.last_shown: tuple[Kind, datetime] | None = None  # the last reminder, and when
        self._showing: tuple[Kind, datetime] | None = None  # the same, until it is closed

    def send(self, notice: Notice, now: datetime, *, retrying: bool = False) -> None:
        """Show ``notice``; on failure keep it for one retry (or drop it if this was the retry)."""
        slot = notice.slot
        if not retrying and (stale := self._retries.pop(slot, None)) is not None:
            log.info("not retrying %r: a newer notice replaces it", stale[0].title)
        if notice.kind is None and (why := self._muted(now)):
            # Do Not Disturb, a call or a film: a notice about ergo-daemon itself waits too.
            log.info("holding %r until it ends: %s", notice.title, why)
            self._retries[slot] = (notice, now + self._retry_after)
            return
        try:
            self._notifier.send(notice)
        except Exception as exc:  # a notification is never worth a crash
            self._failed(str(exc), now)
            if retrying:
                log.error("could not show %r again (%s); dropped", notice.title, exc)
                self._count(notice, "failed")
            else:
                self._retries[slot] = (notice, now + self._retry_after)
                log.warning(
                    "could not show %r (%s); retrying in %s", notice.title, exc, self._retry_after
                )
            return
        # Sent, but perhaps only to the log, standing in for a session bus lost or never there.
        if (down := self._notifier.down) is not None:
            self._failed(f"only written to the log: {down}", now)
        elif self.failure is not None:
            log.info("notices reach the screen again (failing since %s)", self.failure[1])
            self.failure = None
        merged = f" (with {', '.join(k.name for k in notice.merged)})" if notice.merged else ""
        log.info("shown %s%s: %s", notice.kind or notice.topic, merged, notice.title)
        if notice.kind is not None:
            self.last_shown = self._showing = (notice.kind, now)
            self._count(notice, _outcome(notice))

    def shown_elsewhere(self, notice: Notice, now: datetime) -> None:
        """``notice`` went to the break screen instead: it counts as shown all the same."""
        if notice.kind is not None:
            self.last_shown = (notice.kind, now)
            self._count(notice, _outcome(notice))

    def announce(self, notice: Notice) -> None:
        """A heads-up: shown once, never retried, not counted as a prompt."""
        try:
            self._notifier.send(notice)
        except Exception as exc:  # a notification is never worth a crash
            log.warning("could not show %r (%s)", notice.title, exc)
            return
        log.info("shown heads-up: %s", notice.title)

    def retry_due(self, now: datetime) -> bool:
        """Try the earliest notice whose retry is due; False when none is."""
        due = [retry for retry in self._retries.values() if retry[1] <= now]
        if not due:
            return False
        notice = min(due, key=lambda retry: retry[1])[0]
        del self._retries[notice.slot]
        self.send(notice, now, retrying=True)
        return True

    def drop_reminder(self, why: str) -> None:
        """A reminder is stale once the person left, locked, paused or stopped work."""
        notice = self._retries.pop(REMINDER, (None,))[0]
        if notice is not None:
            log.info("not retrying %r: now %s", notice.title, why)
            self._count(notice, "failed")

    def retry_times(self) -> list[datetime]:
        return [at for _, at in self._retries.values()]

    def withdraw_stale(self, now: datetime, interval: Callable[[Kind], float]) -> None:
        """Close the reminder still on screen once ``interval(kind)`` seconds have passed."""
        if self._showing is None:
            return
        kind, shown = self._showing
        if (now - shown).total_seconds() < interval(kind):
            return
        self._showing = None
        try:
            self._notifier.withdraw()
        except Exception as exc:  # closing is a courtesy; never worth a crash
            log.info("could not close the stale %s notice: %s", kind, exc)

    def _count(self, notice: Notice, outcome: Outcome) -> None:
        if notice.kind is not None:  # notices about ergo-daemon itself are no prompts
            self._record(notice.at, notice.kind, outcome, notice.merged)

    def _failed(self, error: str, now: datetime) -> None:
        """Keep the latest reason and the time of the first failure in a row, for ``status``."""
        since = self.failure[1] if self.failure else now
        self.failure = (error, since)


def _outcome(notice: Notice) -> Outcome:
    """How a shown notice is counted: an ask again is no new prompt."""
    return "repeated" if notice.follow_up == AGAIN else "shown"
