"""Pictured exercises to show on a page or a break screen, a few at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ergo_daemon.content.catalogue import Catalogue


@dataclass(frozen=True)
class Pictured:
    """An exercise with its picture: what a report or a break screen shows."""

    id: str
    name: str
    dose: str
    caution: str
    svg: str


def pictured(catalogue: Catalogue) -> list[Pictured]:
    """Every exercise that has a picture, in catalogue order."""
    out = []
    for exercise in catalogue.exercises:
        svg = catalogue.picture_svg(exercise.id)
        if svg is not None:
            out.append(Pictured(exercise.id, exercise.name, exercise.dose, exercise.caution, svg))
    return out


def of_the_week(catalogue: Catalogue, day: date, count: int = 4) -> list[Pictured]:
    """``count`` pictured exercises for ``day``'s ISO week; the next week shows the next ones."""
    every = pictured(catalogue)
    if not every:
        return []
    year, week, _ = day.isocalendar()
    start = ((year * 53 + week) * count) % len(every)
    return [every[(start + i) % len(every)] for i in range(min(count, len(every)))]
