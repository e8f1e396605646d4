"""The policy, driven by a simulated clock: what a person at the desk would see, and when."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ergo_daemon.content.catalogue import load_catalogue
from ergo_daemon.content.compose import Composer
from ergo_daemon.kinds import EYES, STRETCH
from ergo_daemon.policy import Activity, Policy, Prompt
from ergo_daemon.settings.models import Settings
from ergo_daemon.simulate import run, working_day

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = date(2026, 11, 23)
ALL_DAY = {"work_hours": {"days": "mon-sun", "hours": ["00:00-24:00"]}}


def settings(**tables: Any) -> Settings:
    return Settings.model_validate({**ALL_DAY, **tables})


@dataclass
class Desk:
    """A person at a desk, second by second: work, step away, lock, sleep the laptop."""

    policy: Policy
    now: datetime
    last_input: datetime = field(init=False)
    shown: list[Prompt] = field(default_factory=list)
    step: timedelta = timedelta(seconds=15)

    def __post_init__(self) -> None:
        self.last_input = self.now
        self._look(idle=0.0)

    def work(self, minutes: float) -> None:
        self._until(minutes, lambda now: Activity(now, idle=0.0))

    def away(self, minutes: float) -> None:
        self._until(
            minutes, lambda now: Activity(now, idle=(now - self.last_input).total_seconds())
        )
        self._input()

    def locked(self, minutes: float) -> None:
        self._until(minutes, lambda now: Activity(now, idle=0.0, locked=True))

    def sleep(self, hours: float) -> None:
        """Suspend: no observation during it; the first one after reports the time asleep."""
        self.now += timedelta(hours=hours)
        self._record(Activity(self.now, idle=0.0, asleep=hours * 3600))
        self._input()

    def kinds(self) -> list[str]:
        return [p.kind.name for p in self.shown]

    def times(self, kind: str) -> list[str]:
        return [
            p.at.astimezone(BERLIN).strftime("%H:%M") for p in self.shown if p.kind.name == kind
        ]

    def _input(self) -> None:
        self.last_input = self.now

    def _look(self, idle: float) -> None:
        self._record(Activity(self.now, idle=idle))

    def _record(self, activity: Activity) -> None:
        decision = self.policy.observe(activity)
        if decision.prompt is not None:
            self.shown.append(decision.prompt)

    def _until(self, minutes: float, look: Any) -> None:
        end = self.now + timedelta(minutes=minutes)
        for now, decision in run(
            self.policy, self.now + self.step, end + self.step, look, self.step
        ):
            if decision.prompt is not None:
                self.shown.append(decision.prompt)
            self.now = now
        self.last_input = self.now if look(self.now).idle == 0 else self.last_input


def desk(*, at: str = "09:00", day: date = MONDAY, **tables: Any) -> Desk:
    hour, minute = map(int, at.split(":"))
    start = datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)
    return Desk(Policy(settings(**tables), BERLIN), start)


ONLY_EYES: dict[str, Any] = {
    "stretch": {"enabled": False},
    "break": {"enabled": False},
    "hydration": {"enabled": False},
    "posture": {"enabled": False},
}


def test_eyes_prompt_after_twenty_minutes_of_active_time() -> None:
    d = desk(**ONLY_EYES)
    d.work(19)
    assert d.kinds() == []
    d.work(2)
    assert d.times("eyes") == ["09:20"]


def test_idle_for_the_break_length_is_a_natural_break_and_resets_the_timer() -> None:
    d = desk(**ONLY_EYES)
    d.work(15)
    d.away(1)  # a minute looking away is longer than the 20 s eye break
    d.work(15)
    assert d.kinds() == [], "the look-away counted as the eye break"
    d.work(6)
    assert d.times("eyes") == ["09:36"]


def test_short_idle_still_counts_as_screen_time() -> None:
    d = desk(**{**ONLY_EYES, "eyes": {"every": "20m", "duration": "1m"}})
    for _ in range(4):
        d.work(4)
        d.away(0.5)  # reading without touching anything
    d.work(3)
    assert d.times("eyes") == ["09:20"]


def test_nothing_shows_while_away_and_all_timers_reset() -> None:
    d = desk()
    d.work(10)
    d.away(45)
    assert d.kinds() == [], "nothing while away"
    shown_before = len(d.shown)
    d.work(1)
    returned = d.shown[shown_before:]
    assert [p.kind.name for p in returned] == ["posture"], "a posture check on return, nothing else"
    d.work(18)
    assert [p.kind.name for p in d.shown[shown_before:]] == ["posture"]


def test_a_locked_screen_counts_as_away() -> None:
    d = desk(**ONLY_EYES)
    d.work(19)
    d.locked(5)
    assert d.kinds() == []
    d.work(19)
    assert d.kinds() == [], "the lock was a break, so the eye timer started again"
    d.work(2)
    assert d.kinds() == ["eyes"]


def test_eight_hour_suspend_gives_at_most_one_prompt_after() -> None:
    d = desk(at="08:00", work_hours={"days": "mon-sun", "hours": ["06:00-23:00"]})
    d.work(50)
    before = len(d.shown)
    d.sleep(8)
    d.work(1)
    after = d.shown[before:]
    assert len(after) <= 1
    assert all(p.catch_up for p in after)
    d.work(18)
    assert len(d.shown[before:]) <= 1, "timers restarted after the sleep; no burst"


def test_working_hours_edges() -> None:
    d = desk(
        at="07:30",
        day=MONDAY,
        work_hours={"days": "mon-fri", "hours": ["08:00-12:00"]},
        **{k: v for k, v in ONLY_EYES.items()},
    )
    d.work(29)
    assert d.kinds() == [], "nothing before 08:00 even though 20 min of screen time passed"
    d.work(2)
    assert d.times("eyes") == ["08:00"]
    d.work(60 * 4 - 2)
    assert d.times("eyes")[-1] <= "12:00"
    count = len(d.shown)
    d.work(60)
    assert len(d.shown) == count, "nothing after 12:00"


def test_weekend_is_quiet_with_default_hours() -> None:
    policy = Policy(Settings.model_validate({}), BERLIN)
    saturday = datetime(2026, 11, 21, 10, 0, tzinfo=BERLIN)
    first = policy.observe(Activity(saturday, idle=0.0))
    assert first.status == "outside-hours"
    assert first.wake_at == datetime(2026, 11, 23, 8, 0, tzinfo=BERLIN)


def _fixed(at: str) -> dict[str, Any]:
    return {
        **ONLY_EYES,
        "eyes": {"enabled": False},
        "custom": [{"name": "night", "title": "Night check", "at": [at], "days": "mon-sun"}],
    }


def test_dst_spring_forward_a_skipped_time_fires_once_after_the_gap() -> None:
    d = desk(at="01:00", day=date(2026, 3, 29), **_fixed("02:30"))
    d.work(4 * 60)
    assert d.times("night") == ["03:30"]


def test_dst_fall_back_a_repeated_time_fires_once() -> None:
    d = desk(at="00:00", day=date(2026, 10, 25), **_fixed("02:30"))
    d.work(5 * 60)
    assert len(d.times("night")) == 1


def test_active_time_is_real_elapsed_time_across_dst() -> None:
    d = desk(at="01:50", day=date(2026, 10, 25), **ONLY_EYES)
    d.work(21)  # 01:50 CEST + 20 min real time = 02:10 CEST
    assert [p.at.astimezone(BERLIN).isoformat() for p in d.shown] == ["2026-10-25T02:10:00+02:00"]


def test_fixed_time_reminder_missed_while_away_is_dropped_after_the_grace() -> None:
    d = desk(at="12:00", **_fixed("12:30"))
    d.away(120)
    d.work(5)
    assert d.times("night") == []


def test_fixed_time_reminder_shows_late_within_the_grace() -> None:
    d = desk(at="12:00", **_fixed("12:30"))
    d.away(40)
    d.work(1)
    assert len(d.times("night")) == 1


def test_a_prompt_due_within_two_minutes_merges_into_the_larger_one() -> None:
    d = desk(eyes={"every": "29m"}, hydration={"enabled": False}, posture={"enabled": False})
    d.work(32)
    assert d.kinds() == ["stretch"]
    assert d.shown[0].merged == (EYES,)


def test_a_break_resets_the_smaller_timers() -> None:
    d = desk(
        stretch={"every": "60m"},
        eyes={"every": "59m"},
        hydration={"enabled": False},
        posture={"enabled": False},
    )
    d.work(61)
    assert d.kinds() == ["break"]
    assert {k.name for k in d.shown[0].merged} == {"eyes", "stretch"}
    d.work(30)
    assert d.kinds() == ["break"], "eyes and stretch restarted with the break"


def test_posture_joins_every_second_stretch() -> None:
    off: dict[str, Any] = {
        "break": {"enabled": False},
        "eyes": {"enabled": False},
        "hydration": {"enabled": False},
    }
    d = desk(**off)
    d.work(91)
    assert d.kinds() == ["stretch", "stretch", "stretch"]
    assert [("posture" in [k.name for k in p.merged]) for p in d.shown] == [False, True, False]


def test_hydration_is_clock_time_in_working_hours_and_waits_for_presence() -> None:
    d = desk(at="08:00", **{**ONLY_EYES, "eyes": {"enabled": False}, "hydration": {"every": "1h"}})
    d.work(30)
    d.away(40)  # away when it falls due: it waits
    assert d.kinds() == []
    d.work(1)
    assert d.kinds() == ["hydration"]


def test_hydration_starts_from_zero_after_a_suspend_over_the_end_of_the_working_day() -> None:
    office = {"days": "mon-fri", "hours": ["09:00-12:00", "13:00-17:00"]}
    only_water = {**ONLY_EYES, "eyes": {"enabled": False}, "hydration": {"every": "1h"}}
    d = desk(at="16:00", day=MONDAY - timedelta(days=3), work_hours=office, **only_water)
    d.work(50)  # Friday 16:50, 10 minutes short of a glass: the lid closes until Monday
    d.sleep(64.25)  # opened on Monday at 09:05
    d.work(59)
    assert d.times("hydration") == [], "no glass of water owed from Friday on Monday morning"
    d.work(2)
    assert d.times("hydration") == ["10:05"]
    d.work(235)  # 12:00-13:00 is lunch: the afternoon starts from zero too
    assert d.times("hydration") == ["10:05", "11:05", "14:00"]


def test_hydration_keeps_counting_through_a_short_suspend_in_working_hours() -> None:
    only_water = {**ONLY_EYES, "eyes": {"enabled": False}, "hydration": {"every": "1h"}}
    d = desk(**only_water)
    d.work(40)
    d.sleep(0.25)  # a quarter of an hour of clock time, in the same working period
    d.work(6)
    assert d.times("hydration") == ["10:00"]


def test_pause_freezes_timers_and_resume_continues() -> None:
    d = desk(**ONLY_EYES)
    d.work(15)
    d.policy.pause(d.now + timedelta(minutes=30))
    d.work(30)
    assert d.kinds() == [], "paused: 30 minutes of work did not count"
    d.work(6)  # pause over at 09:45: the 5 minutes left of the 20
    assert d.times("eyes") == ["09:50"]


def test_snoozing_a_shown_prompt_brings_it_back_after_the_snooze() -> None:
    d = desk(**ONLY_EYES)
    d.work(20)
    assert d.times("eyes") == ["09:20"]
    d.policy.snooze(EYES, 300, d.now, just_shown=True)
    d.work(26)
    assert d.times("eyes") == ["09:20", "09:25", "09:45"]


def test_snoozing_the_next_prompt_puts_it_off_and_never_brings_it_sooner() -> None:
    d = desk(**ONLY_EYES)
    d.work(18)  # eyes due at 09:20
    d.policy.snooze(EYES, 600, d.now, just_shown=False)
    d.work(10)
    assert d.times("eyes") == ["09:28"]
    d.policy.snooze(EYES, 60, d.now, just_shown=False)  # 20 min left: a 1 min snooze is moot
    d.work(20)
    assert d.times("eyes") == ["09:28", "09:48"]


def test_snoozes_stop_at_the_daily_limit_and_fixed_times_cannot_be_snoozed() -> None:
    d = desk(snooze={"per_day": 2}, custom=[{"name": "walk", "title": "Walk", "at": "12:30"}])
    d.policy.snooze(EYES, 60, d.now, just_shown=False)
    d.policy.snooze(EYES, 60, d.now, just_shown=False)
    with pytest.raises(ValueError, match="no snoozes left today"):
        d.policy.snooze(EYES, 60, d.now, just_shown=False)
    with pytest.raises(ValueError, match="skip it instead"):
        d.policy.snooze(d.policy.kind("walk"), 60, d.now, just_shown=False)
    assert d.policy.snoozes_left(d.now + timedelta(days=1)) == 2


def test_skipping_lets_the_next_prompt_go_by() -> None:
    d = desk(**ONLY_EYES)
    d.work(15)
    d.policy.skip(EYES, d.now)
    d.work(25)
    assert d.times("eyes") == ["09:35"]


def test_unknown_activity_counts_clock_time() -> None:
    policy = Policy(settings(**ONLY_EYES), BERLIN)
    start = datetime(2026, 11, 23, 9, 0, tzinfo=BERLIN)
    prompts = [
        d.prompt
        for _, d in run(
            policy, start, start + timedelta(minutes=21), lambda now: Activity(now, idle=None)
        )
        if d.prompt
    ]
    assert [p.kind for p in prompts] == [EYES]


def test_idle_unknown_for_now_holds_every_timer_and_shows_nothing() -> None:
    """The idle source restarts: the person may have just stepped away, or be typing on."""
    d = desk(**ONLY_EYES)
    d.work(15)
    held = [
        decision
        for _, decision in run(
            d.policy,
            d.now + d.step,
            d.now + timedelta(minutes=30) + d.step,
            lambda now: Activity(now, idle=None, idle_pending=True),
            d.step,
        )
    ]
    assert {x.status for x in held} == {"idle-unknown"}
    assert [x.prompt for x in held if x.prompt] == [], "no prompt while presence is unknown"
    d.now += timedelta(minutes=30)
    d.work(6)  # idle known again at 09:45: the 5 minutes left of the 20, neither lost nor run
    assert d.times("eyes") == ["09:50"]
    locked = d.policy.observe(Activity(d.now, idle=None, locked=True, idle_pending=True))
    assert locked.status == "locked", "a lock is still known while idle time is not"


def test_wakes_exactly_when_the_next_prompt_is_due() -> None:
    policy = Policy(settings(**ONLY_EYES), BERLIN)
    start = datetime(2026, 11, 23, 9, 0, tzinfo=BERLIN)
    decision = policy.observe(Activity(start, idle=0.0))
    assert decision.wake_at == start + timedelta(minutes=20)


def test_wakes_exactly_at_a_set_time_of_day_between_its_looks() -> None:
    tables = {**_fixed("12:30"), "timing": {"sample_every": "5m"}}
    policy = Policy(settings(**tables), BERLIN)
    decision = policy.observe(Activity(datetime(2026, 11, 23, 12, 28, tzinfo=BERLIN), idle=0.0))
    assert decision.wake_at == datetime(2026, 11, 23, 12, 30, tzinfo=BERLIN), "not at 12:33"


def test_looks_again_as_a_pause_would_become_a_break_or_an_absence() -> None:
    policy = Policy(settings(), BERLIN)  # eye rest 20 s, away after 2 min, looks every 30 s
    start = datetime(2026, 11, 23, 9, 0, tzinfo=BERLIN)

    def wait(idle: float) -> float:
        return (policy.observe(Activity(start, idle=idle)).look_at - start).total_seconds()

    assert wait(0.0) == 20  # typing: when 20 s without input would be an eye rest
    assert wait(12.0) == 8
    assert wait(50.0) == 30  # past the eye rest: the longest wait, short of away
    assert wait(100.0) == 20  # the moment it becomes "away"
    assert wait(600.0) == 30  # away: how late a return may be noticed


def test_a_pause_just_long_enough_for_an_eye_rest_counts_wherever_it_falls() -> None:
    """Looked at when the pause would reach 20 s, a 21 s pause resets the eye timer every time."""
    caught = 0
    for offset in range(0, 30, 3):
        policy = Policy(settings(**ONLY_EYES), BERLIN)
        start = datetime(2026, 11, 23, 9, 0, tzinfo=BERLIN)
        pause = (start + timedelta(minutes=5, seconds=offset), timedelta(seconds=21))

        def look(now: datetime, pause: tuple[datetime, timedelta] = pause) -> Activity:
            began, length = pause
            last_input = min(now, began) if now < began + length else now
            return Activity(now, idle=(now - last_input).total_seconds())

        now, naturals = start, list[str]()
        while now < start + timedelta(minutes=10):
            decision = policy.observe(look(now))
            naturals += [k.name for k in decision.natural_breaks]
            now = min(decision.look_at, decision.wake_at or decision.look_at)
        caught += naturals == ["eyes"]
    assert caught == 10


@pytest.mark.parametrize("preset_day", [MONDAY])
def test_a_simulated_work_week_runs_well_under_a_second(preset_day: date) -> None:
    policy = Policy(Settings.model_validate({}), BERLIN)
    start = datetime(preset_day.year, preset_day.month, preset_day.day, tzinfo=BERLIN)
    began = time.perf_counter()
    decisions = list(
        run(policy, start, start + timedelta(days=5), lambda now: Activity(now, idle=0.0))
    )
    elapsed = time.perf_counter() - began
    assert sum(1 for _, d in decisions if d.prompt) > 150
    assert elapsed < 0.5, f"5 days took {elapsed:.2f} s"


NIGHTS = {"days": "mon-fri", "hours": ["22:00-06:00"]}


def test_a_night_shift_runs_past_midnight_and_belongs_to_the_day_it_starts() -> None:
    calendar = Policy(settings(work_hours=NIGHTS), BERLIN).calendar

    def at(day: date, clock: str) -> datetime:
        hour, minute = map(int, clock.split(":"))
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)

    assert not calendar.is_working(at(MONDAY, "03:00")), "Sunday night is not in mon-fri"
    assert calendar.is_working(at(MONDAY, "22:00"))
    assert calendar.is_working(at(MONDAY + timedelta(days=1), "05:59")), "Monday's shift"
    assert not calendar.is_working(at(MONDAY + timedelta(days=1), "06:00"))
    assert calendar.is_working(at(MONDAY + timedelta(days=5), "03:00")), "Friday's shift"
    assert not calendar.is_working(at(MONDAY + timedelta(days=5), "22:30")), "no Saturday shift"
    assert calendar.next_start(at(MONDAY + timedelta(days=1), "07:00")) == at(
        MONDAY + timedelta(days=1), "22:00"
    )
    assert calendar.works_throughout(at(MONDAY, "23:00"), at(MONDAY + timedelta(days=1), "01:00"))


def test_night_shift_prompts_go_on_across_midnight() -> None:
    d = desk(at="22:00", work_hours=NIGHTS, **ONLY_EYES)
    d.work(8 * 60 + 5)
    times = d.times("eyes")
    assert times[:2] == ["22:20", "22:40"]
    assert "00:00" in times and "00:20" in times and "05:40" in times, times
    assert times[-1] == "05:40", "nothing after the shift ends at 06:00"


def test_hydration_keeps_counting_over_midnight_in_a_night_shift() -> None:
    only_water = {**ONLY_EYES, "eyes": {"enabled": False}, "hydration": {"every": "1h"}}
    d = desk(at="23:30", work_hours=NIGHTS, **only_water)
    d.work(65)
    assert d.times("hydration") == ["00:30"], "the hour from 23:30 runs on past midnight"


def test_preview_of_a_night_shift_day_covers_the_whole_shift() -> None:
    s = settings(work_hours=NIGHTS)
    monday = working_day(s, MONDAY, BERLIN)
    local = [n.at.astimezone(BERLIN) for n in monday]
    assert local[0].strftime("%a %H:%M") == "Mon 22:00"
    assert local[-1].strftime("%a") == "Tue" and local[-1].hour == 5, "runs on to 06:00"
    assert len(monday) > 20
    sunday = working_day(s, MONDAY - timedelta(days=1), BERLIN)
    assert sunday == [], "no shift starts on Sunday"
    assert settings(work_hours=NIGHTS).model_dump(mode="json")["work_hours"]["hours"] == [
        "22:00-06:00"
    ]


def _lunch_walk(at: str) -> dict[str, Any]:
    walk = {"name": "lunch-walk", "title": "Lunch walk", "at": [at], "days": "mon-sun"}
    return {**ONLY_EYES, "eyes": {"enabled": False}, "stretch": {}, "custom": [walk]}


def test_a_fixed_time_reminder_is_never_merged_into_another_prompt() -> None:
    d = desk(at="12:00", **_lunch_walk("12:31"))
    d.work(35)  # the stretch falls due at 12:30, a minute before the walk
    assert [(p.kind.name, p.merged) for p in d.shown] == [("stretch", ()), ("lunch-walk", ())]
    assert d.times("lunch-walk") == ["12:31"], "at its own time, under its own title"


def test_a_fixed_time_reminder_heads_what_falls_due_with_it() -> None:
    d = desk(at="12:00", **_lunch_walk("12:29"))
    d.work(35)
    assert [(p.kind.name, p.merged) for p in d.shown] == [("lunch-walk", (STRETCH,))]
    notice = Composer(d.policy.settings, load_catalogue(), random.Random(0)).compose(d.shown[0])
    assert notice.title == "Lunch walk"
    assert notice.message == "A stretch is due too: move for 2 minutes."
