"""One tick of the running daemon: read the world, ask the policy, deliver, say when to wake."""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from ergo_daemon import daemon_commands, persist
from ergo_daemon.clock import Instant, gap, read_clocks
from ergo_daemon.content.compose import Composer
from ergo_daemon.durations import humanize
from ergo_daemon.fallback import CONFIGURED, InUse, notice_text
from ergo_daemon.followups import AGAIN, AskAgain, HeadsUp, again_notice, heads_up_notice
from ergo_daemon.kinds import BREAK, Kind
from ergo_daemon.notify.answers import Answer, offered
from ergo_daemon.persist import DeskTime
from ergo_daemon.policy import Activity, Policy, PolicyState, Status
from ergo_daemon.ports import (
    REMINDER,
    ActivitySource,
    Notice,
    Notifier,
    Outcome,
    QuietSignal,
    Reading,
    Recorder,
)
from ergo_daemon.reload import Reloader
from ergo_daemon.settings.layers import ConfigError, flatten
from ergo_daemon.settings.models import Settings

if TYPE_CHECKING:
    from ergo_daemon.screen import BreakScreen

Rebuild = Callable[[Settings, PolicyState], tuple[Policy, Composer]]
QuietFactory = Callable[[Settings], QuietSignal]
KeepSettings = Callable[[Settings, datetime], None]

log = logging.getLogger(__name__)


