"""What is due, and when to look again: a pure function of settings, state and ``now``.

Nothing here reads a clock, sleeps, or touches the desktop. The daemon, ``preview`` and the
tests all drive the same code by handing it observations.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from ergo_daemon.kinds import Kind, Rule, companion_of, rules_from
from ergo_daemon.settings.models import Settings
from ergo_daemon.triggers import Look
from ergo_daemon.workhours import Calendar

Status = Literal["active", "away", "held", "locked", "outside-hours", "paused", "idle-unknown"]


@dataclass(frozen=True)
class Activity:
    """One look at the person: seconds since last input (None: unknown), lock, time asleep."""

    now: datetime
    idle: float | None
    locked: bool = False
    asleep: float = 0.0
    elapsed: float | None = None  # real seconds since the last look; defaults to the wall-clock gap
    idle_pending: bool = False  # idle is None only for now: its source is starting or retried
    held: bool = False  # present but passive: a call, a film, Do Not Disturb (see ``quiet``)


@dataclass(frozen=True)
class Prompt:
    """Show ``kind`` now; ``merged`` kinds are covered by it too."""

    kind: Kind
    at: datetime
    merged: tuple[Kind, ...] = ()
    catch_up: bool = False
    after_hold: bool = False  # the one prompt shown when a hold ended


@dataclass(frozen=True)
class Decision:
    """What to show now; when the next reminder falls due (if planned); when to look again."""

    status: Status
    prompt: Prompt | None
    wake_at: datetime | None
    look_at: datetime
    natural_breaks: tuple[Kind, ...] = ()
    held: tuple[Kind, ...] = ()  # kinds that fell due at this look and wait for the hold to end


@dataclass
class PolicyState:
    """Everything the policy remembers between observations (persisted by the daemon).

    Kinds appear by name here, as in the state file.
    """

    last_seen: datetime | None = None
    counted: dict[str, float] = field(default_factory=dict)
    fixed_done: dict[str, str] = field(default_factory=dict)
    inactive: float = 0.0
    absence: float = 0.0
    locked_since: datetime | None = None
    posture_due: bool = False
    stretches: int = 0
    last_working: datetime | None = None  # the last look in working hours, pauses aside
    paused_until: datetime | None = None
    snoozes: dict[str, int] = field(default_factory=dict)  # local date -> snoozes that day
    held_since: datetime | None = None  # present but passive since then: prompts wait
    hold_spent: bool = False  # the hold outlasted quiet.max_hold: it no longer holds anything
    passive_until: datetime | None = None  # silence before this was a hold, never a break
    held_kinds: list[str] = field(default_factory=list)  # fell due while held, not yet shown


LEAST_WAIT = 0.001  # seconds


class Policy:
    """Decides prompts from observations; ``observe`` is the only way time moves forward."""

    def __init__(self, settings: Settings, tz: ZoneInfo, state: PolicyState | None = None) -> None:
        self.settings = settings
        self.rules = rules_from(settings)
        self._by_name = {rule.kind.name: rule for rule in self.rules}
        self._companion = companion_of(settings)
        self.calendar = Calendar.from_settings(settings.work_hours, tz)
        self.state = state or PolicyState()
        self._away_after = settings.timing.away_after.total_seconds()
        self._merge_within = settings.timing.merge_within.total_seconds()
        self._look_every = settings.timing.sample_every.total_seconds()
        self._max_hold = settings.quiet.max_hold.total_seconds()
        # The lengths of a stretch without input at which something changes: a natural break,
        # away, and back from an absence long enough for a posture check.
        lengths = {length for r in self.rules for length in r.trigger.lengths()}
        self._thresholds = tuple(sorted(lengths | {self._away_after}))

    # -- the step -----------------------------------------------------------------------------

    def observe(self, seen: Activity) -> Decision:
        """Account for the time since the last observation and decide what to show now."""
        # Arithmetic in UTC: adding to or subtracting local times in one ZoneInfo zone is
        # wall-clock arithmetic, wrong by an hour across a DST change.
        state, now = self.state, seen.now.astimezone(UTC)
        if state.last_seen is None:
            elapsed = 0.0
        elif seen.elapsed is not None:
            elapsed = seen.elapsed
        else:
            elapsed = (now - state.last_seen).total_seconds()
        state.last_seen = now
        if self.is_paused(now):
            # Nothing counts while paused, so no break length matters: look at the usual pace
            # (the inactivity known at the pause would otherwise ask for a look every few ms).
            look_at = self.calendar.local(now + timedelta(seconds=self._look_every))
            return Decision("paused", None, state.paused_until, look_at)
        if state.paused_until is not None:  # only the time since the pause ended counts
            elapsed = min(elapsed, (now - state.paused_until).total_seconds())
            state.paused_until = None
        elapsed = max(0.0, elapsed)
        asleep = min(max(0.0, seen.asleep), elapsed)

        # Idle unknown for now, where an idle source should tell (it is starting, or being tried
        # again after it stopped): hold every timer, neither counting nor resetting, and show
        # nothing until it tells. Counting clock time instead would prompt someone who may have
        # just stepped away; holding makes a reminder late by about as long as idle was unknown.
        unknown = seen.idle is None and seen.idle_pending and not seen.locked
        holding = self._holding(seen, now)
        if unknown:
            ongoing = state.inactive
        else:
            ongoing = self._ongoing_inactivity(seen, elapsed)
            # Held, the person is there: the silence is a call or a film, so it counts as work.
            ongoing = 0.0 if holding else self._since_passive(ongoing, seen, now)
        finished = asleep + state.inactive if asleep else 0.0
        working = self.calendar.is_working(now)
        same_period = False
        if working:
            since = state.last_working
            same_period = since is not None and self.calendar.works_throughout(since, now)
            state.last_working = now
        present = not unknown and not seen.locked and ongoing < self._away_after
        if not unknown:
            state.absence = max(state.absence, ongoing, finished)
        look = Look(
            awake=0.0 if unknown else elapsed - asleep,
            silent=0.0 if unknown else ongoing,
            slept=finished,
            was_silent=state.inactive,
            locked=seen.locked,
            elapsed=elapsed,
            working=working,
            same_period=same_period,
            present=present,
            absence=state.absence,
        )
        natural = tuple([r.kind for r in self.rules if r.trigger.count(r.kind.name, state, look)])
        state.inactive = ongoing
        returned = present and state.absence >= self._away_after
        if present:
            state.absence = 0.0

        look_at = self._look_at(now)
        if not working:
            return Decision("outside-hours", None, self.calendar.next_start(now), look_at, natural)
        if unknown:
            return Decision("idle-unknown", None, None, look_at, natural)
        if not present:
            state.held_kinds = []  # an absence resets what waited; nothing is owed on return
            status: Status = "locked" if seen.locked else "away"
            return Decision(status, None, None, look_at, natural)
        if holding:
            return Decision("held", None, None, look_at, natural, self._newly_held(now))
        prompt = self._prompt(now, catch_up=returned)
        if prompt is not None and state.held_kinds:
            prompt = replace(prompt, after_hold=True)
            state.held_kinds = []
        return Decision("active", prompt, self._next_wake(now), look_at, natural)

    # -- present but passive ------------------------------------------------------------------

    def needs_quiet(self, seen: Activity) -> bool:
        """Whether ``observe(seen)`` may depend on ``seen.held``: read the quiet signals only then.

        That is while a hold lasts, when a silence reaches its first break length, on the
        return from one, and when a prompt falls due before the next look.
        """
        state, now = self.state, seen.now.astimezone(UTC)
        if state.held_since is not None:
            return True
        if seen.locked or self.is_paused(now):
            return False
        idle, before, first = seen.idle or 0.0, state.inactive, self._thresholds[0]
        since = (now - state.last_seen).total_seconds() if state.last_seen else 0.0
        touched = idle + 1.0 < before + since  # input since the last look, even if idle again
        if max(before, seen.asleep) >= first and touched:
            return True  # back from a silence or a sleep: a posture check or a catch-up may show
        resumed = state.paused_until is not None  # the first look after a pause ended
        if (before < first or touched or resumed) and idle >= first:
            # A silence reaches its first break length, or is first seen after a pause. Asked
            # once per silence: a call, a film or a muted desktop starts with a click, so its
            # later lengths need no new answer (each ask costs a few context switches).
            return True
        if idle >= self._away_after or not self.calendar.is_working(now):
            return False  # nothing shows now, and what the silence means is settled
        # The timers have not counted the time since the last look yet: look that far ahead.
        since = (now - state.last_seen).total_seconds() if state.last_seen else 0.0
        soon = now + timedelta(seconds=max(self._look_every, since, seen.elapsed or 0.0))
        return any(at <= soon for _, at in self._dues(now))

    def _holding(self, seen: Activity, now: datetime) -> bool:
        """Whether prompts wait at this look; a hold ends with its signal, a lock or max_hold."""
        state = self.state
        if not seen.held or seen.locked:
            if state.held_since is not None and not state.hold_spent:
                state.passive_until = now
            state.held_since, state.hold_spent = None, False
            return False
        if state.held_since is None:
            state.held_since = now
        if state.hold_spent:
            return False
        if (now - state.held_since).total_seconds() >= self._max_hold:
            # A stuck signal must never silence the daemon for a day.
            state.hold_spent, state.passive_until = True, now
            return False
        return True

    def _since_passive(self, ongoing: float, seen: Activity, now: datetime) -> float:
        """Silence counted only from the end of the last hold, until the next input."""
        if self.state.passive_until is None:
            return ongoing
        since = max(0.0, (now - self.state.passive_until).total_seconds())
        if (seen.idle or 0.0) < since and not seen.locked:
            self.state.passive_until = None  # input since the hold ended: idle is true again
            return ongoing
        return min(ongoing, since)

    def _newly_held(self, now: datetime) -> tuple[Kind, ...]:
        """The kinds that fell due since the last look of this hold (each reported once)."""
        due = [r.kind for r, at in self._dues(now) if at <= now]
        new = tuple(k for k in due if k.name not in self.state.held_kinds)
        self.state.held_kinds.extend(k.name for k in new)
        return new

    # -- commands from the person -------------------------------------------------------------

    def pause(self, until: datetime) -> None:
        """Freeze every timer until ``until``: nothing counts, nothing resets, nothing shows."""
        self.state.paused_until = until

    def resume(self) -> None:
        self.state.paused_until = None

    def is_paused(self, now: datetime) -> bool:
        return self.state.paused_until is not None and now < self.state.paused_until

    def reset(self, kind: Kind) -> None:
        """Count ``kind`` (and every smaller active kind) as just taken."""
        self._taken(self._by_name[kind.name])

    def skip(self, kind: Kind, now: datetime) -> None:
        """Let the next ``kind`` go by unshown; its interval starts again from ``now``."""
        self._by_name[kind.name].trigger.taken(kind.name, self.state, now, self.calendar)

    def snooze(self, kind: Kind, seconds: float, now: datetime, *, just_shown: bool) -> None:
        """Put ``kind`` off: shown again ``seconds`` from now if it just showed, else no sooner.

        Raises ValueError when the day's snoozes are used up or ``kind`` cannot be snoozed.
        """
        trigger = self._by_name[kind.name].trigger
        if not trigger.snoozable:
            raise ValueError(f"{kind.name} {trigger.why_not_snoozed}")
        if self.snoozes_left(now) <= 0:
            limit = self.settings.snooze.per_day
            raise ValueError(f"no snoozes left today (the limit is {limit} a day)")
        trigger.snoozed(kind.name, self.state, seconds, just_shown=just_shown)
        day = self.calendar.local(now).date().isoformat()
        self.state.snoozes = {day: self.state.snoozes.get(day, 0) + 1}

    def snoozes_left(self, now: datetime) -> int:
        day = self.calendar.local(now).date().isoformat()
        return max(0, self.settings.snooze.per_day - self.state.snoozes.get(day, 0))

    def kinds(self) -> tuple[Kind, ...]:
        """The enabled kinds."""
        return tuple(rule.kind for rule in self.rules)

    def kind(self, name: str) -> Kind:
        """The enabled kind called ``name`` (KeyError: none is)."""
        return self._by_name[name].kind

    def rule(self, kind: Kind) -> Rule | None:
        """The enabled reminder of ``kind`` (None: it is not enabled)."""
        return self._by_name.get(kind.name)

    # -- what is coming -----------------------------------------------------------------------

    def due_at(self, rule: Rule, now: datetime) -> datetime | None:
        """When ``rule`` falls due if the person keeps working from ``now`` (None: not planned)."""
        return rule.trigger.due_at(rule.kind.name, self.state, now, self.calendar)

    def _dues(self, now: datetime) -> list[tuple[Rule, datetime]]:
        """Each planned reminder with when it falls due, in the order of the rules."""
        state, calendar = self.state, self.calendar
        return [
            (r, at)
            for r in self.rules
            if (at := r.trigger.due_at(r.kind.name, state, now, calendar)) is not None
        ]

    def upcoming(self, now: datetime) -> dict[Kind, datetime]:
        """The next time each kind would show, assuming continuous work (for status/preview)."""
        plan: dict[Kind, datetime] = {}
        for rule in self.rules:
            due = self.due_at(rule, now)
            if due is None:
                continue
            if not self.calendar.is_working(due):
                due = self.calendar.next_start(due) or due
            plan[rule.kind] = due
        return plan

    # -- internals ----------------------------------------------------------------------------

    def _ongoing_inactivity(self, seen: Activity, elapsed: float) -> float:
        """Seconds of the current stretch without input (a lock counts from when it began)."""
        idle = seen.idle or 0.0
        if not seen.locked:
            self.state.locked_since = None
            return idle
        if self.state.locked_since is None:
            self.state.locked_since = seen.now.astimezone(UTC) - timedelta(
                seconds=min(idle, elapsed)
            )
        return max(idle, (seen.now - self.state.locked_since).total_seconds())

    def _prompt(self, now: datetime, *, catch_up: bool) -> Prompt | None:
        due = self._dues(now)
        if not any(at <= now for _, at in due):
            return None
        window = now + timedelta(seconds=self._merge_within)
        # A set-time reminder is the person's own appointment: it shows under its own title,
        # never as a line inside another prompt, and two of them never share one notice.
        alone = next((r for r, at in due if r.trigger.standalone and at <= now), None)
        chosen = [r for r, at in due if at <= window and (not r.trigger.standalone or r is alone)]
        head = alone or max(chosen, key=lambda r: r.size)
        for rule in chosen:
            self._taken(rule, now)
        merged = [r.kind for r in chosen if r is not head]
        joins = self._companion
        if joins is not None and any(r.kind == joins.of for r in chosen):
            self.state.stretches += 1
            if self.state.stretches % joins.nth == 0:
                if (joined := self._by_name.get(joins.kind.name)) is not None:
                    joined.trigger.taken(joins.kind.name, self.state, now, self.calendar)
                if joins.kind not in merged and head.kind != joins.kind:
                    merged.append(joins.kind)
        return Prompt(head.kind, self.calendar.local(now), tuple(merged), catch_up)

    def _taken(self, rule: Rule, now: datetime | None = None) -> None:
        rule.trigger.taken(rule.kind.name, self.state, now, self.calendar)
        if rule.kind.rests:
            for other in self.rules:
                if other.kind.rests and other.size <= rule.size:
                    self.state.counted[other.kind.name] = 0.0

    def _look_at(self, now: datetime) -> datetime:
        """When the current stretch without input reaches the next length that matters.

        Looking exactly then catches every natural break and every departure as it happens, at
        no more wake-ups than needed: someone typing is looked at once per shortest break
        length (20 s of eye rest by default), and at least every ``timing.sample_every``, which
        bounds how late a return to the desk is noticed.
        """
        ongoing = self.state.inactive
        wait = min([self._look_every, *(t - ongoing for t in self._thresholds if t > ongoing)])
        # Never now itself (a microsecond away at least): the scheduler runs a due wake at once.
        return self.calendar.local(now + timedelta(seconds=max(wait, LEAST_WAIT)))

    def _next_wake(self, now: datetime) -> datetime | None:
        later = [at for _, at in self._dues(now) if at > now]
        return min(later, key=lambda d: d.astimezone(UTC), default=None)  # not by wall clock
