"""One tick of the running daemon: read the world, ask the policy, deliver, say when to wake."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import suppress
from datetime import datetime, timedelta

from ergo_daemon.clock import Instant, gap, read_clocks
from ergo_daemon.content.compose import Composer, Notice
from ergo_daemon.policy import Activity, Policy, PolicyState, Status
from ergo_daemon.ports import ActivitySource, Notifier, Reading
from ergo_daemon.reload import Reloader
from ergo_daemon.settings.layers import ConfigError, flatten
from ergo_daemon.settings.models import Settings

Rebuild = Callable[[Settings, PolicyState], tuple[Policy, Composer]]

log = logging.getLogger(__name__)


class Daemon:
    """Ties the pure policy to real adapters; ``tick()`` is everything that happens on a wake."""

    def __init__(
        self,
        policy: Policy,
        composer: Composer,
        notifier: Notifier,
        activity: ActivitySource,
        *,
        fallback: ActivitySource,
        retry_after: timedelta,
        clock: Callable[[], Instant] = read_clocks,
        reloader: Reloader | None = None,
        rebuild: Rebuild | None = None,
    ) -> None:
        self.policy = policy
        self._composer = composer
        self._notifier = notifier
        self.activity = activity
        self._fallback = fallback
        self._retry_after = retry_after
        self._clock = clock
        self._last: Instant | None = None
        self._status: Status | None = None
        # Failed notices waiting for one more try: one reminder, and one configuration error.
        self._retries: dict[str, tuple[Notice, datetime]] = {}
        self._reloader = reloader
        self._rebuild = rebuild

    def tick(self) -> datetime | None:
        instant = self._clock()
        elapsed, asleep = gap(self._last, instant) if self._last else (0.0, 0.0)
        self._last = instant
        now = instant.wall.astimezone(self.policy.calendar.tz)
        self._reload_if_changed(now)
        if asleep:
            log.info("woke after %.0f s asleep", asleep)
        reading = self._read_activity()
        locked = reading.locked or reading.sleeping  # about to suspend: nobody is working
        decision = self.policy.observe(
            Activity(now, reading.idle, locked, asleep=asleep, elapsed=elapsed)
        )
        if decision.status != self._status:
            log.info("now %s", decision.status)
            self._status = decision.status
        for kind in decision.natural_breaks:
            log.info("natural break: %s timer reset", kind)
        if decision.status != "active":
            self._drop_retries(decision.status)
        if decision.prompt is not None:
            self._deliver(self._composer.compose(decision.prompt), now)
        elif due := [r for r in self._retries.values() if r[1] <= now]:
            notice = min(due, key=lambda r: r[1])[0]
            del self._retries[_slot(notice)]
            self._deliver(notice, now, retrying=True)
        # Only future wakes: a past date would make the scheduler run again at once.
        wakes = [decision.wake_at, *(at for _, at in self._retries.values())]
        return min((at for at in wakes if at is not None and at > now), default=None)

    def request_reload(self) -> None:
        if self._reloader is not None:
            self._reloader.request()

    def _reload_if_changed(self, now: datetime) -> None:
        """Apply changed settings without losing timer state; keep the old ones if broken."""
        if self._reloader is None or self._rebuild is None:
            return
        outcome = self._reloader.poll()
        if outcome is None:
            return
        if isinstance(outcome, ConfigError):
            log.error("configuration error; keeping the last good configuration:\n%s", outcome)
            first = str(outcome).splitlines()[0]
            message = f"{first}\nThe last good settings stay in use until this is fixed."
            self._deliver(Notice(CONFIG, "ergo-daemon: configuration error", message, now), now)
            return
        old = flatten(self._composer.settings.model_dump(mode="json", by_alias=True))
        self.policy, self._composer = self._rebuild(outcome.settings, self.policy.state)
        new = flatten(self._composer.settings.model_dump(mode="json", by_alias=True))
        changes = "".join(
            f"\n  {k}: {old.get(k)} -> {v}" for k, v in new.items() if old.get(k) != v
        )
        log.info("configuration reloaded%s", changes or " (nothing changed)")
        for line in outcome.overruled:
            log.warning("%s", line)

    def _read_activity(self) -> Reading:
        try:
            return self.activity.read()
        except Exception as exc:  # any adapter failure: degrade, never stop
            log.warning(
                "activity: %s failed (%s); using %s", self.activity.name, exc, self._fallback.name
            )
            failed, self.activity = self.activity, self._fallback
            with suppress(Exception):
                failed.close()
            return self.activity.read()

    def _drop_retries(self, status: Status) -> None:
        """A reminder is stale once the person left, locked, paused or stopped work."""
        if (pending := self._retries.pop(REMINDER, None)) is not None:
            log.info("not retrying %r: now %s", pending[0].title, status)

    def _deliver(self, notice: Notice, now: datetime, *, retrying: bool = False) -> None:
        slot = _slot(notice)
        if not retrying and (stale := self._retries.pop(slot, None)) is not None:
            log.info("not retrying %r: a newer notice replaces it", stale[0].title)
        try:
            self._notifier.send(notice)
        except Exception as exc:  # a notification is never worth a crash
            if retrying:
                log.error("could not show %r again (%s); dropped", notice.title, exc)
            else:
                self._retries[slot] = (notice, now + self._retry_after)
                log.warning(
                    "could not show %r (%s); retrying in %s", notice.title, exc, self._retry_after
                )
            return
        merged = f" (with {', '.join(notice.merged)})" if notice.merged else ""
        log.info("shown %s%s: %s", notice.kind, merged, notice.title)


REMINDER, CONFIG = "reminder", "config"


def _slot(notice: Notice) -> str:
    return CONFIG if notice.kind == CONFIG else REMINDER
