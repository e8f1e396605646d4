"""The shipped catalogue, what each reminder draws from it, and its rotation over time."""

from __future__ import annotations

import itertools
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ergo_daemon.content.catalogue import load_catalogue
from ergo_daemon.content.compose import Composer
from ergo_daemon.content.decks import line_items, stretch_items
from ergo_daemon.content.rotation import Deck, RotationFile
from ergo_daemon.kinds import BREAK, EYES, HYDRATION, POSTURE, STRETCH
from ergo_daemon.policy import Activity, Policy, Prompt
from ergo_daemon.settings.layers import read_toml, validate
from ergo_daemon.settings.models import Content, Exercise, Settings
from ergo_daemon.settings.presets import load_preset, shipped_presets
from ergo_daemon.simulate import run, working_day, working_prompts
from ergo_daemon.workhours import local_instant

CONFIG = Path(__file__).parents[2] / "config"

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
TZ = ZoneInfo("Europe/Berlin")


def test_catalogue_covers_every_area_with_a_dose_a_safety_cue_and_its_sources() -> None:
    catalogue = load_catalogue()
    assert len(catalogue.exercises) >= 40
    assert len(catalogue.lines["eyes"]) >= 20
    assert {e.area for e in catalogue.exercises} >= AREAS
    assert all(e.dose and e.caution and e.how for e in catalogue.exercises)
    assert len({e.id for e in catalogue.exercises}) == len(catalogue.exercises)
    assert {"seated", "standing", "floor"} == {p for e in catalogue.exercises for p in e.positions}
    for section in ("posture", "hydration", "eyes", "rest"):
        assert len(catalogue.lines[section]) >= 8, section
    cited = [e.id for e in catalogue.exercises] + [
        line.id for section in ("eyes", "posture") for line in catalogue.lines[section]
    ]
    for item in cited:
        assert catalogue.sources.get(item), f"{item} names no source"
        unknown = set(catalogue.sources[item]) - set(catalogue.references)
        assert not unknown, f"{item} cites unknown sources {unknown}"
    assert set(catalogue.references) == {k for ks in catalogue.sources.values() for k in ks}


def test_pictures_belong_to_exercises_and_are_small_plain_line_drawings() -> None:
    catalogue = load_catalogue()
    ids = {e.id for e in catalogue.exercises}
    assert len(catalogue.pictures) >= 12
    assert catalogue.pictures <= ids
    for item in catalogue.pictures:
        svg = catalogue.picture_svg(item)
        path = catalogue.picture_path(item)
        assert svg is not None and path is not None and path.read_text() == svg
        assert svg.startswith("<svg") and 'viewBox="0 0 120 120"' in svg, item
        assert len(svg.encode()) < 4096, f"{item}: keep pictures small"
        assert not re.search(r"<(script|image|foreignObject)|href=|url\(", svg), item
        assert "<title>" in svg, f"{item}: a title for screen readers"
    assert catalogue.picture_path("chin-tuck-typo") is None


def test_rotation_cycles_through_everything_before_repeating_and_never_twice_in_a_row() -> None:
    deck = Deck(list(range(7)), random.Random(3))
    drawn = [deck.draw() for _ in range(7 * 50)]
    for start in range(0, len(drawn), 7):
        assert sorted(drawn[start : start + 7]) == list(range(7)), "each round has every item once"
    assert all(a != b for a, b in itertools.pairwise(drawn))


def test_each_deck_holds_only_what_fits_its_kind() -> None:
    catalogue = load_catalogue()
    default = stretch_items(catalogue, Content())
    assert default and all("standing" in e.positions for e in default)
    assert not {e.area for e in default} & {"eyes", "breathing"}
    seated = stretch_items(catalogue, Content(positions=["seated"]))
    assert seated and all("seated" in e.positions for e in seated)
    assert {e.id for e in stretch_items(catalogue, Content(positions=["standing", "seated"]))} == {
        e.id for e in default + seated
    }
    with_floor = stretch_items(catalogue, Content(allow_floor=True))
    assert not any("floor" in e.positions for e in default)
    assert any("floor" in e.positions for e in with_floor)
    eye_areas = {
        e.area for e in catalogue.exercises if e.id in {i.id for i in line_items(catalogue, EYES)}
    }
    assert eye_areas == {"eyes"}
    rest_ids = {i.id for i in line_items(catalogue, BREAK)}
    assert {e.area for e in catalogue.exercises if e.id in rest_ids} == {"breathing"}
    assert {line.id for line in catalogue.lines["rest"]} <= rest_ids


