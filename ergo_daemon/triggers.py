"""How each reminder falls due: one small class per way of counting time.

Like APScheduler's triggers, each one answers when its reminder is next due, given the
policy's state and ``now``; the policy wakes at the earliest answer. Each also says what a look
at the person, taking, skipping and snoozing do to its timer. Pure: no clock is read here.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, ClassVar, NamedTuple

from ergo_daemon.workhours import local_instant

if TYPE_CHECKING:
    from ergo_daemon.policy import PolicyState
    from ergo_daemon.workhours import Calendar


class Look(NamedTuple):  # a tuple: made at every observation, so it must be cheap
    """What one observation saw, as the triggers count it (in seconds)."""

    awake: float  # time awake since the last look (0 while idle is unknown)
    silent: float  # the current stretch without input (0 while idle is unknown)
    slept: float  # a stretch without input that ended in a sleep (0: none)
    was_silent: float  # the stretch without input known at the last look
    locked: bool
    elapsed: float  # real time since the last look
    working: bool  # in working hours now
    same_period: bool  # in the working period of the last look in working hours
    present: bool  # at the desk now
    absence: float  # the longest time away before this look


class Trigger(ABC):
    """When a reminder falls due, and what happens to its timer; ``name`` keys its state."""

    snoozable: ClassVar[bool] = False  # whether 'snooze' can put it off
    standalone: ClassVar[bool] = False  # shown alone under its own title, never merged
    why_not_snoozed: ClassVar[str] = "cannot be snoozed; skip it instead"

    @abstractmethod
    def due_at(
        self, name: str, state: PolicyState, now: datetime, calendar: Calendar
    ) -> datetime | None:
        """When it falls due if the person keeps working from ``now`` (None: not planned)."""

    def interval(self) -> float:
        """Seconds between two prompts (0: it does not come by interval)."""
        return 0.0

    def lengths(self) -> tuple[float, ...]:
        """The lengths of a stretch without input at which its timer changes."""
        return ()

    def count(self, name: str, state: PolicyState, look: Look) -> bool:
        """Count the time of one look; True when a natural break restarted a counted timer."""
        return False

    @abstractmethod
    def taken(
        self, name: str, state: PolicyState, now: datetime | None, calendar: Calendar
    ) -> None:
        """Shown, done or skipped: its timer starts again (``now`` None: not at a set time)."""

    def snoozed(self, name: str, state: PolicyState, seconds: float, *, just_shown: bool) -> None:
        """Put off by ``seconds``: again that long from now if it just showed, else no sooner."""
        raise ValueError(self.why_not_snoozed)


@dataclass(frozen=True)
class Interval(Trigger):
    """Due once ``every`` seconds have been counted since it was last taken."""

    every: float
    snoozable = True

    def due_at(
        self, name: str, state: PolicyState, now: datetime, calendar: Calendar
    ) -> datetime | None:
        left = max(0.0, self.every - state.counted.get(name, 0.0))
        return calendar.local(now.astimezone(UTC) + timedelta(seconds=left))

    def interval(self) -> float:
        return self.every

    def taken(
        self, name: str, state: PolicyState, now: datetime | None, calendar: Calendar
    ) -> None:
        state.counted[name] = 0.0

    def snoozed(self, name: str, state: PolicyState, seconds: float, *, just_shown: bool) -> None:
        left = self.every - state.counted.get(name, 0.0)
        state.counted[name] = self.every - (seconds if just_shown else max(left, seconds))


@dataclass(frozen=True)
class ActiveTime(Interval):
    """Counts time at the desk; a stretch without input of ``length`` is a break taken."""

    length: float

    def lengths(self) -> tuple[float, ...]:
        return (self.length,)

    def count(self, name: str, state: PolicyState, look: Look) -> bool:
        # After a break the person came back at most ``silent`` seconds ago: count only that,
        # so a prompt is never early (it may be late by up to one sampling period).
        if max(look.silent, look.slept) >= self.length:
            natural = bool(state.counted.get(name))
            state.counted[name] = 0.0
            return natural
        if not look.locked:
            back = min(look.awake, look.silent) if look.was_silent >= self.length else look.awake
            state.counted[name] = state.counted.get(name, 0.0) + back
        return False


@dataclass(frozen=True)
class WorkingClock(Interval):
    """Counts clock time in working hours; each working period starts from zero."""

    def count(self, name: str, state: PolicyState, look: Look) -> bool:
        if look.working:  # a new working period starts from zero: never a catch-up
            since = state.counted.get(name, 0.0) + look.elapsed
            state.counted[name] = since if look.same_period else 0.0
        return False


@dataclass(frozen=True)
class OnReturn(Trigger):
    """Due when the person is back from an absence of at least ``after`` seconds."""

    after: float
    why_not_snoozed = "comes when you are back at the desk and cannot be snoozed; skip it instead"

    def due_at(
        self, name: str, state: PolicyState, now: datetime, calendar: Calendar
    ) -> datetime | None:
        return now if state.posture_due else None

    def lengths(self) -> tuple[float, ...]:
        return (self.after,)

    def count(self, name: str, state: PolicyState, look: Look) -> bool:
        if look.present and look.absence >= self.after:
            state.posture_due = True
        return False

    def taken(
        self, name: str, state: PolicyState, now: datetime | None, calendar: Calendar
    ) -> None:
        state.posture_due = False


@dataclass(frozen=True)
class SetTimes(Trigger):
    """Due at minutes ``at`` of ``weekdays``; a time missed by more than ``grace`` is dropped."""

    at: tuple[int, ...]
    weekdays: frozenset[int]
    grace: float
    standalone = True  # the person's own appointment: it shows under its own title
    why_not_snoozed = "comes at set times and cannot be snoozed; skip it instead"

    def due_at(
        self, name: str, state: PolicyState, now: datetime, calendar: Calendar
    ) -> datetime | None:
        """The pending occurrence: one missed by under the grace, or the next."""
        done = state.fixed_done.get(name, "")
        today = calendar.local(now).date()
        for occurrence in self._occurrences(today - timedelta(days=1), calendar):
            key = _local_key(calendar.local(occurrence))
            if key <= done or (now - occurrence).total_seconds() > self.grace:
                continue
            return occurrence
        return None

    def taken(
        self, name: str, state: PolicyState, now: datetime | None, calendar: Calendar
    ) -> None:
        if now is not None and (occurrence := self.due_at(name, state, now, calendar)):
            state.fixed_done[name] = _local_key(calendar.local(occurrence))

    def _occurrences(self, start: date, calendar: Calendar) -> Iterator[datetime]:
        for offset in range(9):
            day = start + timedelta(days=offset)
            if day.weekday() in self.weekdays:
                for minute in self.at:
                    yield local_instant(day, minute, calendar.tz)


def _local_key(local: datetime) -> str:
    """A local wall time as text, so the repeated hour of a DST change counts once."""
    return local.strftime("%Y-%m-%dT%H:%M")