class Daemon:
    """Ties the pure policy to real adapters; ``tick()`` is everything that happens on a wake."""

    # What a person asks, typed or by a notice's button; each locks, saves and asks for a wake.
    pause = daemon_commands.pause
    resume = daemon_commands.resume
    snooze = daemon_commands.snooze
    skip = daemon_commands.skip
    done = daemon_commands.done
    dismissed = daemon_commands.dismissed
    reload = daemon_commands.reload
    status = daemon_commands.status
    stop = daemon_commands.stop

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
        speed: float = 1.0,
        screen: BreakScreen | None = None,
        quiet: QuietFactory | None = None,
        on_change: Callable[[], None] = lambda: None,  # wake now: what is due next moved
        on_stop: Callable[[], None] = lambda: None,  # end the run: ``stop`` was asked
        on_good_settings: KeepSettings = lambda _settings, _now: None,  # a clean (re)load
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
        self.speed = speed  # ``run --speed``: durations typed to pause and snooze follow it too
        self._lock = threading.Lock()  # ticks and control requests take turns
        self._desk = DeskTime(date.min)
        self._last_shown: tuple[Kind, datetime] | None = None
        self._status: Status | None = None
        self._unrecorded = 0.0
        self._unrecorded_held = 0.0  # active seconds spent held (a call, a film), for the report
        self._recorded_at = self._saved_at = 0.0
        self._restored_at: datetime | None = None
        self._activity_worked = False
        self._activity_failing: str | None = None  # why the activity source fails, while it does
        self._on_stop = on_stop
        self._on_good_settings = on_good_settings
        self._settings_in_use = CONFIGURED  # what runs, and the configuration problem if any
        # Why notices are not reaching the screen, and since when; None once one gets through.
        self._delivery_failure: tuple[str, datetime] | None = None
        self._on_change = on_change
        self._screen = screen  # the break window, for ``break.screen`` other than "off"
        self._heads_up = HeadsUp()
        self._ask_again = AskAgain()
        self._answers: deque[Answer] = deque()  # pressed on a notice, applied on the next tick
        self._quiet_for = quiet  # rebuilt when a reload changes the [quiet] table
        self._quiet = quiet(policy.settings) if quiet is not None else None
        self._held: tuple[str, datetime] | None = None  # why prompts wait, and since when
        self._showing: tuple[Kind, datetime] | None = None  # the last reminder shown, and when

    def restore(self) -> None:
        """Continue today's timers, pause, snoozes and tally from the state file, if any."""
        if self._state_file is None:
            return
        now = self._clock().wall.astimezone(self.policy.calendar.tz)
        saved = persist.load(self._state_file, now.date())
        if saved is None:
            return
        self.policy.state, self._desk = saved.state, saved.desk
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
            persist.save(self._state_file, self.policy.state, self._desk, self._clock().wall)
        except OSError as exc:
            log.warning("cannot save the timers to %s: %s", self._state_file, exc)

    def close(self) -> None:
        """Flush statistics and state (on stop)."""
        with self._lock:
            self._record_active(force=True)
            self.save()
            if self.recorder is not None:
                self.recorder.close()
            self.activity.close()
            if self._screen is not None:
                self._screen.close()
            if self._quiet is not None:
                self._quiet.close()

    def tick(self) -> datetime:
        with self._lock:
            wake = self._tick()
        # A button counts as its typed command: the same calls, each of which asks for a wake
        # at once (the answer moved what is due next).
        daemon_commands.apply_answers(self)
        return wake

    def answer(self, answer: Answer) -> None:
        """A button pressed or a notice dismissed (from any thread): applied at a wake, now."""
        self._answers.append(answer)
        self._on_change()

    def _tick(self) -> datetime:
        instant = self._clock()
        down = 0.0
        if self._screen is not None:
            self._screen.reap()
        if self._last is not None:
            elapsed, asleep = gap(self._last, instant)
        elif self._restored_at is not None:
            down = max(0.0, (instant.wall - self._restored_at).total_seconds())
            # A restart is nobody's break: the timers neither run nor reset over a short one; a
            # long one (a reboot, a crash found later) counts as away.
            elapsed = asleep = down if down >= DOWN_COUNTS_AS_AWAY / self.speed else 0.0
            log.info(
                "not running for %.0f s before this start%s",
                down,
                "; that counts as away" if asleep else "",
            )
        else:
            elapsed, asleep = 0.0, 0.0
        self._last = instant
        now = instant.wall.astimezone(self.policy.calendar.tz)
        self._reload_if_changed(now)
        if asleep and not down:
            log.info("woke after %.0f s asleep", asleep)
        reading = self._read_activity()
        locked = reading.locked or reading.sleeping  # about to suspend: nobody is working
        seen = Activity(
            now,
            reading.idle,
            locked,
            asleep=asleep,
            elapsed=elapsed,
            idle_pending=reading.idle_pending,
        )
        decision = self.policy.observe(replace(seen, held=self._is_held(seen)))
        changed = decision.status != self._status
        if changed:
            log.info("now %s", decision.status)
            self._status = decision.status
        status = decision.status
        self._count(
            now, reading, locked, elapsed, asleep, paused=status == "paused", held=status == "held"
        )
        for kind in decision.natural_breaks:
            log.info("natural break: %s timer reset", kind)
            if not down:  # only a break seen happening is one in the statistics
                self.record(now, kind, "natural")
        for kind in decision.held:
            log.info("held %s: %s", kind, self._held[0] if self._held else "quiet")
            self.record(now, kind, "held")
        if decision.status != "active":
            self._drop_retries(decision.status)
        nothing_shown = False  # one notice a tick at most: a follow-up waits for the next look
        if decision.prompt is not None:
            changed = True
            if decision.prompt.after_hold:
                log.info("the hold is over: one prompt for what fell due meanwhile")
            notice = self._with_answers(self._composer.compose(decision.prompt))
            if not self._on_screen(notice, now):
                self._deliver(notice, now)
            if notice.kind == BREAK:
                self._ask_again.shown()
        elif due := [r for r in self._retries.values() if r[1] <= now]:
            notice = min(due, key=lambda r: r[1])[0]
            del self._retries[notice.slot]
            self._deliver(notice, now, retrying=True)
        else:
            nothing_shown = True
        follow_ups = self._follow_up(now) if decision.status == "active" and nothing_shown else []
        self._withdraw_stale(now)
        if changed or time.monotonic() - self._saved_at >= SAVE_EVERY:
            self.save()
        # Only future wakes: a past date would make the scheduler run again at once. In UTC: two
        # local times in one zone compare by the wall clock, wrong across the repeated DST hour.
        wakes = [decision.look_at, decision.wake_at, *(at for _, at in self._retries.values())]
        wakes += follow_ups
        utc = [at.astimezone(UTC) for at in wakes if at is not None]
        return min(at for at in utc if at > now)

    def _is_held(self, seen: Activity) -> bool:
        """Ask the quiet signals, only when the policy's decision at this look depends on them."""
        reason = None
        if self._quiet is not None and self.policy.needs_quiet(seen):
            reason = self._quiet.read(seen.now)
        if reason is None:
            if self._held is not None:
                log.info("prompts no longer held (%s ended)", self._held[0])
            self._held = None
        elif self._held is None or self._held[0] != reason:
            log.info("holding prompts: %s", reason)
            self._held = (reason, self._held[1] if self._held else seen.now)
        return reason is not None

    def _withdraw_stale(self, now: datetime) -> None:
        """Close a reminder still on screen once its kind's interval has passed: it is stale."""
        if self._showing is None:
            return
        kind, shown = self._showing
        rule = self.policy.rule(kind)
        grace = self.policy.settings.timing.fixed_grace.total_seconds()
        interval = (rule.trigger.interval() if rule is not None else 0.0) or grace
        if (now - shown).total_seconds() < interval:
            return
        self._showing = None
        try:
            self._notifier.withdraw()
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
        self._quiet, self._held = self._quiet_for(self.policy.settings), None

    def record(
        self, at: datetime, kind: Kind, outcome: Outcome, merged: Sequence[Kind] = ()
    ) -> None:
        if kind == BREAK and outcome in ANSWERED:
            self._ask_again.answered()
        if self.recorder is not None:  # by name: the statistics outlive this process's kinds
            self.recorder.prompt(at, kind.name, outcome, [k.name for k in merged])

    def _count(
        self,
        now: datetime,
        reading: Reading,
        locked: bool,
        elapsed: float,
        asleep: float,
        *,
        paused: bool,
        held: bool = False,
    ) -> None:
        """Today's active time and sitting stretch: a stretch ends after ``away_after`` idle.

        Held (a call, a film), silence is sitting at the desk: it counts, and for the report.
        """
        if now.date() != self._desk.day:
            self._record_active(force=True)
            self._desk = DeskTime(now.date())
        if paused:  # frozen with the timers: the figures a pause saved stay what status says
            self._record_active()
            return
        away = self.policy.settings.timing.away_after.total_seconds()
        if not held and (locked or max(asleep, reading.idle or 0.0) >= away):
            self._desk.sitting = 0.0
        elif reading.idle is None and reading.idle_pending:
            pass  # present or not is unknown for now: neither count nor end the stretch
        else:
            self._desk.add(elapsed - asleep)
            self._unrecorded += elapsed - asleep
            self._unrecorded_held += (elapsed - asleep) * held
        self._record_active()

    def _record_active(self, *, force: bool = False) -> None:
        """Hand active time to the statistics every few minutes, not on every tick."""
        if not force and time.monotonic() - self._recorded_at < RECORD_EVERY:
            return
        self._recorded_at = time.monotonic()
        if self._desk.day == date.min:  # before the first tick: no day to record yet
            return
        if self.recorder is not None and (self._unrecorded or force):
            held = min(self._unrecorded_held, self._unrecorded)
            self.recorder.active(self._desk.day, self._unrecorded, self._desk.longest, held)
        self._unrecorded = self._unrecorded_held = 0.0

    def request_reload(self) -> None:
        if self._reloader is not None:
            self._reloader.request()

    def config_failed(self, in_use: InUse, now: datetime) -> None:
        """Run on ``in_use`` after a configuration problem; one notice per distinct problem.

        The file watcher and ``reload`` may both meet the same broken file: it is said once.
        """
        repeated = in_use.problem == self._settings_in_use.problem
        self._settings_in_use = in_use
        if repeated:
            log.info("the configuration is still broken; %s stay in use", in_use.detail)
            return
        log.error("configuration error; running on %s:\n%s", in_use.detail, in_use.problem)
        title = "ergo-daemon: configuration error"
        notice = Notice.about_itself(CONFIG, title, notice_text(in_use), now)
        self._deliver(notice, now)

    def _reload_if_changed(self, now: datetime) -> str | None:
        """Apply changed settings without losing timer state; keep the old ones if broken."""
        if self._reloader is None or self._rebuild is None:
            return None
        outcome = self._reloader.poll()
        if outcome is None:
            return None
        if isinstance(outcome, ConfigError):
            # Whatever ran before goes on: the settings of the last clean load, or the stand-in
            # chosen at start.
            kind, detail = self._settings_in_use.kind, self._settings_in_use.detail
            if kind == "configured":
                kind, detail = "last good", "the last good settings"
            self.config_failed(InUse(kind, detail, str(outcome)), now)
            first = str(outcome).splitlines()[0]
            return f"configuration error, {detail} stay in use: {first}"
        self._settings_in_use = CONFIGURED
        self._on_good_settings(outcome.settings, now)
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
        """The source's reading; while it fails, the fallback's, and the source is asked again."""
        # Never swapped out for good: a source that fails now (a compositor restarting) may
        # work at the next look. One that worked before reads as idle pending meanwhile.
        try:
            reading = self.activity.read()
        except Exception as exc:  # any adapter failure: degrade, never stop
            if self._activity_failing is None:
                log.warning(
                    "activity: %s failed (%s); using %s until it works again",
                    self.activity.name,
                    exc,
                    self._fallback.name,
                )
            self._activity_failing = str(exc)
            fallback = self._fallback.read()
            if not self._activity_worked:
                return fallback
            return Reading(None, fallback.locked, fallback.sleeping, idle_pending=True)
        if self._activity_failing is not None:
            log.info("activity: %s works again", self.activity.name)
            self._activity_failing = None
        self._activity_worked = True
        return reading

    def tell(self, message: str) -> None:
        """A notice about ergo-daemon itself, e.g. a refused button: no buttons, not counted."""
        with self._lock:
            now = self.now()
            self._deliver(Notice.about_itself(INFO, "ergo-daemon", message, now), now)

    def _follow_up(self, now: datetime) -> list[datetime]:
        """A heads-up before a break, or the one ask again after it; when to look next."""
        warn, warn_at = self._heads_up.check(self.policy, now)
        again, again_at = self._ask_again.check(self.policy, now)
        if (warn or again) and self._quiet is not None and (why := self._quiet.read(now)):
            # The policy asked no signal at this look (no prompt fell due), so ask now: during a
            # call or Do Not Disturb a follow-up is dropped, never owed for later.
            log.info("no follow-up now: %s", why)
            warn = again = False
        if warn:
            self._announce(heads_up_notice(self._composer.settings, now))
        if again:
            notice = self._with_answers(again_notice(self._composer.settings, now))
            if not self._on_screen(notice, now):
                self._deliver(notice, now)
        return [at for at in (warn_at, again_at) if at is not None]

    def _announce(self, notice: Notice) -> None:
        """A heads-up: shown once, never retried, not counted as a prompt."""
        try:
            self._notifier.send(notice)
        except Exception as exc:  # a notification is never worth a crash
            log.warning("could not show %r (%s)", notice.title, exc)
            return
        log.info("shown heads-up: %s", notice.title)

    def _on_screen(self, notice: Notice, now: datetime) -> bool:
        """Show a break in the break window, when one is set and opens; else False."""
        mode = self.policy.settings.rest_break.screen
        if self._screen is None or notice.kind != BREAK or mode == "off":
            return False
        seconds = self.policy.settings.rest_break.duration.total_seconds()
        postpone = humanize(self._composer.settings.snooze.length)
        if not self._screen.show(notice, seconds=seconds, mode=mode, postpone=postpone):
            return False
        log.info("shown break on the break screen (%s): %s", mode, notice.title)
        self._last_shown = (BREAK, now)
        self.record(notice.at, BREAK, _outcome(notice), notice.merged)
        return True

    def _with_answers(self, notice: Notice) -> Notice:
        """The notice with the answers its kind takes (a set-time one cannot be snoozed)."""
        rule = self.policy.rule(notice.kind) if notice.kind is not None else None
        sound = self.policy.settings.sound
        return dataclasses.replace(
            notice,
            actions=offered(rule.trigger if rule is not None else None),
            sound=sound.name if sound.enabled else None,
        )

    def _drop_retries(self, status: Status) -> None:
        """A reminder is stale once the person left, locked, paused or stopped work."""
        notice = self._retries.pop(REMINDER, (None,))[0]
        if notice is not None and notice.kind is not None:
            log.info("not retrying %r: now %s", notice.title, status)
            self.record(notice.at, notice.kind, "failed", notice.merged)

    def _deliver(self, notice: Notice, now: datetime, *, retrying: bool = False) -> None:
        slot = notice.slot
        if not retrying and (stale := self._retries.pop(slot, None)) is not None:
            log.info("not retrying %r: a newer notice replaces it", stale[0].title)
        if notice.kind is None and self._quiet is not None and (why := self._quiet.read(now)):
            # Do Not Disturb, a call or a film: a notice about ergo-daemon itself waits too.
            log.info("holding %r until it ends: %s", notice.title, why)
            self._retries[slot] = (notice, now + self._retry_after)
            return
        try:
            self._notifier.send(notice)
        except Exception as exc:  # a notification is never worth a crash
            self._delivery_failed(str(exc), now)
            if retrying:
                log.error("could not show %r again (%s); dropped", notice.title, exc)
                if notice.kind is not None:
                    self.record(notice.at, notice.kind, "failed", notice.merged)
            else:
                self._retries[slot] = (notice, now + self._retry_after)
                log.warning(
                    "could not show %r (%s); retrying in %s", notice.title, exc, self._retry_after
                )
            return
        # Sent, but perhaps only to the log, standing in for a session bus lost or never there.
        if (down := self._notifier.down) is not None:
            self._delivery_failed(f"only written to the log: {down}", now)
        elif self._delivery_failure is not None:
            log.info("notices reach the screen again (failing since %s)", self._delivery_failure[1])
            self._delivery_failure = None
        merged = f" (with {', '.join(k.name for k in notice.merged)})" if notice.merged else ""
        log.info("shown %s%s: %s", notice.kind or notice.topic, merged, notice.title)
        if notice.kind is not None:
            self._last_shown = self._showing = (notice.kind, now)
            self.record(notice.at, notice.kind, _outcome(notice), notice.merged)

    def _delivery_failed(self, error: str, now: datetime) -> None:
        """Keep the latest reason and the time of the first failure in a row, for ``status``."""
        since = self._delivery_failure[1] if self._delivery_failure else now
        self._delivery_failure = (error, since)


CONFIG, INFO = "config", "info"  # topics of notices about ergo-daemon itself: each its own slot
ANSWERED = ("done", "snoozed", "skipped", "natural", "dismissed")  # what ends asking again
SAVE_EVERY = 60.0  # seconds between state saves when nothing else changed
DOWN_COUNTS_AS_AWAY = 180.0  # seconds not running from which a restart counts as time away
RECORD_EVERY = 300.0  # seconds between hand-overs of active time to the statistics


def _outcome(notice: Notice) -> Outcome:
    """How a shown notice is counted: an ask again is no new prompt."""
    return "repeated" if notice.follow_up == AGAIN else "shown"
