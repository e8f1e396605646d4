"""Thirty simulated days of a plausible person, driving the real daemon tick and policy.

A seeded person works, reads, walks away, locks the screen, suspends the laptop (up to 14 h),
pauses reminders, edits the config (through the daemon's own reload, now and then with a
mistake in it) and sets the clock an hour wrong, across a DST change in Europe/Berlin, while
the notification server fails now and then. After every tick the promises a person would
notice are checked against a ground-truth model kept here (who is at the desk, and the
working hours read from the settings), never against the policy's state:

1. nothing is shown while away, locked, paused, asleep or outside working hours;
2. two notices of one kind are never closer than the true minimum spacing (``_least_gap``);
3. eyes, stretch and break are never overdue for someone active in working hours;
4. at most one notice appears in the first minutes after waking from a suspend;
5. meetings, films and Do Not Disturb (the quiet signals): nothing is shown while held, no
   natural break is credited while the person sits passive in a call, and at most one notice
   appears in the first minutes after a hold ends;

and, from the README and the daemon: at most one reminder per tick, and never a wake time in
the past (APScheduler would run it at once: an extra wake on every heartbeat).

Not covered: snooze (it does not exist yet), and APScheduler itself: the fake clock steps the
way an ideal scheduler would, to the heartbeat or the wake time ``tick()`` asks for.
"""

from __future__ import annotations

import random
import re
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import pytest
from support.daemons import fake_daemon
from support.quiet import Busy

from ergo_daemon.app import RETRY_AFTER
from ergo_daemon.clock import Instant
from ergo_daemon.kinds import Kind
from ergo_daemon.ports import DeliveryError, Notice, Notifier, Outcome, Reading
from ergo_daemon.reload import Reloader
from ergo_daemon.settings.layers import ConfigError, Loaded
from ergo_daemon.settings.models import WEEKDAYS, Settings

BERLIN = ZoneInfo("Europe/Berlin")
DAYS = 30
HOUR = 3600.0
MAX_SUSPEND = 14 * HOUR
JITTER = 4.0  # the longest gap between two inputs while someone types, seconds
FAIL_RATE = 0.04  # share of notifier calls that raise, on top of outages
RETRY = RETRY_AFTER.total_seconds()
HEARTBEAT_MAX = 30.0  # the longest sample_every in CONFIGS (the default)
BUILT_IN_ACTIVE = ("eyes", "stretch", "break")
EPS = 1e-6

BREATHE = {"name": "breathe", "title": "Three slow breaths", "every": "45m", "duration": "1m"}
LUNCH_WALK = {"name": "lunch-walk", "title": "Lunch walk", "at": ["12:00"], "days": "mon-fri"}

# The config files the person switches between. No range starts or ends between 02:00 and
# 03:00, the local hour a DST change skips or repeats.
TABLES: dict[str, dict[str, Any]] = {
    "office": {"work_hours": {"timezone": "Europe/Berlin"}},
    "split": {
        "work_hours": {"days": "mon-fri", "hours": ["08:00-12:30", "13:30-18:00"]},
        "eyes": {"every": "25m", "duration": "30s"},
        "stretch": {"every": "40m", "duration": "3m"},
        "break": {"every": "50m", "duration": "6m"},
        "hydration": {"every": "1h"},
        "posture": {"with_every_nth_stretch": 3, "after_away": "10m"},
        "timing": {"merge_within": "3m", "away_after": "90s"},
        "custom": [BREATHE, LUNCH_WALK],
    },
    "always": {
        "work_hours": {"days": "mon-sun", "hours": ["00:00-24:00"]},
        "timing": {"merge_within": "1m", "away_after": "3m", "sample_every": "20s"},
        "custom": [BREATHE],
    },
    "late": {
        "work_hours": {"days": "mon-sun", "hours": ["00:00-04:00", "07:00-24:00"]},
        "eyes": {"enabled": False},
        "stretch": {"every": "50m", "duration": "3m"},
        "break": {"every": "100m", "duration": "10m"},
        "hydration": {"every": "2h"},
        "posture": {"with_every_nth_stretch": 1, "after_away": "20m"},
        "timing": {"sample_every": "10s"},
        "custom": [LUNCH_WALK],
    },
}


