"""The shipped catalogue and its rotation."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from datetime import UTC, datetime

from ergo_daemon.content.catalogue import load_catalogue
from ergo_daemon.content.compose import Composer
from ergo_daemon.content.rotation import Deck
from ergo_daemon.policy import Prompt
from ergo_daemon.settings.models import Content, Exercise, Settings

AREAS = {
    "neck",
    "shoulders",
    "upper-back",
    "lower-back",
    "wrists",
    "hips",
    "legs",
    "eyes",
    "breathing",
}


def test_catalogue_covers_every_area_with_a_dose_and_a_safety_cue() -> None:
    catalogue = load_catalogue()
    assert len(catalogue.exercises) >= 25
    assert {e.area for e in catalogue.exercises} >= AREAS
    assert all(e.dose and e.caution and e.how for e in catalogue.exercises)
    assert len({e.id for e in catalogue.exercises}) == len(catalogue.exercises)
    assert {"seated", "standing", "floor"} == {p for e in catalogue.exercises for p in e.positions}
    for section in ("posture", "hydration", "eyes", "rest"):
        assert len(catalogue.lines[section]) >= 8, section


def test_rotation_cycles_through_everything_before_repeating_and_never_twice_in_a_row() -> None:
    deck = Deck(list(range(7)), random.Random(3))
    drawn = [deck.draw() for _ in range(7 * 50)]
    for start in range(0, len(drawn), 7):
        assert sorted(drawn[start : start + 7]) == list(range(7)), "each round has every item once"
    assert all(a != b for a, b in itertools.pairwise(drawn))


def test_floor_exercises_only_when_allowed() -> None:
    catalogue = load_catalogue()
    without = catalogue.exercises_for(allow_floor=False, standing=True)
    with_floor = catalogue.exercises_for(allow_floor=True, standing=True)
    assert not any("floor" in e.positions for e in without)
    assert any("floor" in e.positions for e in with_floor)


def _stretch_titles(settings: Settings, count: int) -> list[str]:
    composer = Composer(settings, load_catalogue(settings.content), random.Random(1))
    now = datetime(2026, 11, 23, 9, tzinfo=UTC)
    return [composer.compose(Prompt("stretch", now)).title for _ in range(count)]


def test_stretch_prompts_rotate_and_never_offer_floor_work_by_default() -> None:
    titles = _stretch_titles(Settings.model_validate({}), 60)
    floor_names = {e.name for e in load_catalogue().exercises if e.positions == ["floor"]}
    assert not any(t.split(": ", 1)[1] in floor_names for t in titles)
    assert max(Counter(titles).values()) <= 60 // len(set(titles)) + 1


def test_users_add_their_own_items() -> None:
    mine = Exercise(
        id="door-frame-stretch",
        name="Door-frame stretch",
        area="chest",
        positions=["standing"],
        dose="20 s",
        how="Forearms on a door frame, lean in.",
        caution="Only a gentle pull.",
    )
    settings = Settings.model_validate(
        {"content": Content(exercises=[mine], hydration=["Tea counts too."]).model_dump()}
    )
    catalogue = load_catalogue(settings.content)
    assert mine in catalogue.exercises
    assert "Tea counts too." in [line.text for line in catalogue.lines["hydration"]]
    assert any("Door-frame stretch" in t for t in _stretch_titles(settings, 60))


def test_merged_prompts_mention_what_they_cover() -> None:
    composer = Composer(Settings.model_validate({}), load_catalogue(), random.Random(1))
    notice = composer.compose(
        Prompt("break", datetime(2026, 11, 23, 9, tzinfo=UTC), ("eyes", "hydration"))
    )
    assert notice.title == "Break time: step away for 5 minutes"
    assert "Eyes: " in notice.message
    assert "Water: " in notice.message
