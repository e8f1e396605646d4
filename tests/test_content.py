"""The shipped catalogue and its rotation."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ergo_daemon.content.catalogue import load_catalogue
from ergo_daemon.content.compose import Composer
from ergo_daemon.content.rotation import Deck
from ergo_daemon.policy import Prompt
from ergo_daemon.settings.layers import read_toml, validate
from ergo_daemon.settings.models import Content, Exercise, Settings
from ergo_daemon.settings.presets import load_preset, shipped_presets
from ergo_daemon.simulate import working_prompts

CONFIG = Path(__file__).parent.parent / "config"

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


def test_merged_prompts_say_what_the_break_does_not_cover_in_one_line() -> None:
    composer = Composer(Settings.model_validate({}), load_catalogue(), random.Random(1))
    at = datetime(2026, 11, 23, 9, tzinfo=UTC)
    notice = composer.compose(Prompt("break", at, ("eyes", "stretch", "posture", "hydration")))
    assert notice.title == "Break time: step away for 5 minutes"
    assert notice.message.endswith(" Have a glass of water too.")
    for word in ("eye", "stretch", "posture"):
        assert word not in notice.message.lower(), "a break covers it: no second instruction"
    both = composer.compose(Prompt("eyes", at, ("posture", "hydration")))
    assert both.message.endswith(" Also due: a posture check, a glass of water.")


def _plain_and_merged(settings: Settings, day: date) -> Iterator[tuple[Prompt, str, str]]:
    """Each prompt of ``day``, worded alone and worded with what it merged (same draws)."""
    catalogue = load_catalogue(settings.content)
    alone = Composer(settings, catalogue, random.Random(day.toordinal()))
    merged = Composer(settings, catalogue, random.Random(day.toordinal()))
    for prompt in working_prompts(settings, day, ZoneInfo("Europe/Berlin")):
        plain = alone.compose(Prompt(prompt.kind, prompt.at)).message
        yield prompt, plain, merged.compose(prompt).message


SHIPPED = [
    *(validate([preset.layer]).settings for preset in shipped_presets()),
    # The organisation example: office hours with lunch, and a fixed-time lunch walk.
    validate(
        [load_preset("office").layer, read_toml(CONFIG / "organisation" / "defaults.toml")]
    ).settings,
]
MERGED_AT_MOST = 250  # characters: the longest stretch alone is 215, plus one short line


@pytest.mark.parametrize(
    "settings", SHIPPED, ids=[*(p.name for p in shipped_presets()), "organisation-defaults"]
)
def test_a_month_of_merged_notices_is_short_and_asks_for_one_thing(settings: Settings) -> None:
    postures = [line.text for line in load_catalogue().lines["posture"]]
    exercises = [e.how for e in load_catalogue().exercises]
    own = [c.message for c in settings.custom if c.every is not None]
    merges = 0
    for offset in range(30):
        for prompt, plain, body in _plain_and_merged(
            settings, date(2026, 12, 1) + timedelta(offset)
        ):
            assert len(body) <= MERGED_AT_MOST, body
            assert body.startswith(plain), "the head's own message comes first, unchanged"
            extra = body[len(plain) :].strip()
            assert extra.count(".") <= 1 and len(extra) <= 60, f"more than one extra line: {extra}"
            if not prompt.merged:
                continue
            merges += 1
            if "break" in (prompt.kind, *prompt.merged):
                clash = [text for text in [*postures, *exercises, *own] if text in body]
                clash += [w for w in ("posture", "stretch", "stand") if w in extra.lower()]
                assert not clash, f"a break together with {clash}: {body}"
    assert merges > 30, "the month had merged notices to check"