@dataclass(frozen=True)
class Config:
    """One config file, and what the ground-truth model reads from it."""

    name: str
    settings: Settings
    days: frozenset[int]
    ranges: tuple[tuple[float, float], ...]  # seconds of the local day, end excluded
    active: Mapping[str, tuple[float, float]]  # kind -> (every, break length), active time
    clock: Mapping[str, float]  # kind -> every, clock time
    fixed: frozenset[str]  # custom reminders at fixed times of day
    away_after: float
    merge: float
    heartbeat: float

    @classmethod
    def named(cls, name: str) -> Config:
        s = Settings.model_validate(TABLES[name])
        built_in = (("eyes", s.eyes), ("stretch", s.stretch), ("break", s.rest_break))
        active = {
            kind: (r.every.total_seconds(), r.duration.total_seconds())
            for kind, r in built_in
            if r.enabled
        }
        active.update(
            (c.name, (c.every.total_seconds(), c.duration.total_seconds()))
            for c in s.custom
            if c.every is not None
        )
        return cls(
            name,
            s,
            frozenset(WEEKDAYS.index(d) for d in s.work_hours.days),
            tuple((a * 60.0, b * 60.0) for a, b in s.work_hours.hours),
            active,
            {"hydration": s.hydration.every.total_seconds()} if s.hydration.enabled else {},
            frozenset(c.name for c in s.custom if c.at),
            s.timing.away_after.total_seconds(),
            s.timing.merge_within.total_seconds(),
            s.timing.sample_every.total_seconds(),
        )

    def working(self, wall: datetime) -> bool:
        """Inside working hours, by the local time the machine's clock shows."""
        local = wall.astimezone(BERLIN)
        if local.weekday() not in self.days:
            return False
        second = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
        return any(a <= second < b for a, b in self.ranges)


CONFIGS = {name: Config.named(name) for name in TABLES}


@dataclass(frozen=True)
class Habit:
    """One day of the person's routine, in local hours."""

    start: float
    end: float
    lunch: float
    lunch_hours: float
    evening_until: float | None  # at the desk from 20:30 until this hour of the next night
    weekend: tuple[float, float] | None


@dataclass(frozen=True)
class Attempt:
    """The first time the daemon handed a notice to the notifier: when the policy prompted."""

    notice: Notice
    covers: frozenset[str]
    config: Config
    mono: float
    boot: float


@dataclass(frozen=True)
class Seen:
    """A notice the person saw, on both clocks."""

    attempt: Attempt
    mono: float
    boot: float


@dataclass
class Stats:
    ticks: int = 0
    events: Counter[str] = field(default_factory=Counter)
    shown: Counter[str] = field(default_factory=Counter)
    longest_active: float = 0.0  # the longest continuous activity one kind's window saw
    latest: float = float("-inf")  # the most a window ran past its kind's interval


Doing = Literal["work", "read", "away", "lock", "call", "dnd"]
Plan = Literal["work", "read", "away", "lock", "suspend", "call", "dnd"]
CALL_REASONS = ("camera in use", "microphone in use", "fullscreen window", "mpv keeps awake")


LUNCH: list[Plan] = ["suspend", "lock", "away"]


