"""The running daemon: each tick reads the world, asks the policy, delivers, says when to wake.

Its commands (pause, snooze, status ...) are what a typed request or a notice's button runs.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from ergo_daemon import paths, persist
from ergo_daemon.activity.steady import SteadyReading
from ergo_daemon.clock import Instant, gap, read_clocks
from ergo_daemon.content.compose import Composer
from ergo_daemon.daemon_commands import (
    UNTIL_RESUMED,
    Paused,
    Planned,
    Refused,
    Reloaded,
    Resumed,
    Snapshot,
    Snoozed,
    known,
    pause_end,
    target,
)
from ergo_daemon.delivery import Delivery
from ergo_daemon.desk import Desk
from ergo_daemon.durations import humanize
from ergo_daemon.fallback import CONFIGURED, InUse, notice_text
from ergo_daemon.followups import AskAgain, HeadsUp, again_notice, heads_up_notice
from ergo_daemon.kinds import BREAK, Kind
from ergo_daemon.notify.answers import LABELS, Answer, offered
from ergo_daemon.policy import Activity, Policy, PolicyState, Status
from ergo_daemon.ports import (
    ActivitySource,
    Notice,
    Notifier,
    Outcome,
    QuietSignal,
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
        self._delivery = Delivery(
            notifier, retry_after=retry_after, record=self._record, muted=self._muted
        )
        self.activity = activity
        self._reading = SteadyReading(activity, fallback)
        self._clock = clock
        self._last: Instant | None = None
        self._reloader = reloader
        self._rebuild = rebuild
        self.recorder = recorder
        self._state_file = state_file
        self.speed = speed  # ``run --speed``: durations typed to pause and snooze follow it too
        self._lock = threading.Lock()  # ticks and control requests take turns
        self._desk = Desk(recorder)
        self._status: Status | None = None
        self._saved_at = 0.0
        self._restored_at: datetime | None = None
        self._on_stop = on_stop
        self._on_good_settings = on_good_settings
        self._settings_in_use = CONFIGURED  # what runs, and the configuration problem if any
        self._on_change = on_change
        self._screen = screen  # the break window, for ``break.screen`` other than "off"
        self._heads_up = HeadsUp()
        self._ask_again = AskAgain()
        self._answers: deque[Answer] = deque()  # pressed on a notice, applied on the next tick
        self._quiet_for = quiet  # rebuilt when a reload changes the [quiet] table
        self._quiet = quiet(policy.settings) if quiet is not None else None
        self._held: tuple[str, datetime] | None = None  # why prompts wait, and since when

    def restore(self) -> None:
        """Continue today's timers, pause, snoozes and desk time from the state file, if any."""
        if self._state_file is None:
            return
        now = self._clock().wall.astimezone(self.policy.calendar.tz)
        saved = persist.load(self._state_file, now.date())
        if saved is None:
            return
        self.policy.state, self._desk.today = saved.state, saved.desk
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
            persist.save(self._state_file, self.policy.state, self._desk.today, self._clock().wall)
        except OSError as exc:
            log.warning("cannot save the timers to %s: %s", self._state_file, exc)

    def close(self) -> None:
        """Flush statistics and state (on stop)."""
        with self._lock:
            self._desk.hand_over(force=True)
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
        if self._answers:  # outside the lock: each answer is a command, which takes it
            self._apply_answers()
            with self._lock:
                wake = self._tick()  # the answers moved what is due next
        return wake

    def answer(self, answer: Answer) -> None:
        """A button pressed or a notice dismissed (from any thread): applied at a wake, now."""
        self._answers.append(answer)
        self._on_change()

    # -- what a person asks, typed or with a notice's button ----------------------------------
    # Each looks at activity first (time passed since the last look), acts at one ``now``,
    # saves, and asks for a wake (what is due next may have moved); a refusal does neither.

    def pause(self, *, seconds: float | None = None, until: str | None = None) -> Paused:
        """Pause for ``seconds``, until a local ``HH:MM`` or ``"tomorrow"``, or until resumed."""
        with self._command() as now:
            # A typed duration follows --speed like every configured one; a time of day stays.
            end = pause_end(self.policy, now, seconds and seconds / self.speed, until)
            self.policy.pause(end)
            return Paused(now, end)

    def resume(self) -> Resumed:
        """End a pause; says whether there was one."""
        with self._command() as now:
            was_paused = self.policy.is_paused(now)
            self.policy.resume()
            return Resumed(now, was_paused)

    def snooze(self, name: str | None = None, seconds: float | None = None) -> Snoozed:
        """Put kind ``name`` (else the prompt just shown, else the next) off; raises Refused."""
        with self._command() as now:
            policy = self.policy
            kind, just_shown = target(policy, name, self._delivery.last_shown, now)
            typed = seconds and seconds / self.speed  # follows --speed, as snooze.length does
            length = typed or policy.settings.snooze.length.total_seconds()
            try:
                policy.snooze(kind, length, now, just_shown=just_shown)
            except ValueError as exc:
                raise Refused(str(exc)) from None
            self._record(now, kind, "snoozed")
            return Snoozed(now, kind, policy.upcoming(now).get(kind), policy.snoozes_left(now))

    def skip(self, name: str | None = None) -> Planned:
        """Let kind ``name`` (else the prompt just shown, else the next) go by; raises Refused."""
        with self._command() as now:
            kind, just_shown = target(self.policy, name, self._delivery.last_shown, now)
            if not just_shown:
                self.policy.skip(kind, now)
            self._record(now, kind, "skipped")
            return Planned(now, kind, self.policy.upcoming(now).get(kind))

    def done(self, name: str, *, merged: Sequence[Kind] = ()) -> Planned:
        """Count kind ``name`` as taken; ``merged``: the other kinds the answered notice covered."""
        with self._command() as now:
            kind = known(self.policy, name)
            self.policy.reset(kind)
            self._record(now, kind, "done", merged)
            if kind.rests:  # a real rest ends the sitting stretch
                self._desk.stand_up()
            return Planned(now, kind, self.policy.upcoming(now).get(kind))

    def dismissed(self, kind: Kind, *, merged: Sequence[Kind] = ()) -> None:
        """The person closed ``kind``'s notice without answering it."""
        with self._command() as now:
            self._record(now, kind, "dismissed", merged)

    def reload(self) -> Reloaded:
        """Read the configuration again now; raises Refused when the new one is not in force."""
        with self._command() as now:
            if self._reloader is None:
                raise Refused("this daemon does not reload its configuration")
            self._reloader.request()
            summary = self._reload_if_changed(now) or "configuration unchanged"
            if self._settings_in_use.problem is not None:
                raise Refused(summary)
            return Reloaded(summary)

    def status(self) -> Snapshot:
        """The daemon now, the time since its last look counted."""
        with self._command(saves=False) as now:
            policy, desk = self.policy, self._desk.today
            paused = policy.state.paused_until if policy.is_paused(now) else None
            plan = {} if paused == UNTIL_RESUMED else policy.upcoming(max(now, paused or now))
            return Snapshot(
                at=now,
                status=self._status,
                paused_until=paused,
                plan=tuple(plan.items()),
                held=self._held if self._status == "held" else None,
                # Asked now: the signals are read only when a decision needs them, so between
                # decisions the daemon does not know (one read, a few context switches).
                quiet=self._muted(now) if self._status == "active" else None,
                active=desk.active,
                sitting=desk.sitting,
                longest=desk.longest,
                snoozes_left=policy.snoozes_left(now),
                activity=self.activity.name,
                statistics_problem=self.recorder.problem if self.recorder is not None else None,
                delivery_failure=self._delivery.failure,
                settings=self._settings_in_use,
            )

    def stop(self) -> None:
        """Save, and end the run."""
        with self._lock:
            self.save()
        self._on_stop()

    @contextmanager
    def _command(self, *, saves: bool = True) -> Iterator[datetime]:
        with self._lock:
            self._tick()  # the time since the last look counts before acting on it or showing it
            yield self.now()
            if saves:
                self.save()
        self._on_change()

    def _apply_answers(self) -> None:
        """Each button pressed since the last wake, by the command typing it would run."""
        while self._answers:
            answer = self._answers.popleft()
            log.info("answered %s: %s", answer.kind, self._answered(answer))

    def _answered(self, answer: Answer) -> str:
        """Do what one button asks (the lock not held: the command takes it); what it did."""
        try:
            match answer.action:
                case "dismissed":
                    self.dismissed(answer.kind, merged=answer.merged)
                    return "dismissed"
                case "done":
                    return self.done(answer.kind.name, merged=answer.merged).kind.done_line()
                case "snooze":
                    return f"snoozed {self.snooze(answer.kind.name).kind}"
                case "skip":
                    return f"skipped {self.skip(answer.kind.name).kind}"
        except Refused as exc:
            self.tell(f"{LABELS[answer.action]}: {exc}")
            return f"refused: {exc}"
        except Exception:  # a button must never stop the daemon
            log.exception("answering %s with %s failed", answer.kind, answer.action)
            return "failed inside the daemon"

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
        reading = self._reading.read()
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
        away = self.policy.settings.timing.away_after.total_seconds()
        self._desk.count(
            now,
            reading,
            elapsed - asleep,
            away=locked or max(asleep, reading.idle or 0.0) >= away,
            paused=status == "paused",
            held=status == "held",
        )
        for kind in decision.natural_breaks:
            log.info("natural break: %s timer reset", kind)
            if not down:  # only a break seen happening is one in the statistics
                self._record(now, kind, "natural")
        for kind in decision.held:
            log.info("held %s: %s", kind, self._held[0] if self._held else "quiet")
            self._record(now, kind, "held")
        if decision.status != "active":
            self._delivery.drop_reminder(decision.status)
        if decision.prompt is not None:
            changed = True
            if decision.prompt.after_hold:
                log.info("the hold is over: one prompt for what fell due meanwhile")
            notice = self._with_answers(self._composer.compose(decision.prompt))
            if not self._on_screen(notice, now):
                self._delivery.send(notice, now)
            if notice.kind == BREAK:
                self._ask_again.shown()
        # One notice a tick at most: a follow-up waits for the next look.
        shown = decision.prompt is not None or self._delivery.retry_due(now)
        follow_ups = self._follow_up(now) if decision.status == "active" and not shown else []
        self._delivery.withdraw_stale(now, self._stale_after)
        if changed or time.monotonic() - self._saved_at >= SAVE_EVERY:
            self.save()
        # Only future wakes: a past date would make the scheduler run again at once. In UTC: two
        # local times in one zone compare by the wall clock, wrong across the repeated DST hour.
        wakes = [decision.look_at, decision.wake_at, *self._delivery.retry_times(), *follow_ups]
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

    def _muted(self, now: datetime) -> str | None:
        """Why notices should wait now (a call, Do Not Disturb), asked of the quiet signals."""
        return self._quiet.read(now) if self._quiet is not None else None

    def _stale_after(self, kind: Kind) -> float:
        """Seconds after which a reminder still on screen is stale: its kind's interval."""
        rule = self.policy.rule(kind)
        grace = self.policy.settings.timing.fixed_grace.total_seconds()
        return (rule.trigger.interval() if rule is not None else 0.0) or grace

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

    def _record(
        self, at: datetime, kind: Kind, outcome: Outcome, merged: Sequence[Kind] = ()
    ) -> None:
        if kind == BREAK and outcome in ANSWERED:
            self._ask_again.answered()
        if self.recorder is not None:  # by name: the statistics outlive this process's kinds
            self.recorder.prompt(at, kind.name, outcome, [k.name for k in merged])

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
        title = f"{paths.APP}: configuration error"
        notice = Notice.about_itself(CONFIG, title, notice_text(in_use), now)
        self._delivery.send(notice, now)

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
            choice, detail = self._settings_in_use.choice, self._settings_in_use.detail
            if choice == "configured":
                choice, detail = "last good", "the last good settings"
            self.config_failed(InUse(choice, detail, str(outcome)), now)
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

    def tell(self, message: str) -> None:
        """A notice about ergo-daemon itself, e.g. a refused button: no buttons, not counted.

        Takes the lock (not reentrant): never call it while holding it.
        """
        with self._lock:
            now = self.now()
            self._delivery.send(Notice.about_itself(INFO, paths.APP, message, now), now)
        self._on_change()  # a notice kept for a retry needs a wake at its time

    def _follow_up(self, now: datetime) -> list[datetime]:
        """A heads-up before a break, or the one ask again after it; when to look next."""
        warn, warn_at = self._heads_up.check(self.policy, now)
        again, again_at = self._ask_again.check(self.policy, now)
        if (warn or again) and (why := self._muted(now)):
            # The policy asked no signal at this look (no prompt fell due), so ask now: during a
            # call or Do Not Disturb a follow-up is dropped, never owed for later.
            log.info("no follow-up now: %s", why)
            warn = again = False
        if warn:
            self._delivery.announce(heads_up_notice(self._composer.settings, now))
        if again:
            notice = self._with_answers(again_notice(self._composer.settings, now))
            if not self._on_screen(notice, now):
                self._delivery.send(notice, now)
        return [at for at in (warn_at, again_at) if at is not None]

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
        self._delivery.shown_elsewhere(notice, now)
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


CONFIG, INFO = "config", "info"  # topics of notices about ergo-daemon itself: each its own slot
ANSWERED = ("done", "snoozed", "skipped", "natural", "dismissed")  # what ends asking again
SAVE_EVERY = 60.0  # seconds between state saves when nothing else changed
DOWN_COUNTS_AS_AWAY = 180.0  # seconds not running from which a restart counts as time away
