"""What is due, and when to look again: a pure function of settings, state and ``now``.

Nothing here reads a clock, sleeps, or touches the desktop. The daemon, ``preview`` and the
tests all drive the same code by handing it observations.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from ergo_daemon.settings.models import WEEKDAYS, ActiveReminder, Settings
from ergo_daemon.workhours import Calendar, local_instant

Trigger = Literal["active", "clock", "fixed", "on_return"]
Status = Literal["active", "away", "held", "locked", "outside-hours", "paused", "idle-unknown"]


@dataclass(frozen=True)
class Rule:
    """One reminder kind as the policy sees it; ``size`` orders kinds when prompts merge."""

    kind: str
    trigger: Trigger
    size: float
    every: float = 0.0
    rests: bool = False  # a real break: taking it also covers every smaller break
    at: tuple[int, ...] = ()
    weekdays: frozenset[int] = frozenset(range(7))


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

    kind: str
    at: datetime
    merged: tuple[str, ...] = ()
    catch_up: bool = False
    after_hold: bool = False  # the one prompt shown when a hold ended


@dataclass(frozen=True)
class Decision:
    """What to show now; when the next reminder falls due (if planned); when to look again."""

    status: Status
    prompt: Prompt | None
    wake_at: datetime | None
    look_at: datetime
    natural_breaks: tuple[str, ...] = ()
    held: tuple[str, ...] = ()  # kinds that fell due at this look and wait for the hold to end


@dataclass
class PolicyState:
    """Everything the policy remembers between observations (persisted by the daemon)."""

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
SIZES = {"eyes": 1.0, "posture": 0.5, "hydration": 1.5}


def rules_from(settings: Settings) -> tuple[Rule, ...]:
    """The enabled reminders of ``settings`` as policy rules."""
    rules: list[Rule] = []

    def active(kind: str, reminder: ActiveReminder) -> None:
        if reminder.enabled:
            seconds = reminder.duration.total_seconds()
            every = reminder.every.total_seconds()
            rules.append(Rule(kind, "active", seconds, every, rests=True))

    active("eyes", settings.eyes)
    active("stretch", settings.stretch)
    active("break", settings.rest_break)
    if settings.posture.enabled and settings.posture.after_away:
        rules.append(Rule("posture", "on_return", SIZES["posture"]))
    if settings.hydration.enabled:
        every = settings.hydration.every.total_seconds()
        rules.append(Rule("hydration", "clock", SIZES["hydration"], every))
    for custom in settings.custom:
        size = custom.duration.total_seconds()
        days = frozenset(WEEKDAYS.index(d) for d in custom.days)
        if custom.every is not None:
            rules.append(Rule(custom.name, "active", size, custom.every.total_seconds()))
        else:
            rules.append(
                Rule(custom.name, "fixed", size, at=tuple(sorted(custom.at)), weekdays=days)
            )
    return tuple(rules)


class Policy:
    """Decides prompts from observations; ``observe`` is the only way time moves forward."""

    def __init__(self, settings: Settings, tz: ZoneInfo, state: PolicyState | None = None) -> None:
        self.settings = settings
        self.rules = rules_from(settings)
        self.calendar = Calendar.from_settings(settings.work_hours, tz)
        self.state = state or PolicyState()
        self._away_after = settings.timing.away_after.total_seconds()
        self._merge_within = settings.timing.merge_within.total_seconds()
        self._grace = settings.timing.fixed_grace.total_seconds()
        self._return_after = settings.posture.after_away.total_seconds()
        self._posture_every = settings.posture.with_every_nth_stretch * settings.posture.enabled
        self._look_every = settings.timing.sample_every.total_seconds()
        self._max_hold = settings.quiet.max_hold.total_seconds()
        # The lengths of a stretch without input at which something changes: a natural break,
        # away, and back from an absence long enough for a posture check.
        lengths = {r.size for r in self.rules if r.trigger == "active"} | {self._away_after}
        if any(r.trigger == "on_return" for r in self.rules):
            lengths.add(self._return_after)
        self._thresholds = tuple(sorted(lengths))

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
        awake = 0.0 if unknown else elapsed - asleep
        natural = self._account(awake, 0.0 if unknown else ongoing, finished, locked=seen.locked)
        state.inactive = ongoing

        working = self.calendar.is_working(now)
        if working:  # a new working period starts from zero: never catch-up drinking
            since = state.last_working
            same_period = since is not None and self.calendar.works_throughout(since, now)
            counted = state.counted.get("hydration", 0.0) + elapsed if same_period else 0.0
            state.counted["hydration"] = counted
            state.last_working = now

        present = not unknown and not seen.locked and ongoing < self._away_after
        if not unknown:
            state.absence = max(state.absence, ongoing, finished)
        returned = present and state.absence >= self._away_after
        if present:
            if self._return_after and state.absence >= self._return_after:
                state.posture_due = True
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
        return any(d <= soon for r in self.rules if (d := self.due_at(r, now)) is not None)

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

    def _newly_held(self, now: datetime) -> tuple[str, ...]:
        """The kinds that fell due since the last look of this hold (each reported once)."""
        due = [r.kind for r in self.rules if (d := self.due_at(r, now)) is not None and d <= now]
        new = tuple(k for k in due if k not in self.state.held_kinds)
        self.state.held_kinds.extend(new)
        return new

    # -- commands from the person -------------------------------------------------------------

    def pause(self, until: datetime) -> None:
        """Freeze every timer until ``until``: nothing counts, nothing resets, nothing shows."""
        self.state.paused_until = until

    def resume(self) -> None:
        self.state.paused_until = None

    def is_paused(self, now: datetime) -> bool:
        return self.state.paused_until is not None and now < self.state.paused_until

    def reset(self, kind: str) -> None:
        """Count ``kind`` (and every smaller active kind) as just taken."""
        self._taken(self._rule(kind))

    def skip(self, kind: str, now: datetime) -> None:
        """Let the next ``kind`` go by unshown; its interval starts again from ``now``."""
        rule = self._rule(kind)
        if rule.trigger == "on_return":
            self.state.posture_due = False
        elif rule.trigger == "fixed":
            self._taken(rule, now)
        else:
            self.state.counted[kind] = 0.0

    def snooze(self, kind: str, seconds: float, now: datetime, *, just_shown: bool) -> None:
        """Put ``kind`` off: shown again ``seconds`` from now if it just showed, else no sooner.

        Raises ValueError when the day's snoozes are used up or ``kind`` has no interval.
        """
        rule = self._rule(kind)
        if rule.trigger not in ("active", "clock"):
            raise ValueError(f"{kind} comes at set times and cannot be snoozed; skip it instead")
        if self.snoozes_left(now) <= 0:
            limit = self.settings.snooze.per_day
            raise ValueError(f"no snoozes left today (the limit is {limit} a day)")
        left = rule.every - self.state.counted.get(kind, 0.0)
        self.state.counted[kind] = rule.every - (seconds if just_shown else max(left, seconds))
        day = self.calendar.local(now).date().isoformat()
        self.state.snoozes = {day: self.state.snoozes.get(day, 0) + 1}

    def snoozes_left(self, now: datetime) -> int:
        day = self.calendar.local(now).date().isoformat()
        return max(0, self.settings.snooze.per_day - self.state.snoozes.get(day, 0))

    def kinds(self) -> tuple[str, ...]:
        return tuple(rule.kind for rule in self.rules)

    # -- what is coming -----------------------------------------------------------------------

    def due_at(self, rule: Rule, now: datetime) -> datetime | None:
        """When ``rule`` falls due if the person keeps working from ``now`` (None: not planned)."""
        if rule.trigger in ("active", "clock"):
            left = max(0.0, rule.every - self.state.counted.get(rule.kind, 0.0))
            return self.calendar.local(now.astimezone(UTC) + timedelta(seconds=left))
        if rule.trigger == "on_return":
            return now if self.state.posture_due else None
        return self._fixed_occurrence(rule, now)

    def upcoming(self, now: datetime) -> dict[str, datetime]:
        """The next time each kind would show, assuming continuous work (for status/preview)."""
        plan: dict[str, datetime] = {}
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

    def _account(
        self, awake: float, ongoing: float, finished: float, *, locked: bool
    ) -> tuple[str, ...]:
        """Add active time to each timer, or reset those whose break length was reached.

        After a break the person came back at most ``ongoing`` seconds ago: count only that, so
        a prompt is never early (it may be late by up to one sampling period).
        """
        natural: list[str] = []
        for rule in self.rules:
            if rule.trigger != "active":
                continue
            if max(ongoing, finished) >= rule.size:
                if self.state.counted.get(rule.kind):
                    natural.append(rule.kind)
                self.state.counted[rule.kind] = 0.0
            elif not locked:
                was_away = self.state.inactive >= rule.size
                counted = min(awake, ongoing) if was_away else awake
                self.state.counted[rule.kind] = self.state.counted.get(rule.kind, 0.0) + counted
        return tuple(natural)

    def _prompt(self, now: datetime, *, catch_up: bool) -> Prompt | None:
        due = {r.kind: d for r in self.rules if (d := self.due_at(r, now)) is not None}
        if not any(at <= now for at in due.values()):
            return None
        window = now + timedelta(seconds=self._merge_within)
        chosen = [r for r in self.rules if r.kind in due and due[r.kind] <= window]
        # A fixed-time reminder is the person's own appointment: it shows under its own title,
        # never as a line inside another prompt, and two of them never share one notice.
        fixed = next((r for r in chosen if r.trigger == "fixed" and due[r.kind] <= now), None)
        chosen = [r for r in chosen if r.trigger != "fixed" or r is fixed]
        head = fixed or max(chosen, key=lambda r: r.size)
        for rule in chosen:
            self._taken(rule, now)
        merged = [r.kind for r in chosen if r is not head]
        if any(r.kind == "stretch" for r in chosen):
            self.state.stretches += 1
            if self._posture_every and self.state.stretches % self._posture_every == 0:
                self.state.posture_due = False
                if "posture" not in merged and head.kind != "posture":
                    merged.append("posture")
        return Prompt(head.kind, self.calendar.local(now), tuple(merged), catch_up)

    def _taken(self, rule: Rule, now: datetime | None = None) -> None:
        if rule.trigger == "on_return":
            self.state.posture_due = False
        elif rule.trigger == "fixed" and now is not None:
            occurrence = self._fixed_occurrence(rule, now)
            if occurrence is not None:
                self.state.fixed_done[rule.kind] = _local_key(self.calendar.local(occurrence))
        else:
            self.state.counted[rule.kind] = 0.0
        if rule.rests:
            for other in self.rules:
                if other.rests and other.size <= rule.size:
                    self.state.counted[other.kind] = 0.0

    def _fixed_occurrence(self, rule: Rule, now: datetime) -> datetime | None:
        """The pending occurrence of a fixed-time rule: one missed by under the grace, or next."""
        done = self.state.fixed_done.get(rule.kind, "")
        today = self.calendar.local(now).date()
        for occurrence in _occurrences(rule, today - timedelta(days=1), self.calendar.tz):
            key = _local_key(self.calendar.local(occurrence))
            if key <= done or (now - occurrence).total_seconds() > self._grace:
                continue
            return occurrence
        return None

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
        later = [d for r in self.rules if (d := self.due_at(r, now)) is not None and d > now]
        return min(later, key=lambda d: d.astimezone(UTC), default=None)  # not by wall clock

    def _rule(self, kind: str) -> Rule:
        for rule in self.rules:
            if rule.kind == kind:
                return rule
        raise KeyError(kind)


def _occurrences(rule: Rule, start: date, tz: ZoneInfo) -> Iterable[datetime]:
    for offset in range(9):
        day = start + timedelta(days=offset)
        if day.weekday() in rule.weekdays:
            for minute in rule.at:
                yield local_instant(day, minute, tz)


def _local_key(local: datetime) -> str:
    """A local wall time as text, so the repeated hour of a DST change counts once."""
    return local.strftime("%Y-%m-%dT%H:%M")