class Soak(Notifier):
    """The simulated person, machine and clocks around one real ``Daemon``.

    ``t`` is true time (seconds since the start, the boot clock); the monotonic clock stops
    while suspended, and the wall clock carries the manual error ``offset``.
    """

    name = "soak"  # as an ActivitySource, a Notifier and a Recorder
    problem = None
    tells_lock = True  # as an ActivitySource: the lock is simulated, a suspend seen from clocks
    tells_sleep = False

    def __init__(self, seed: int, start: datetime) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.fail_rng = random.Random(seed * 7919 + 1)
        self.origin = start.astimezone(UTC)
        self.dst_night = _dst_sunday(start.date())
        self.t = 0.0
        self.asleep = 0.0
        self.offset = 0.0
        self.next_tick_mono = 0.0
        self.utcoffset: timedelta | None = None
        # The person, and what happens to the machine.
        self.doing: Doing = "work"
        self.last_input = 0.0
        self.segment_end = 0.0
        self.reaction: tuple[Plan, float] | None = None
        self.woke_briefly = False
        self.habits: dict[date, Habit] = {}
        self.paused_until: datetime | None = None
        self.outage_until = -1.0
        # What the model remembers for the checks.
        self.window: dict[str, float | None] = {}  # kind -> start of its active stretch
        self.pending: Attempt | None = None  # failed once, not yet retried
        self.last_attempt: dict[str, Attempt] = {}
        self.last_seen: dict[str, Seen] = {}
        self.fixed_days: set[tuple[str, date]] = set()
        self.woke_at: float | None = None
        self.wake_disturbed = False
        self.seen_after_wake = 0
        self.sends_this_tick = 0
        self.violations: list[str] = []
        self.trace: deque[tuple[float, float, str]] = deque(maxlen=30)
        self.first_trace: list[str] = []
        self.stats = Stats()
        self.meeting = Busy("meeting")  # the quiet signals as one
        self.meeting_rng = random.Random(seed * 104729 + 3)
        self.hold_ended: float | None = None
        self.just_woke = False  # the first tick after a suspend: the sleep was a break
        self.seen_after_hold = 0
        # The daemon as app.build makes it, reloading through its own Reloader and rebuild.
        self.config = CONFIGS[self.rng.choice(sorted(CONFIGS))]
        self.edited: Config | None = None  # what the config file says now; None: a mistake
        self.daemon = fake_daemon(
            self.config.settings,
            self,
            self,
            clock=self.instant,
            zone=BERLIN,
            rng=random.Random(seed),
            reloader=Reloader(self._load, ()),
            recorder=self,
            quiet=lambda _settings: self.meeting,
        )

    # -- the clocks ----------------------------------------------------------------------------

    @property
    def mono(self) -> float:
        return self.t - self.asleep

    @property
    def wall(self) -> datetime:
        return self.origin + timedelta(seconds=self.t + self.offset)

    def instant(self) -> Instant:
        """The daemon's clock callable."""
        return Instant(self.wall, 1000.0 + self.mono, 5000.0 + self.t)

    # -- the ports the daemon is handed --------------------------------------------------------

    def read(self) -> Reading:
        if self.doing in ("work", "dnd"):  # typing: the last input was a moment ago
            self.last_input = max(self.last_input, self.t - self.rng.uniform(0.0, JITTER))
        return Reading(idle=self.t - self.last_input, locked=self.doing == "lock")

    def watch(self, changed: Callable[[], None]) -> None:
        pass

    def close(self) -> None:
        pass

    def check(self) -> str:
        return "the simulated screen, checked against the model"

    def send(self, notice: Notice) -> None:
        if notice.kind is None:  # not a reminder: its own retry, outside the promises
            self._send_config(notice)
            return
        if notice.follow_up:  # a heads-up or the one ask again: no prompt, but never unseen
            self._check_may_show(notice)
            self.sends_this_tick += 1
            self._send_config(notice)
            return
        retry = self.pending is not None and notice is self.pending.notice
        if self.pending is not None and retry:
            attempt, self.pending = self.pending, None
            self._event("retried", f" {notice.kind}")
        else:
            attempt = self._attempted(notice)
        self.sends_this_tick += 1
        self._check_may_show(notice)
        if self.t < self.outage_until or self.fail_rng.random() < FAIL_RATE:
            self._event("notifier failed", f" on {notice.kind} {_names(notice.merged)}")
            if retry:  # dropped: what it covered counts as done, it was tried twice
                self._event("dropped")
                self._restart(self._covered(attempt.covers), self.t)
            else:
                if self.pending is not None:  # one retry at a time: the older one is dropped
                    self._event("retry dropped for a newer one")
                    self._restart(self._covered(self.pending.covers), self.t)
                self.pending = attempt
            raise DeliveryError("notification server is not answering")
        self._shown(notice)
        self._seen(attempt)
        self._react(notice.kind.name)

    def prompt(self, at: datetime, kind: str, outcome: Outcome, merged: Sequence[str] = ()) -> None:
        """Promise 5: a passive call is sitting and watching, never a break."""
        if outcome == "natural" and self.doing == "call" and not self.just_woke:
            self._fail(f"natural break for {kind} credited during a call")
        if outcome == "held":
            self._event("held", f" {kind}")

    def active(self, day: date, seconds: float, sitting: float, held: float = 0.0) -> None:
        pass

    def _send_config(self, notice: Notice) -> None:
        if self.t < self.outage_until or self.fail_rng.random() < FAIL_RATE:
            self._event("notifier failed", " on the configuration error")
            raise DeliveryError("notification server is not answering")
        self._shown(notice)

    def _shown(self, notice: Notice) -> None:
        self.trace.append((self.t, self.offset, f"shown {notice.kind} {_names(notice.merged)}"))

    # -- the run -------------------------------------------------------------------------------

    def run(self, days: int = DAYS) -> None:
        self._tick()
        self._plan()
        end = days * 86400.0
        while self.t < end:
            tick_at = self.t + (self.next_tick_mono - self.mono)
            if self.segment_end <= tick_at:
                self.t = self.segment_end
                self._segment_over()
                self._plan()
            else:
                self.t = tick_at
                self._tick()

    def _tick(self) -> None:
        """One wake of the daemon, the checks, and when the scheduler wakes it next."""
        before = self.wall
        offset = before.astimezone(BERLIN).utcoffset()
        if offset != self.utcoffset and self.stats.ticks:
            at_work = self._present() and self.config.working(before)
            self._event(f"DST change while {'at work' if at_work else 'running'}")
        self.utcoffset = offset
        self.sends_this_tick = 0
        wake = self.daemon.tick()
        self.just_woke = False
        self.stats.ticks += 1
        if self.sends_this_tick > 1:
            self._fail(f"{self.sends_this_tick} reminders in one tick")
        if self.paused_until is not None and self.wall >= self.paused_until:
            self.paused_until = None  # over once the clock has said so
        self._check_overdue()
        step = self.config.heartbeat
        if wake is not None:
            delta = (wake - before).total_seconds()
            if delta <= 0:  # APScheduler would run it at once: one extra wake each heartbeat
                self._fail(f"asked to be woken {-delta:.0f} s in the past (at {wake})")
            elif delta < step:
                step = delta
        self.next_tick_mono = self.mono + step

    # -- what the person does ------------------------------------------------------------------

    def _plan(self) -> None:
        """Choose what the person does next, from the true local time and their habits."""
        now = self._true_local()
        desk = self._desk_until(now)
        if desk is not None:
            self._commands()
            if self.reaction is not None:
                plan, seconds = self.reaction
                self._take(plan, min(seconds, (desk - now).total_seconds()))
            else:
                self._desk(desk)
            self.reaction = None
            self.woke_briefly = False
            return
        gap = (self._next_desk(now) - now).total_seconds()
        if self.woke_briefly:  # opened the laptop off-hours to look something up
            self.woke_briefly = False
            self._take("work", self.rng.uniform(60, 600))
        elif gap < 3 * HOUR:  # lunch
            self._take(self.rng.choices(LUNCH, [3, 4, 3])[0], gap)
        elif self.rng.random() < 0.85:  # evening, night or weekend: the laptop sleeps
            self._take("suspend", min(gap + self.rng.uniform(0, 600), MAX_SUSPEND))
            self.woke_briefly = gap > MAX_SUSPEND or self.rng.random() < 0.1
        else:  # ... or is left running
            self._take(self.rng.choice(["lock", "away"]), min(gap, self.rng.uniform(1, 6) * HOUR))

    def _desk(self, until: datetime) -> None:
        left = max(1.0, (until - self._true_local()).total_seconds())
        if self.meeting_rng.random() < 0.04:  # a call, a film, or an hour of Do Not Disturb
            plan: Plan = "call" if self.meeting_rng.random() < 0.7 else "dnd"
            self._take(plan, min(left, self.meeting_rng.uniform(5, 75) * 60))
            return
        uniform, roll = self.rng.uniform, self.rng.random()
        if roll < 0.52:
            self._take("work", min(left, uniform(3, 40) * 60))
        elif roll < 0.60:
            self._take("work", min(left, uniform(60, 150) * 60))
        elif roll < 0.83:  # reading or thinking: short idle
            self._take("read", min(left, uniform(5, 110)))
        elif roll < 0.86:
            self._take("read", min(left, uniform(2, 6) * 60))
        elif roll < 0.92:
            self._take("away", min(left, uniform(3, 25) * 60))
        elif roll < 0.97:
            self._take("lock", min(left, uniform(1, 40) * 60))
        else:
            self._take("suspend", min(left, uniform(3, 60) * 60))

    def _react(self, kind: str) -> None:
        """Often the person does what a notice asks, a few seconds after it appears."""
        rng = self.rng
        reactions: dict[str, tuple[float, Plan, float, float]] = {
            "eyes": (0.5, "read", 20, 60),
            "stretch": (0.5, "away", 100, 240),
            "break": (0.6, "away", 300, 900),
            "hydration": (0.4, "away", 60, 180),
        }
        if kind in reactions and self.doing == "work":
            chance, plan, low, high = reactions[kind]
            if rng.random() < chance:
                if kind == "break":
                    plan = rng.choice(["lock", "away", "suspend"])
                self.reaction = (plan, rng.uniform(low, high))
                self.segment_end = min(self.segment_end, self.t + rng.uniform(3, 30))

    def _commands(self) -> None:
        """Now and then: pause, resume, switch config, set the clock wrong, lose dunst."""
        rng, local = self.rng, self._true_local()
        eve = local.date() == self.dst_night - timedelta(days=1) and local.hour >= 20
        night_hours = ("always", "late")
        editing = self.edited.name if self.edited else None
        if eve and self.config.name not in night_hours and editing not in night_hours:
            self._reload(CONFIGS[rng.choice(night_hours)])  # work through the DST change
        if self.paused_until is None and rng.random() < 0.015:
            self.paused_until = self.wall + timedelta(minutes=rng.uniform(10, 90))
            self.daemon.policy.pause(self.paused_until)
            self._restart_all(None)
            self.wake_disturbed = True
            self._event("pause", f" until {self.paused_until.astimezone(BERLIN):%H:%M:%S}")
        elif self.paused_until is not None and rng.random() < 0.1:
            self.daemon.policy.resume()
            self.paused_until = None
            self._event("resume")
        if rng.random() < 0.008:
            self._reload(CONFIGS[rng.choice([n for n in CONFIGS if n != self.config.name])])
        elif rng.random() < 0.001:
            self._reload(None)
        # The clock stays within an hour of the truth; set once at least, whatever the draws.
        never = not any(e.startswith("clock set") for e in self.stats.events)
        if rng.random() < 0.002 or (never and self.t > 20 * 86400):
            back = self.offset > 0 or (self.offset == 0 and rng.random() < 0.5)
            self.offset += -HOUR if back else HOUR
            self.wake_disturbed = True
            self._event(f"clock set {'back' if back else 'forward'} 1 h")
        if self.t >= self.outage_until and rng.random() < 0.01:
            self.outage_until = self.t + rng.uniform(1, 12) * 60
            self._event("notifier outage", f" for {self.outage_until - self.t:.0f} s")

    def _reload(self, config: Config | None) -> None:
        """The person saves the config file (None: with a mistake); the next tick reloads it."""
        self.edited = config
        self.daemon.request_reload()
        self.wake_disturbed = True
        self._event(f"edit config to {config.name if config else 'a broken one'}")

    def _load(self) -> Loaded:
        """What the daemon's Reloader reads; applied at once, by the daemon and the model."""
        if self.edited is None:
            raise ConfigError("config.toml, line 3: [eyes] every = '20': expected a duration")
        old, self.config = self.config, self.edited
        kinds = set(old.active) | set(self.config.active)
        self._restart({k for k in kinds if old.active.get(k) != self.config.active.get(k)}, None)
        return Loaded(self.config.settings)

    def _take(self, plan: Plan, seconds: float) -> None:
        if plan == "suspend":
            self._suspend(seconds)
            return
        if plan != "work":  # the last keystroke was a moment ago
            self.last_input = max(self.last_input, self.t - self.rng.uniform(0.0, JITTER))
        if plan == "lock":
            self._restart_all(None)
        if plan in ("call", "dnd"):
            reason = "Do Not Disturb is on" if plan == "dnd" else None
            self.meeting.reason = reason or self.meeting_rng.choice(CALL_REASONS)
            self._restart_all(None)
        self.doing = plan
        self.segment_end = self.t + max(1.0, seconds)
        self._event(plan, f" for {self.segment_end - self.t:.0f} s")

    def _suspend(self, seconds: float) -> None:
        """Close the lid: the wall and boot clocks run on, the monotonic one stops; no ticks."""
        before = self.wall.astimezone(BERLIN).utcoffset()
        seconds = max(60.0, seconds)
        self._event("suspend", f" for {seconds:.0f} s")
        self._restart_all(None)
        self.t += seconds
        self.asleep += seconds
        if self.wall.astimezone(BERLIN).utcoffset() != before:
            self._event("DST change while suspended")
        self.woke_at, self.wake_disturbed, self.seen_after_wake = self.t, False, 0
        self.just_woke = True
        self.doing, self.last_input, self.segment_end = "work", self.t, self.t  # opens it, types

    def _segment_over(self) -> None:
        """The person touches the keyboard again (unless they were typing all along)."""
        if self.doing == "work":
            return
        idle = self.t - self.last_input
        if self.doing in ("call", "dnd"):  # the hold ends: one notice may follow, no burst
            self.meeting.reason = None
            self.hold_ended, self.seen_after_hold = self.t, 0
            self._restart_all(None)
        elif self.doing == "lock" or idle >= self.config.away_after:
            self._restart_all(None)
        else:  # idle at least a kind's break length is that break, taken
            taken = {k for k, (_, size) in self.config.active.items() if idle >= size}
            self._restart(taken, self.t)
        self.last_input = self.t
        self.doing = "work"

    # -- the person's days ---------------------------------------------------------------------

    def _true_local(self) -> datetime:
        return (self.origin + timedelta(seconds=self.t)).astimezone(BERLIN)

    def _habit(self, day: date) -> Habit:
        if day not in self.habits:
            rng = self.rng
            evening = rng.uniform(0.5, 4.0) if rng.random() < 0.15 else None
            if day == self.dst_night - timedelta(days=1):
                evening = 3.5  # up through the night the clocks change
            weekend = None
            if rng.random() < 0.3:
                begin = rng.uniform(10, 18)
                weekend = (begin, begin + rng.uniform(0.5, 3))
            self.habits[day] = Habit(
                start=rng.uniform(7.25, 9.5),
                end=rng.uniform(16.5, 19.5),
                lunch=rng.uniform(11.75, 13.25),
                lunch_hours=rng.uniform(0.4, 1.2),
                evening_until=evening,
                weekend=weekend,
            )
        return self.habits[day]

    def _desk_hours(self, day: date) -> list[tuple[datetime, datetime]]:
        """When the person sits at the desk on ``day`` (true local time)."""
        habit, before = self._habit(day), self._habit(day - timedelta(days=1))
        hours: list[tuple[float, float]] = []
        if before.evening_until is not None:
            hours.append((0.0, before.evening_until))
        if day.weekday() < 5:
            hours += [(habit.start, habit.lunch), (habit.lunch + habit.lunch_hours, habit.end)]
        elif habit.weekend is not None:
            hours.append(habit.weekend)
        if habit.evening_until is not None:
            hours.append((20.5, 24.0))
        midnight = datetime(day.year, day.month, day.day, tzinfo=BERLIN)
        return [(midnight + timedelta(hours=a), midnight + timedelta(hours=b)) for a, b in hours]

    def _desk_until(self, now: datetime) -> datetime | None:
        for begin, end in self._desk_hours(now.date()):
            if begin <= now < end - timedelta(seconds=1):
                return end
        return None

    def _next_desk(self, now: datetime) -> datetime:
        for offset in range(5):
            for begin, _ in self._desk_hours(now.date() + timedelta(days=offset)):
                if begin > now:
                    return begin
        return now + timedelta(days=5)

    # -- the ground-truth model and the checks -------------------------------------------------

    def _present(self) -> bool:
        return self.doing != "lock" and self.t - self.last_input < self.config.away_after

    def _held(self) -> bool:
        return self.meeting.reason is not None

    def _paused(self) -> bool:
        return self.paused_until is not None and self.wall < self.paused_until

    def _restart(self, kinds: set[str], at: float | None) -> None:
        for kind in kinds:
            self.window[kind] = at

    def _restart_all(self, at: float | None) -> None:
        self._restart(set(self.window), at)

    def _covered(self, kinds: frozenset[str]) -> set[str]:
        """What a prompt counts as done: its kinds, and for a real break every smaller one."""
        sizes = {k: v[1] for k, v in self.config.active.items() if k in BUILT_IN_ACTIVE}
        covered = set(kinds)
        for kind in kinds & set(sizes):
            covered.update(k for k, size in sizes.items() if size <= sizes[kind])
        return covered

    def _check_may_show(self, notice: Notice) -> None:
        """Promise 1 (asleep holds trivially: the daemon cannot tick while suspended)."""
        why = [
            reason
            for reason, bad in (
                ("locked", self.doing == "lock"),
                ("away", self.t - self.last_input >= self.config.away_after),
                ("paused", self._paused()),
                ("outside working hours", not self.config.working(self.wall)),
                (f"held ({self.meeting.reason})", self._held()),
            )
            if bad
        ]
        if why:
            self._fail(f"{notice.kind} shown while {' and '.join(why)}")

    def _attempted(self, notice: Notice) -> Attempt:
        """A new prompt (not a retry): promise 2 on the policy's own timing, fixed times."""
        covers = frozenset(_names((notice.kind, *notice.merged)))
        attempt = Attempt(notice, covers, self.config, self.mono, self.t)
        for kind in covers:
            before, self.last_attempt[kind] = self.last_attempt.get(kind), attempt
            least = _least_gap(kind, self.config)
            if before is not None and least is not None:
                gap = attempt.boot - before.boot if least[1] else attempt.mono - before.mono
                if gap < least[0] - EPS:
                    self._fail(f"{kind} prompted {gap:.0f} s after the last (>= {least[0]:.0f})")
            if kind in self.config.fixed:  # once per occurrence: each is at one time a day
                key = (kind, self.wall.astimezone(BERLIN).date())
                if key in self.fixed_days:
                    self._fail(f"fixed-time {kind} prompted twice on {key[1]}")
                self.fixed_days.add(key)
        return attempt

    def _seen(self, attempt: Attempt) -> None:
        """The person sees a notice: promise 2 as they see it, promise 4, and the model."""
        self.stats.shown[str(attempt.notice.kind)] += 1
        for kind in attempt.covers:
            least = _least_gap(kind, attempt.config)
            previous = self.last_seen.get(kind)
            if previous is not None and least is not None:
                if least[1]:
                    gap, late = self.t - previous.boot, previous.boot - previous.attempt.boot
                else:
                    gap, late = self.mono - previous.mono, previous.mono - previous.attempt.mono
                # A notice shown on retry came ``late`` after its prompt, so the next one may
                # follow it sooner by exactly that much, and no more.
                if gap < least[0] - late - EPS:
                    self._fail(
                        f"{kind} shown {gap:.0f} s after the last one "
                        f"(>= {least[0]:.0f} s less the {late:.0f} s that one was late)"
                    )
            self.last_seen[kind] = Seen(attempt, self.mono, self.t)
        # Promise 4. Everything due within merge_within of a prompt joins it, so a second
        # prompt comes more than merge_within after the first: after waking, at most one is
        # shown in the first min(2 min, merge_within), unless a reload, a pause or a clock
        # change came in between.
        woke = self.woke_at
        if woke is not None and not self.wake_disturbed:
            self.seen_after_wake += self.t - woke <= min(120.0, self.config.merge)
            if self.seen_after_wake > 1:
                self._fail(f"{self.seen_after_wake} notices within {self.t - woke:.0f} s of waking")
                self.woke_at = None
        ended = self.hold_ended
        if ended is not None and self.t - ended <= min(120.0, self.config.merge):
            self.seen_after_hold += 1
            if self.seen_after_hold > 1:
                self._fail(
                    f"{self.seen_after_hold} notices within {self.t - ended:.0f} s of a hold"
                )
                self.hold_ended = None
        self._restart(self._covered(attempt.covers), self.t)

    def _check_overdue(self) -> None:
        """Promise 3, for someone present in working hours and not paused.

        A kind's window starts when the person became so, was idle at least its break length,
        or was shown it (or a larger break). It may run past ``every`` by merge_within, two
        heartbeats (after a break the policy counts from the first sample), the input jitter,
        and a retry delay while a failed notice covering the kind waits to be retried.
        """
        working = self.config.working(self.wall) and not self._paused()
        if not (self._present() and working) or self._held():
            self._restart_all(None)
            if self.pending is not None:  # a stale reminder is not retried: covered by the break
                self._event("retry dropped: not at work")
                self.pending = None
            return
        idle = self.t - self.last_input
        base = self.config.merge + 2 * HEARTBEAT_MAX + JITTER
        for kind in BUILT_IN_ACTIVE:
            if kind not in self.config.active:
                self.window[kind] = None
                continue
            every, size = self.config.active[kind]
            since = self.window.get(kind)
            if since is None or idle >= size:  # just started, or taking that break right now
                self.window[kind] = self.t
                continue
            length = self.t - since
            self.stats.longest_active = max(self.stats.longest_active, length)
            self.stats.latest = max(self.stats.latest, length - every)
            tolerance = base
            if self.pending is not None and kind in self._covered(self.pending.covers):
                tolerance += RETRY + HEARTBEAT_MAX
            if length > every + tolerance:
                self._fail(
                    f"{kind} overdue: {length / 60:.1f} min of continuous activity in working "
                    f"hours (every {every / 60:.0f} min)"
                )
                self.window[kind] = self.t

    # -- the record ----------------------------------------------------------------------------

    def _event(self, what: str, detail: str = "") -> None:
        self.stats.events[what] += 1
        self.trace.append((self.t, self.offset, f"{what}{detail}"))

    def _fail(self, what: str) -> None:
        if not self.violations:
            self.first_trace = [
                f"  {(self.origin + timedelta(seconds=t + off)).astimezone(BERLIN):%a %H:%M:%S} "
                f"({t:.0f} s) {what}"
                for t, off, what in self.trace
            ]
        self.violations.append(
            f"seed {self.seed}, tick {self.stats.ticks}, {self.t:.0f} s in, machine clock "
            f"{self.wall.astimezone(BERLIN):%a %Y-%m-%d %H:%M:%S%z} ({self.offset / HOUR:+.0f} h "
            f"off), config {self.config.name}, person {self.doing}, idle "
            f"{self.t - self.last_input:.0f} s, paused {self._paused()}: {what}"
        )