def test_positions_are_validated_and_accept_a_comma_list() -> None:
    assert Settings.model_validate(
        {"content": {"positions": "seated, standing"}}
    ).content.positions == ["seated", "standing"]
    for bad in (["floor"], [], ["sitting"]):
        with pytest.raises(ValueError, match="positions"):
            Settings.model_validate({"content": {"positions": bad}})


def _stretch_titles(settings: Settings, count: int) -> list[str]:
    composer = Composer(settings, load_catalogue(settings.content), random.Random(1))
    now = datetime(2026, 11, 23, 9, tzinfo=UTC)
    return [composer.compose(Prompt(STRETCH, now)).title for _ in range(count)]


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
    notice = composer.compose(Prompt(BREAK, at, (EYES, STRETCH, POSTURE, HYDRATION)))
    assert notice.title == "Break time: step away for 5 minutes"
    assert notice.message.endswith(" Have a glass of water too.")
    for word in ("eye", "stretch", "posture"):
        assert word not in notice.message.lower(), "a break covers it: no second instruction"
    both = composer.compose(Prompt(EYES, at, (POSTURE, HYDRATION)))
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
MERGED_AT_MOST = 250  # characters: the longest stretch alone is 223, plus one short line


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
            if BREAK in (prompt.kind, *prompt.merged):
                clash = [text for text in [*postures, *exercises, *own] if text in extra]
                clash += [w for w in ("posture", "stretch", "stand") if w in extra.lower()]
                assert not clash, f"a break together with {clash}: {body}"
    assert merges > 30, "the month had merged notices to check"


# --- a month of reminders, with the daemon restarted every morning ---------------------------

VARIANTS: dict[str, dict[str, Any]] = {
    "default": {},
    "seated days": {"content": {"positions": ["seated"]}},
    "sit or stand": {"content": {"positions": ["standing", "seated"]}},
    "floor allowed": {"content": {"allow_floor": True}},
}


def _month(settings: Settings, state: Path, days: int = 30) -> Iterator[tuple[str, Any]]:
    """(deck, item) for every draw over ``days`` days of non-stop work, restarting each day."""
    drawn: list[tuple[Deck[Any], Any]] = []
    original = Deck.draw

    def spy(self: Deck[Any]) -> Any:
        item = original(self)
        drawn.append((self, item))
        return item

    Deck.draw = spy  # type: ignore[method-assign]
    try:
        first = date(2026, 11, 2)
        for offset in range(days):
            day = first + timedelta(days=offset)
            # A new process each morning: fresh randomness, the rotation file carried over.
            rotation = RotationFile(state / "rotation.json")
            composer = Composer(
                settings, load_catalogue(settings.content), random.Random(), rotation
            )
            decks = {id(composer._decks.stretch): "stretch"} | {
                id(deck): name for name, deck in composer._decks.lines.items()
            }
            policy = Policy(settings, TZ)
            start = local_instant(day, 0, TZ)
            end = start + timedelta(days=1)
            lunch = local_instant(day, 12 * 60, TZ)  # 12:00-12:30 away: a posture check after

            def look(now: datetime, lunch: datetime = lunch) -> Activity:
                away = (now - lunch).total_seconds()
                return Activity(now, idle=away if 0 <= away < 1800 else 0.0)

            for _, decision in run(policy, start, end, look):
                if decision.prompt is not None:
                    composer.compose(decision.prompt)
            yield from ((decks[id(deck)], item) for deck, item in drawn)
            drawn.clear()
    finally:
        Deck.draw = original  # type: ignore[method-assign]


