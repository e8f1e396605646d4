"""Which items each reminder draws from: only what fits its kind.

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
from ergo_daemon.settings.models import Content, Exercise

EYE_AREAS = frozenset({"eyes"})
BREATHING_AREAS = frozenset({"breathing"})


def stretch_items(catalogue: Catalogue, content: Content) -> tuple[Exercise, ...]:
    """Movement exercises for the positions in ``content``, e.g. standing ones by default."""
    wanted = set(content.positions) | ({"floor"} if content.allow_floor else set())
    still = EYE_AREAS | BREATHING_AREAS
    return tuple(
        e for e in catalogue.exercises if e.area not in still and wanted.intersection(e.positions)
    )


def eye_items(catalogue: Catalogue) -> tuple[Line, ...]:
    """The eye lines, then the eye exercises written as lines."""
    exercises = [e for e in catalogue.exercises if e.area in EYE_AREAS]
    return (*catalogue.lines["eyes"], *(as_line(e, catalogue) for e in exercises))


def rest_items(catalogue: Catalogue) -> tuple[Line, ...]:
    """Away-from-screen ideas, then the breathing exercises written as lines."""
    exercises = [e for e in catalogue.exercises if e.area in BREATHING_AREAS]
    return (*catalogue.lines["rest"], *(as_line(e, catalogue) for e in exercises))


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
    """One rotating deck per kind; with ``rotation`` their places outlive the process."""

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
            "eyes": Deck(eye_items(catalogue), rng, _id),
            "rest": Deck(rest_items(catalogue), rng, _id),
            "posture": Deck(catalogue.lines["posture"], rng, _id),
            "hydration": Deck(catalogue.lines["hydration"], rng, _id),
        }
        if rotation is not None:
            rotation.attach("stretch", self.stretch)
            for name, deck in self.lines.items():
                rotation.attach(name, deck)


def _id(item: Exercise | Line) -> str:
    return item.id
