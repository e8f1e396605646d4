"""Present but passive (a call, a film, Do Not Disturb): the policy with a simulated clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ergo_daemon.policy import Activity, Decision, Policy
from ergo_daemon.settings.models import Settings

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = date(2026, 11, 23)
ALL_DAY = {"work_hours": {"days": "mon-sun", "hours": ["00:00-24:00"]}}
ONLY_EYES: dict[str, Any] = {
    "stretch": {"enabled": False},
    "break": {"enabled": False},
    "hydration": {"enabled": False},
    "posture": {"enabled": False},
}


@dataclass
class Desk:
    """Someone at the desk, looked at every 15 s; ``passive`` is a call without input."""

    policy: Policy
    now: datetime
    last_input: datetime = field(init=False)
    seen: list[tuple[datetime, Decision]] = field(default_factory=list)
    step: timedelta = timedelta(seconds=15)

    def __post_init__(self) -> None:
        self.last_input = self.now
        self._look(held=False)

    def work(self, minutes: float) -> None:
        self._for(minutes, held=False, typing=True)

    def passive(self, minutes: float) -> None:
        """Held and silent: watching a talk, listening in a call."""
        self._for(minutes, held=True, typing=False)

    def silent(self, minutes: float) -> None:
        """Not held and no input: reading, or gone."""
        self._for(minutes, held=False, typing=False)

    def locked(self, minutes: float, *, held: bool) -> None:
        self._for(minutes, held=held, typing=False, locked=True)

    def shown(self, since: datetime | None = None) -> list[tuple[datetime, str, tuple[str, ...]]]:
        return [
            (at, d.prompt.kind.name, tuple(k.name for k in d.prompt.merged))
            for at, d in self.seen
            if d.prompt is not None and (since is None or at >= since)
        ]

    def naturals(self, since: datetime) -> list[str]:
        return [k.name for at, d in self.seen if at >= since for k in d.natural_breaks]

    def _for(self, minutes: float, *, held: bool, typing: bool, locked: bool = False) -> None:
        end = self.now + timedelta(minutes=minutes)
        while self.now < end:
            self.now += self.step
            if typing:
                self.last_input = self.now
            self._look(held=held, locked=locked)

    def _look(self, *, held: bool, locked: bool = False) -> None:
        idle = (self.now - self.last_input).total_seconds()
        seen = Activity(self.now, idle=idle, locked=locked, held=held)
        self.seen.append((self.now, self.policy.observe(seen)))


def desk(**tables: Any) -> Desk:
    settings = Settings.model_validate({**ALL_DAY, **tables})
    return Desk(Policy(settings, BERLIN), datetime(2026, 11, 23, 9, 0, tzinfo=BERLIN))


def test_nothing_shows_while_held_and_exactly_one_prompt_shortly_after() -> None:
    d = desk(**ONLY_EYES)
    d.work(10)
    start = d.now
    d.passive(45)  # the eye prompt falls due at 09:20, in the middle of the call
    assert d.shown(start) == [], "a prompt showed during the call"
    assert {x.status for at, x in d.seen if at > start} == {"held"}
    end = d.now
    d.work(5)
    after = d.shown(end)
    assert [kind for _, kind, _ in after] == ["eyes"], "exactly one held prompt after the call"
    assert after[0][0] - end <= timedelta(seconds=30), "shown within about 30 s"
    prompt = next(x.prompt for at, x in d.seen if x.prompt is not None and at >= end)
    assert prompt.after_hold


def test_active_time_keeps_counting_while_passive() -> None:
    d = desk(**ONLY_EYES)
    d.passive(19)
    end = d.now
    d.work(1.5)
    assert [k for _, k, _ in d.shown(end)] == ["eyes"], "19 min of a call were screen time"


def test_no_natural_break_however_long_the_silence_and_the_largest_kind_shows() -> None:
    d = desk(hydration={"enabled": False}, posture={"enabled": False})
    d.work(5)
    start = d.now
    d.passive(90)
    assert d.naturals(start) == [], "silence during a call was counted as a break"
    end = d.now
    d.work(3)
    after = d.shown(end)
    assert len(after) == 1, f"a burst after the call: {after}"
    _, kind, merged = after[0]
    assert kind == "break" and set(merged) == {"eyes", "stretch"}


def test_silence_during_the_hold_is_not_a_break_after_it_ends() -> None:
    d = desk(**ONLY_EYES)
    d.work(5)
    d.passive(20)  # eyes fell due; idle is now 20 min
    end = d.now
    d.silent(0.25)  # the signal is gone; idle still reads 20 min for a moment
    assert d.naturals(end) == [], "the call's silence was credited the moment it ended"
    d.work(1)
    assert [k for _, k, _ in d.shown(end)] == ["eyes"]


def test_silence_after_the_hold_is_a_break_again() -> None:
    d = desk(**ONLY_EYES)
    d.work(10)
    d.passive(5)
    end = d.now
    d.silent(1)  # a minute of reading after the call is longer than the 20 s eye break
    assert d.naturals(end) == ["eyes"]


def test_each_held_kind_is_reported_once() -> None:
    d = desk(**ONLY_EYES)
    d.work(15)
    start = d.now
    d.passive(40)
    held = [k.name for at, x in d.seen if at >= start for k in x.held]
    assert held == ["eyes"]


def test_a_hold_past_max_hold_ends_by_itself() -> None:
    d = desk(quiet={"max_hold": "30m"}, **ONLY_EYES)
    d.work(15)
    start = d.now
    d.passive(3 * 60)  # a stuck signal
    shown = d.shown(start)
    assert shown, "a stuck signal silenced the daemon"
    first = shown[0][0]
    assert start + timedelta(minutes=30) <= first <= start + timedelta(minutes=31)


def test_a_lock_during_a_hold_is_an_absence() -> None:
    d = desk(**ONLY_EYES)
    d.work(10)
    d.passive(2)
    start = d.now
    d.locked(5, held=True)  # the call app still holds the camera, but the screen is locked
    assert d.naturals(start) == ["eyes"]
    assert {x.status for at, x in d.seen if at > start} == {"locked"}


def test_typing_in_a_call_is_still_held() -> None:
    d = desk(**ONLY_EYES)
    d.work(15)
    start = d.now
    d._for(10, held=True, typing=True)
    assert d.shown(start) == []


def test_needs_quiet_only_at_decision_points() -> None:
    d = desk(**ONLY_EYES)
    policy, now = d.policy, d.now
    assert not policy.needs_quiet(Activity(now, idle=1.0)), "typing, nothing due: no need"
    assert policy.needs_quiet(Activity(now, idle=25.0)), "silence about to become a break"
    assert not policy.needs_quiet(Activity(now, idle=25.0, locked=True)), "a lock decides alone"
    d.work(19.75)
    assert policy.needs_quiet(Activity(d.now, idle=1.0)), "a prompt falls due before next look"
    d.passive(1)
    assert policy.needs_quiet(Activity(d.now, idle=1.0)), "while held: to see it end"