def _expected(settings: Settings) -> dict[str, set[str]]:
    catalogue = load_catalogue(settings.content)
    return {
        "stretch": {e.id for e in stretch_items(catalogue, settings.content)},
        "eyes": {i.id for i in line_items(catalogue, EYES)},
        "rest": {i.id for i in line_items(catalogue, BREAK)},
        "posture": {i.id for i in catalogue.lines["posture"]},
        "hydration": {i.id for i in catalogue.lines["hydration"]},
    }


def test_a_month_draws_the_right_kind_never_repeats_early_and_reaches_every_item(
    tmp_path: Path,
) -> None:
    reached: set[str] = set()
    for name, overrides in VARIANTS.items():
        settings = Settings.model_validate(
            {"work_hours": {"days": "mon-fri", "hours": ["08:00-18:00"]}, **overrides}
        )
        expected = _expected(settings)
        per_deck: dict[str, list[str]] = defaultdict(list)
        for deck, item in _month(settings, tmp_path / name):
            per_deck[deck].append(item.id)
        assert set(per_deck) == set(expected), name
        for deck, ids in per_deck.items():
            allowed = expected[deck]
            assert set(ids) <= allowed, f"{name}: {deck} drew {set(ids) - allowed}"
            size = len(allowed)
            for start in range(0, len(ids), size):
                round_ = ids[start : start + size]
                assert len(set(round_)) == len(round_), f"{name}: {deck} repeated within a round"
            assert all(a != b for a, b in itertools.pairwise(ids)), f"{name}: {deck} twice running"
            if len(ids) >= size:
                assert set(ids) == allowed, f"{name}: {deck} never drew {allowed - set(ids)}"
            reached |= set(ids)
    catalogue = load_catalogue()
    everything = {e.id for e in catalogue.exercises} | {
        line.id for lines in catalogue.lines.values() for line in lines
    }
    assert everything - reached == set(), "every item is reachable with some setting"


def test_the_rotation_goes_on_after_a_restart(tmp_path: Path) -> None:
    settings = Settings.model_validate({})
    path = tmp_path / "state" / "rotation.json"
    now = datetime(2026, 11, 23, 9, tzinfo=UTC)
    size = len(stretch_items(load_catalogue(), settings.content))

    def titles(count: int, seed: int) -> list[str]:
        composer = Composer(settings, load_catalogue(), random.Random(seed), RotationFile(path))
        return [composer.compose(Prompt(STRETCH, now)).title for _ in range(count)]

    before = titles(5, seed=1)
    after = titles(size - 5, seed=1)  # the same seed: a fresh start would deal the same again
    assert len(set(before + after)) == size, "one whole round across the restart, no repeats"
    path.write_text("{not json")
    assert len(titles(3, seed=2)) == 3, "a damaged file only starts a fresh round"


def test_preview_differs_by_date_and_is_stable_for_one_date() -> None:
    settings = Settings.model_validate({})
    monday = [n.title for n in working_day(settings, date(2026, 11, 23), TZ)]
    again = [n.title for n in working_day(settings, date(2026, 11, 23), TZ)]
    tuesday = [n.title for n in working_day(settings, date(2026, 11, 24), TZ)]
    assert monday == again
    assert monday != tuesday


def test_seated_stretches_do_not_ask_you_to_stand_and_pictures_come_along() -> None:
    settings = Settings.model_validate({"content": {"positions": ["seated"]}})
    composer = Composer(settings, load_catalogue(), random.Random(4))
    now = datetime(2026, 11, 23, 9, tzinfo=UTC)
    notices = [composer.compose(Prompt(STRETCH, now)) for _ in range(40)]
    assert not any(n.title.startswith("Stand up") for n in notices)
    assert any(n.title.startswith("Stretch in your chair: ") for n in notices)
    pictured = [n for n in notices if n.image]
    assert pictured, "some seated exercises have pictures"
    for notice in pictured:
        assert Path(notice.image or "").is_file() and notice.image.endswith(".svg")  # type: ignore[union-attr]
