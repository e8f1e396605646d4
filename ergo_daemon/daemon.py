"""One tick of the running daemon: read the world, ask the policy, deliver, say when to wake."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from ergo_daemon import persist
from ergo_daemon.clock import Instant, gap, read_clocks
from ergo_daemon.content.compose import Composer, Notice
from ergo_daemon.notify.fallback import withdraw
from ergo_daemon.persist import Tally
from ergo_daemon.policy import Activity, Policy, PolicyState, Status
from ergo_daemon.ports import ActivitySource, Notifier, Outcome, QuietSignal, Reading, Recorder
from ergo_daemon.reload import Reloader
from ergo_daemon.settings.layers import ConfigError, flatten
from ergo_daemon.settings.models import Settings

Rebuild = Callable[[Settings, PolicyState], tuple[Policy, Composer]]
QuietFactory = Callable[[Settings], QuietSignal]

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
        recorder: Recorder | None = None,
        state_file: Path | None = None,
        quiet: QuietFactory | None = None,
    ) -> None:
        self.policy = policy
        self._composer = composer
        self._notifier = notifier
        self.activity = activity
        self._fallback = fallback
        self._retry_after = retry_after
        self._clock = clock
        self._last: Instant | None = None
        # Failed notices waiting for one more try: one reminder, and one configuration error.
        self._retries: dict[str, tuple[Notice, datetime]] = {}
        self._reloader = reloader
        self._rebuild = rebuild
        self.recorder = recorder
        self._state_file = state_file
        self.lock = threading.Lock()  # ticks and control requests take turns
        self.tally = Tally(date.min)
        self.last_shown: tuple[str, datetime] | None = None
        self.status: Status | None = None
        self._unrecorded = 0.0
        self._unrecorded_held = 0.0  # active seconds spent held (a call, a film), for the report
        self._recorded_at = self._saved_at = 0.0
        self._restored_at: datetime | None = None
        self.on_stop: Callable[[], None] = lambda: None
        self.on_change: Callable[[], None] = lambda: None  # wake now: the next due time moved
        self._quiet_for = quiet  # rebuilt when a reload changes the [quiet] table
        self._quiet = quiet(policy.settings) if quiet is not None else None
        self.held: tuple[str, datetime] | None = None  # why prompts wait, and since when
        self._on_screen: tuple[str, datetime] | None = None  # the last reminder shown

    def restore(self) -> None:
        """Continue today's timers, pause, snoozes and tally from the state file, if any."""
        if self._state_file is None:
            return
        now = self._clock().wall.astimezone(self.policy.calendar.tz)
        saved = persist.load(self._state_file, now.date())
        if saved is None:
            return
        self.policy.state, self.tally = saved.state, saved.tally
        self._restored_at = saved.saved_at
        log.info("continuing today's timers, saved at %s", f"{saved.saved_at:%H:%M:%S}")

    def now(self) -> datetime:
        return self._clock().wall.astimezone(self.policy.calendar.tz)

    def save(self) -> None:
        """Write the day's state now (after a change, each minute, and at exit)."""
        self._saved_at = time.monotonic()
        if self._state_file is None:
            return
        try:
            persist.save(self._state_file, self.policy.state, self.tally, self._clock().wall)
        except OSError as exc:
            log.warning("cannot save the timers to %s: %s", self._state_file, exc)

    def close(self) -> None:
        """Flush statistics and state (on stop)."""
        with self.lock:
            self._record_active(force=True)
            self.save()
            if self.recorder is not None:
                self.recorder.close()
            self.activity.close()
            if self._quiet is not None:
                self._quiet.close()

    def tick(self) -> datetime:
        with self.lock:
            return self._tick()

    def _tick(self) -> datetime:
        instant = self._clock()
        if self._last is not None:
            elapsed, asleep = gap(self._last, instant)
        elif self._restored_at is not None:  # the time the daemon was down counts as away
            elapsed = asleep = max(0.0, (instant.wall - self._restored_at).total_seconds())
        else:
            elapsed, asleep = 0.0, 0.0
        self._last = instant
        now = instant.wall.astimezone(self.policy.calendar.tz)
        self._reload_if_changed(now)
        if asleep:
            log.info("woke after %.0f s asleep", asleep)
        reading = self._read_activity()
        locked = reading.locked or reading.sleeping  # about to suspend: nobody is working
        seen = Activity(now, reading.idle, locked, asleep=asleep, elapsed=elapsed)
        decision = self.policy.observe(replace(seen, held=self._is_held(seen)))
        changed = decision.status != self.status
        if changed:
            log.info("now %s", decision.status)
            self.status = decision.status
        self._count(now, reading, locked, elapsed, asleep, held=decision.status == "held")
        for kind in decision.natural_breaks:
            log.info("natural break: %s timer reset", kind)
            self.record(now, kind, "natural")
        for kind in decision.held:
            log.info("held %s: %s", kind, self.held[0] if self.held else "quiet")
            self.record(now, kind, "held")
        if decision.status != "active":
            self._drop_retries(decision.status)
        if decision.prompt is not None:
            changed = True
            if decision.prompt.after_hold:
                log.info("the hold is over: one prompt for what fell due meanwhile")
            self._deliver(self._composer.compose(decision.prompt), now)
        elif due := [r for r in self._retries.values() if r[1] <= now]:
            notice = min(due, key=lambda r: r[1])[0]
            del self._retries[_slot(notice)]
            self._deliver(notice, now, retrying=True)
        self._withdraw_stale(now)
        if changed or time.monotonic() - self._saved_at >= SAVE_EVERY:
            self.save()
        # Only future wakes: a past date would make the scheduler run again at once. In UTC: two
        # local times in one zone compare by the wall clock, wrong across the repeated DST hour.
        wakes = [decision.look_at, decision.wake_at, *(at for _, at in self._retries.values())]
        utc = [at.astimezone(UTC) for at in wakes if at is not None]
        return min(at for at in utc if at > now)

    def _is_held(self, seen: Activity) -> bool:
        """Ask the quiet signals, only when the policy's decision at this look depends on them."""
        reason = None
        if self._quiet is not None and self.policy.needs_quiet(seen):
            reason = self._quiet.read(seen.now)
        if reason is None:
            if self.held is not None:
                log.info("prompts no longer held (%s ended)", self.held[0])
            self.held = None
        elif self.held is None or self.held[0] != reason:
            log.info("holding prompts: %s", reason)
            self.held = (reason, self.held[1] if self.held else seen.now)
        return reason is not None

    def _withdraw_stale(self, now: datetime) -> None:
        """Close a reminder still on screen once its kind's interval has passed: it is stale."""
        if self._on_screen is None:
            return
        kind, shown = self._on_screen
        rule = next((r for r in self.policy.rules if r.kind == kind), None)
        grace = self.policy.settings.timing.fixed_grace.total_seconds()
        interval = (rule.every if rule is not None else 0.0) or grace
        if (now - shown).total_seconds() < interval:
            return
        self._on_screen = None
        try:
            withdraw(self._notifier)
        except Exception as exc:  # closing is a courtesy; never worth a crash
            log.info("could not close the stale %s notice: %s", kind, exc)

    def _renew_quiet(self, old: dict[str, object], new: dict[str, object]) -> None:
        """Build the quiet signals again when the reload changed ``[quiet]``."""
        if self._quiet_for is None or all(
            old.get(k) == v for k, v in new.items() if k.startswith("quiet.")
        ):
            return
        if self._quiet is not None:
            with suppress(Exception):
                self._quiet.close()
        self._quiet, self.held = self._quiet_for(self.policy.settings), None

    def record(self, at: datetime, kind: str, outcome: Outcome, merged: Sequence[str] = ()) -> None:
        if self.recorder is not None:
            self.recorder.prompt(at, kind, outcome, merged)

    def _count(
        self,
        now: datetime,
        reading: Reading,
        locked: bool,
        elapsed: float,
        asleep: float,
        *,
        held: bool = False,
    ) -> None:
        """Today's active time and sitting stretch: a stretch ends after ``away_after`` idle.

        Held (a call, a film), silence is sitting at the desk: it counts, and for the report.
        """
        if now.date() != self.tally.day:
            self._record_active(force=True)
            self.tally = Tally(now.date())
        away = self.policy.settings.timing.away_after.total_seconds()
        if not held and (locked or max(asleep, reading.idle or 0.0) >= away):
            self.tally.sitting = 0.0
        else:
            self.tally.add(elapsed - asleep)
            self._unrecorded += elapsed - asleep
            self._unrecorded_held += (elapsed - asleep) * held
        self._record_active()

    def _record_active(self, *, force: bool = False) -> None:
        """Hand active time to the statistics every few minutes, not on every tick."""
        if not force and time.monotonic() - self._recorded_at < RECORD_EVERY:
            return
        self._recorded_at = time.monotonic()
        if self.recorder is not None and (self._unrecorded or force):
            held = min(self._unrecorded_held, self._unrecorded)
            self.recorder.active(self.tally.day, self._unrecorded, self.tally.longest, held)
        self._unrecorded = self._unrecorded_held = 0.0

    def request_reload(self) -> None:
        if self._reloader is not None:
            self._reloader.request()

    def reload(self, now: datetime) -> str:
        """Read the configuration again now; a one-line summary of what happened."""
        if self._reloader is None:
            return "this daemon does not reload its configuration"
        self._reloader.request()
        return self._reload_if_changed(now) or "configuration unchanged"

    def _reload_if_changed(self, now: datetime) -> str | None:
        """Apply changed settings without losing timer state; keep the old ones if broken."""
        if self._reloader is None or self._rebuild is None:
            return None
        outcome = self._reloader.poll()
        if outcome is None:
            return None
        if isinstance(outcome, ConfigError):
            log.error("configuration error; keeping the last good configuration:\n%s", outcome)
            first = str(outcome).splitlines()[0]
            message = f"{first}\nThe last good settings stay in use until this is fixed."
            self._deliver(Notice(CONFIG, "ergo-daemon: configuration error", message, now), now)
            return f"configuration error, the last good settings stay in use: {first}"
        old = flatten(self._composer.settings.model_dump(mode="json", by_alias=True))
        self.policy, self._composer = self._rebuild(outcome.settings, self.policy.state)
        new = flatten(self._composer.settings.model_dump(mode="json", by_alias=True))
        changed = [f"{k}: {old.get(k)} -> {v}" for k, v in new.items() if old.get(k) != v]
        log.info(
            "configuration reloaded%s", "".join(f"\n  {c}" for c in changed) or " (nothing changed)"
        )
        self._renew_quiet(old, new)
        for line in outcome.overruled:
            log.warning("%s", line)
        return f"configuration reloaded: {'; '.join(changed) or 'nothing changed'}"

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
            self.record(pending[0].at, pending[0].kind, "failed", pending[0].merged)

    def _deliver(self, notice: Notice, now: datetime, *, retrying: bool = False) -> None:
        slot = _slot(notice)
        if not retrying and (stale := self._retries.pop(slot, None)) is not None:
            log.info("not retrying %r: a newer notice replaces it", stale[0].title)
        try:
            self._notifier.send(notice)
        except Exception as exc:  # a notification is never worth a crash
            if retrying:
                log.error("could not show %r again (%s); dropped", notice.title, exc)
                if notice.kind != CONFIG:
                    self.record(notice.at, notice.kind, "failed", notice.merged)
            else:
                self._retries[slot] = (notice, now + self._retry_after)
                log.warning(
                    "could not show %r (%s); retrying in %s", notice.title, exc, self._retry_after
                )
            return
        merged = f" (with {', '.join(notice.merged)})" if notice.merged else ""
        log.info("shown %s%s: %s", notice.kind, merged, notice.title)
        if notice.kind != CONFIG:
            self.last_shown = self._on_screen = (notice.kind, now)
            self.record(notice.at, notice.kind, "shown", notice.merged)


REMINDER, CONFIG = "reminder", "config"
SAVE_EVERY = 60.0  # seconds between state saves when nothing else changed
RECORD_EVERY = 300.0  # seconds between hand-overs of active time to the statistics


def _slot(notice: Notice) -> str:
    return CONFIG if notice.kind == CONFIG else REMINDER
