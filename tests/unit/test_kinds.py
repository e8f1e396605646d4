"""The table of reminder kinds agrees with the catalogue and the settings it is read beside."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from ergo_daemon.content.catalogue import load_catalogue
from ergo_daemon.content.compose import Composer
from ergo_daemon.kinds import BUILT_IN, DECKS, HYDRATION, REPORTED, custom_kind, rules_from
from ergo_daemon.policy import Prompt
from ergo_daemon.settings.models import Content, CustomReminder, Settings

AT = datetime(2026, 11, 23, 9, tzinfo=UTC)


def test_every_deck_of_the_table_has_shipped_lines_and_room_for_your_own() -> None:
    catalogue = load_catalogue()
    for kind in DECKS:
        assert len(catalogue.lines[kind.deck]) >= 8, kind.name
        assert kind.deck in Content.model_fields, f"[content] has no {kind.deck} list"
    assert {kind.name for kind in BUILT_IN} == {"eyes", "stretch", "break", "posture", "hydration"}
    assert [kind.report for kind in REPORTED] == ["Breaks", "Eye rests", "Stretches"]


def test_every_enabled_built_in_kind_has_one_rule_and_a_notice_in_its_own_words() -> None:
    settings = Settings()
    rules = rules_from(settings)
    assert [r.kind for r in rules] == list(BUILT_IN)
    composer = Composer(settings, load_catalogue(), random.Random(0))
    titles = [composer.compose(Prompt(kind, AT)).title for kind in BUILT_IN]
    assert titles[0] == "Rest your eyes for 20 seconds"
    assert titles[2] == "Break time: step away for 5 minutes"
    assert titles[3:] == ["Posture check", "Water break"]
    assert HYDRATION.done_line() == "a glass of water logged"


def test_a_reminder_of_your_own_shows_its_title_and_message_as_written() -> None:
    tea = {"name": "tea", "title": "Tea {now} & {length}", "message": "{50%}", "every": "45m"}
    settings = Settings.model_validate({"custom": [tea]})
    kind = custom_kind(CustomReminder.model_validate(tea))
    assert kind in [r.kind for r in rules_from(settings)]
    notice = Composer(settings, load_catalogue(), random.Random(0)).compose(Prompt(kind, AT))
    assert (notice.title, notice.message) == ("Tea {now} & {length}", "{50%}")


HALF_HOUR = timedelta(minutes=30)


def test_a_custom_reminder_reworded_by_a_reload_is_still_the_same_kind() -> None:
    """The reminder just shown can still be snoozed as such after its title was edited."""
    old = custom_kind(CustomReminder(name="tea", title="Tea time", every=HALF_HOUR))
    new = custom_kind(CustomReminder(name="tea", title="Green", message="Brew.", every=HALF_HOUR))
    assert old == new and {old: 1}.get(new) == 1
    assert old != custom_kind(CustomReminder(name="coffee", title="Tea time", every=HALF_HOUR))
