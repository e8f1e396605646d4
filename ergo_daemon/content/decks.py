"""Which items each reminder draws from: only what fits its kind (see ``ergo_daemon.kinds``).

- stretch: movement (not eye or breathing exercises) done in a position the person can take
  now (``content.positions``; floor work only with ``content.allow_floor``);
- eyes: the eye lines and the eye exercises;
- break (``rest``): away-from-screen ideas and the breathing exercises;
- posture, hydration: their own lines.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from ergo_daemon.content.catalogue import Catalogue, Line
from ergo_daemon.content.rotation import Deck, RotationFile
from ergo_daemon.kinds import DECKS, Kind
from ergo_daemon.settings.models import Content, Exercise

EXERCISES = "stretch"  # the movement deck's place in the rotation file
STILL_AREAS = frozenset().union(*(kind.areas for kind in DECKS))  # eyes, breathing: no movement


def stretch_items(catalogue: Catalogue, content: Content) -> tuple[Exercise, ...]:
    """Movement exercises for the positions in ``content``, e.g. standing ones by default."""
    wanted = set(content.positions) | ({"floor"} if content.allow_floor else set())
    return tuple(
        e
        for e in catalogue.exercises
        if e.area not in STILL_AREAS and wanted.intersection(e.positions)
    )


def line_items(catalogue: Catalogue, kind: Kind) -> tuple[Line, ...]:
    """``kind``'s lines, then its exercises written as lines (eyes: the eye exercises)."""
    exercises = [e for e in catalogue.exercises if e.area in kind.areas]
    return (*catalogue.lines[kind.deck], *(as_line(e, catalogue) for e in exercises))


def as_line(exercise: Exercise, catalogue: Catalogue) -> Line:
    """An exercise as one line of text: ``"Slow blinks: Blink slowly ... About 5. Keep ..."``."""
    picture = exercise.id if exercise.id in catalogue.pictures else None
    text = f"{exercise.name}: {describe(exercise)}"
    return Line(exercise.id, text, picture)


def describe(exercise: Exercise) -> str:
    """How, how much, and the safety cue."""
    return f"{exercise.how} {exercise.dose}. {exercise.caution}"


def stretch_title(exercise: Exercise, positions: Sequence[str]) -> str:
    """Say "Stand up and stretch" only when the person can stand and the exercise is upright."""
    if "standing" in positions and "standing" in exercise.positions:
        return "Stand up and stretch"
    if "seated" in exercise.positions:
        return "Stretch in your chair"
    return "Time to stretch"


class Decks:
    """One rotating deck per ``Kind.deck``; with ``rotation`` their places outlive the process."""

    def __init__(
        self,
        content: Content,
        catalogue: Catalogue,
        rng: random.Random,
        rotation: RotationFile | None = None,
    ) -> None:
        self.catalogue = catalogue
        self.stretch: Deck[Exercise] = Deck(stretch_items(catalogue, content), rng, _id)
        self.lines: dict[str, Deck[Line]] = {
            kind.deck: Deck(line_items(catalogue, kind), rng, _id) for kind in DECKS
        }
        if rotation is not None:
            rotation.attach(EXERCISES, self.stretch)
            for name, deck in self.lines.items():
                rotation.attach(name, deck)


def _id(item: Exercise | Line) -> str:
    return item.id
