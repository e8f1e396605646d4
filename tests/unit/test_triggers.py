"""Each trigger on its own: when it is due, what a look, taking and snoozing do to it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ergo_daemon.notify.answers import offered
from ergo_daemon.policy import PolicyState
from ergo_daemon.triggers import ActiveTime, Look, OnReturn, SetTimes, WorkingClock
from ergo_daemon.workhours import Calendar

BERLIN = ZoneInfo("Europe/Berlin")
CALENDAR = Calendar(frozenset(range(7)), ((0, 24 * 60),), BERLIN)
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=BERLIN)


def look(**seen: float | bool) -> Look:
    """Fifteen seconds of typing at the desk in working hours, unless ``seen`` says otherwise."""
    usual: dict[str, float | bool] = {
        "awake": 15.0,
        "silent": 0.0,
        "slept": 0.0,
        "was_silent": 0.0,
        "locked": False,
        "elapsed": 15.0,
        "working": True,
        "same_period": True,
        "present": True,
        "absence": 0.0,
    }
    return Look(**(usual | seen))  # type: ignore[arg-type]


def test_active_time_counts_time_at_the_desk_and_a_silence_of_its_length_is_the_rest() -> None:
    eyes, state = ActiveTime(every=1200.0, length=20.0), PolicyState()
    for _ in range(40):  # ten minutes of typing
        assert not eyes.count("eyes", state, look())
    assert eyes.due_at("eyes", state, MONDAY_9, CALENDAR) == MONDAY_9 + timedelta(minutes=10)
    assert not eyes.count("eyes", state, look(silent=19.0)), "a pause to think is screen time"
    assert eyes.count("eyes", state, look(silent=20.0)), "looked away long enough: a rest"
    assert eyes.due_at("eyes", state, MONDAY_9, CALENDAR) == MONDAY_9 + timedelta(minutes=20)
    assert not eyes.count("eyes", state, look(silent=25.0)), "one rest is counted once"
    eyes.count("eyes", state, look(locked=True))
    assert state.counted["eyes"] == 0.0, "a locked screen counts no screen time"


def test_working_clock_time_starts_from_zero_with_each_working_period() -> None:
    water, state = WorkingClock(every=4500.0), PolicyState()
    water.count("hydration", state, look(elapsed=3000.0, silent=3000.0, present=False))
    assert state.counted["hydration"] == 3000.0, "clock time: away from the desk counts too"
    water.count("hydration", state, look(elapsed=600.0, working=False))
    assert state.counted["hydration"] == 3000.0, "outside working hours nothing counts"
    water.count("hydration", state, look(elapsed=600.0, same_period=False))
    assert state.counted["hydration"] == 0.0, "a new working period: no catch-up drinking"


def test_on_return_is_due_once_back_from_an_absence_and_taking_it_clears_it() -> None:
    posture, state = OnReturn(after=900.0), PolicyState()
    posture.count("posture", state, look(absence=600.0))
    assert posture.due_at("posture", state, MONDAY_9, CALENDAR) is None, "away too briefly"
    posture.count("posture", state, look(absence=900.0, present=False))
    assert posture.due_at("posture", state, MONDAY_9, CALENDAR) is None, "not back yet"
    posture.count("posture", state, look(absence=900.0))
    assert posture.due_at("posture", state, MONDAY_9, CALENDAR) == MONDAY_9
    posture.taken("posture", state, MONDAY_9, CALENDAR)
    assert posture.due_at("posture", state, MONDAY_9, CALENDAR) is None


def test_set_times_come_at_their_minutes_within_the_grace_and_once_each() -> None:
    lunch = SetTimes(at=(12 * 60 + 30,), weekdays=frozenset({0, 1, 2, 3, 4}), grace=600.0)
    state, half_past = PolicyState(), MONDAY_9.replace(hour=12, minute=30)
    assert lunch.due_at("lunch", state, MONDAY_9, CALENDAR) == half_past
    late = half_past + timedelta(minutes=9)
    assert lunch.due_at("lunch", state, late, CALENDAR) == half_past, "missed, within grace"
    lunch.taken("lunch", state, late, CALENDAR)
    assert lunch.due_at("lunch", state, late, CALENDAR) == half_past + timedelta(days=1)
    too_late = PolicyState()
    assert lunch.due_at("lunch", too_late, half_past + timedelta(minutes=11), CALENDAR) == (
        half_past + timedelta(days=1)
    ), "missed by more than the grace: dropped"
    friday = half_past + timedelta(days=4, hours=1)
    assert lunch.due_at("lunch", state, friday, CALENDAR) == half_past + timedelta(days=7)


def test_a_set_time_counts_in_local_time_across_the_dst_change() -> None:
    early = SetTimes(at=(2 * 60 + 30,), weekdays=frozenset(range(7)), grace=600.0)
    night = datetime(2026, 3, 28, 23, 0, tzinfo=UTC)  # 02:30 on the 29th does not exist
    due = early.due_at("early", PolicyState(), night, CALENDAR)
    assert due is not None and due.astimezone(BERLIN).strftime("%d %H:%M") == "29 03:30"


def test_only_interval_triggers_can_be_snoozed_and_the_others_say_why() -> None:
    state = PolicyState(counted={"eyes": 600.0})
    eyes = ActiveTime(every=1200.0, length=20.0)
    eyes.snoozed("eyes", state, 300.0, just_shown=True)
    assert eyes.due_at("eyes", state, MONDAY_9, CALENDAR) == MONDAY_9 + timedelta(minutes=5)
    for trigger, why in (
        (SetTimes(at=(600,), weekdays=frozenset({0}), grace=60.0), "comes at set times"),
        (OnReturn(after=900.0), "when you are back at the desk"),
    ):
        assert not trigger.snoozable and offered(trigger) == ("done", "skip")
        with pytest.raises(ValueError, match=why):
            trigger.snoozed("x", state, 300.0, just_shown=True)
    assert offered(eyes) == offered(WorkingClock(every=4500.0)) == ("done", "snooze", "skip")
