"""The day's state on disk: a restart continues the timers, whatever version wrote the file."""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import fields
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from ergo_daemon import persist
from ergo_daemon.persist import DeskTime
from ergo_daemon.policy import PolicyState

FIXTURES = Path(__file__).parents[1] / "fixtures"
PLUS_TWO = timezone(timedelta(hours=2))
DAY = date(2026, 3, 2)


def _at(hour: int, minute: int) -> datetime:
    return datetime(2026, 3, 2, hour, minute, 5, tzinfo=PLUS_TWO)


# Every field set away from its default, so that each one's type is shown to survive a save.
BUSY = PolicyState(
    last_seen=_at(10, 30),
    counted={"eyes": 610.5, "break": 1200.0},
    fixed_done={"lunch": "2026-03-02 12:30"},
    inactive=12.5,
    absence=3.0,
    locked_since=_at(10, 0),
    posture_due=True,
    stretches=2,
    last_working=_at(10, 29),
    paused_until=_at(11, 0),
    snoozes={"2026-03-02": 1},
    held_since=_at(9, 50),
    hold_spent=True,
    passive_until=_at(9, 55),
    held_kinds=["eyes"],
)
DESK = DeskTime(DAY, active=3600.0, sitting=900.0, longest=1800.0)


def test_a_state_file_written_by_the_version_before_loads_as_it_was_saved(tmp_path: Path) -> None:
    # state-v1.json was written by the persist.py that listed the time fields by hand.
    path = tmp_path / "state.json"
    shutil.copy(FIXTURES / "state-v1.json", path)
    saved = persist.load(path, DAY)
    assert saved is not None
    assert saved.state == BUSY
    assert saved.desk == DESK
    assert saved.saved_at == _at(10, 30)


def test_every_field_survives_a_save_and_the_file_is_what_the_version_before_wrote(
    tmp_path: Path,
) -> None:
    unset = [f.name for f in fields(PolicyState) if getattr(BUSY, f.name) == f.default]
    assert not unset, f"give {unset} a value other than the default in BUSY"
    path = tmp_path / "state.json"
    persist.save(path, BUSY, DESK, _at(10, 30))
    saved = persist.load(path, DAY)
    assert saved is not None and (saved.state, saved.desk) == (BUSY, DESK)
    before = json.loads((FIXTURES / "state-v1.json").read_text())
    assert json.loads(path.read_text()) == before, "an older daemon must read it too"


def test_a_file_from_an_older_or_a_newer_version_keeps_what_both_know(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    persist.save(path, BUSY, DESK, _at(10, 30))
    body = json.loads(path.read_text())
    del body["policy"]["held_kinds"]  # written before the field existed
    body["policy"]["comes_later"] = [1, 2]  # written by a later version
    path.write_text(json.dumps(body))
    saved = persist.load(path, DAY)
    assert saved is not None
    assert saved.state.held_kinds == [], "a field the file lacks takes its default"
    assert saved.state.counted == BUSY.counted


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("counted", {"eyes": "a lot"}, "counted = 'a lot' is not a number"),
        ("stretches", True, "stretches = True is not a whole number"),
        ("paused_until", "soon", "Invalid isoformat string: 'soon'"),
        ("inactive", None, "inactive = None is not a number"),
    ],
)
def test_a_wrong_value_starts_the_day_fresh_and_says_which(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, field: str, value: object, said: str
) -> None:
    path = tmp_path / "state.json"
    persist.save(path, BUSY, DESK, _at(10, 30))
    body = json.loads(path.read_text())
    body["policy"][field] = value
    path.write_text(json.dumps(body))
    with caplog.at_level(logging.WARNING):
        assert persist.load(path, DAY) is None
    assert said in caplog.text
    assert "starting the day fresh" in caplog.text


def test_yesterdays_file_is_not_today(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    persist.save(path, BUSY, DESK, _at(10, 30))
    assert persist.load(path, DAY + timedelta(days=1)) is None