def _least_gap(kind: str, config: Config) -> tuple[float, bool] | None:
    """Promise 2: the true minimum spacing of a kind, and whether it counts on the boot clock.

    Prompting a kind zeroes its counter, which then grows only with real time: active time
    (the monotonic clock: no suspends, no manual clock changes) for eyes, stretch, break and
    custom "every" reminders; clock time (the boot clock, suspends included) for hydration. A
    merge takes it once the counter reaches ``every - merge_within``, never sooner; a larger
    break only zeroes it again, and a manual clock change moves neither clock. So two prompts
    of a kind are at least ``every - merge_within`` apart, as configured when the later one
    was made. Posture (no interval) and fixed-time reminders (once a day here) have none.
    """
    if kind in config.active:
        return config.active[kind][0] - config.merge, False
    if kind in config.clock:
        return config.clock[kind] - config.merge, True
    return None


def _dst_sunday(start: date) -> date:
    """The next last Sunday of March or October, when the clocks change."""
    day = start
    while not (
        day.weekday() == 6 and day.month in (3, 10) and (day + timedelta(days=7)).month != day.month
    ):
        day += timedelta(days=1)
    return day


MARCH = datetime(2026, 3, 16, tzinfo=BERLIN)  # a Monday; summer time begins Sunday 29 March
OCTOBER = datetime(2026, 10, 12, tzinfo=BERLIN)  # a Monday; summer time ends Sunday 25 October


# Any seed should pass. These found real defects: 6-march a retry held overnight and shown right
# after the morning's first notice; 2-october a wake time an hour in the past in the repeated
# hour of the DST change (and a configuration-error notice retried the next morning).
@pytest.mark.parametrize(
    ("seed", "start"),
    [(6, MARCH), (2, OCTOBER), (3, OCTOBER), (3, MARCH)],
    ids=["6-march", "2-october", "3-october", "3-march"],
)
def test_thirty_days_of_plausible_use_keep_every_promise(seed: int, start: datetime) -> None:
    soak = Soak(seed, start)
    began = time.perf_counter()
    soak.run()
    took = time.perf_counter() - began
    stats, events = soak.stats, soak.stats.events
    shown = sum(stats.shown.values())
    print(
        f"\nseed {seed} from {start:%Y-%m-%d}, {DAYS} days in {took:.1f} s: {stats.ticks} ticks, "
        f"{events.total()} events, {shown} notices; longest active stretch "
        f"{stats.longest_active / 60:.0f} min, latest {stats.latest:.0f} s past an interval\n"
        f"  shown: {dict(sorted(stats.shown.items()))}\n"
        f"  events: {dict(sorted(events.items()))}\n"
        f"  quiet signals read on {soak.meeting.asked} ticks"
    )
    kinds: dict[str, list[str]] = {}  # the broken promises, one entry per kind of failure
    for violation in soak.violations:
        kinds.setdefault(re.sub(r"[-+\d.:]+", "#", violation.split(": ", 1)[1]), []).append(
            violation
        )
    assert not soak.violations, (
        f"{len(soak.violations)} broken promises, the first of each kind:\n"
        + "\n".join(f"{len(found)} x {found[0]}" for found in kinds.values())
        + "\nbefore the first (machine clock):\n"
        + "\n".join(soak.first_trace)
    )
    assert stats.ticks > 30_000  # one look every 30 s or sooner while the machine is awake
    assert shown > 300  # calls, films and Do Not Disturb hold some (one shows after each hold)
    assert events["suspend"] > 50
    assert events["notifier failed"] > 10
    assert events["retried"] > 5
    assert sum(n for e, n in events.items() if e.startswith("edit config")) >= 3
    assert sum(n for e, n in events.items() if e.startswith("clock set")) >= 1
    assert sum(n for e, n in events.items() if e.startswith("DST change")) >= 1
    assert events["call"] >= 5 and events["dnd"] >= 2
    assert sum(n for e, n in events.items() if e.startswith("held")) >= 5
    asked = soak.meeting.asked
    assert asked < stats.ticks / 2, f"the quiet signals were read on {asked} of {stats.ticks} ticks"


def _names(kinds: Iterable[Kind | None]) -> list[str]:
    """Kinds by name, sorted: the soak's model of what was promised knows them by name."""
    return sorted(k.name for k in kinds if k is not None)
