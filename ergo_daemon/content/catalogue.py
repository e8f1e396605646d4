"""The shipped catalogue (``catalogue.toml``, package data) plus the user's own items."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources

from ergo_daemon.settings.models import Content, Exercise

TEXT_SECTIONS = ("posture", "hydration", "eyes", "rest")


@dataclass(frozen=True)
class Line:
    """A one-line item: a posture cue, a hydration phrasing, an eye prompt or a rest idea."""

    id: str
    text: str


@dataclass(frozen=True)
class Catalogue:
    exercises: tuple[Exercise, ...]
    lines: dict[str, tuple[Line, ...]]

    def exercises_for(self, *, allow_floor: bool, standing: bool) -> tuple[Exercise, ...]:
        """Exercises to offer: floor ones only if allowed; with ``standing``, ones done upright."""
        wanted = {"standing"} if standing else {"standing", "seated"}
        if allow_floor:
            wanted.add("floor")
        return tuple(e for e in self.exercises if wanted.intersection(e.positions))


def load_catalogue(extra: Content | None = None) -> Catalogue:
    """The shipped catalogue with ``extra`` (the user's ``[content]`` items) appended."""
    text = resources.files("ergo_daemon.content").joinpath("catalogue.toml").read_text("utf-8")
    data = tomllib.loads(text)
    exercises = [Exercise.model_validate(item) for item in data["exercise"]]
    lines = {
        section: [Line(item["id"], item["text"]) for item in data[section]]
        for section in TEXT_SECTIONS
    }
    if extra is not None:
        exercises.extend(extra.exercises)
        for section in TEXT_SECTIONS:
            own = getattr(extra, section)
            lines[section].extend(Line(f"own-{section}-{i}", t) for i, t in enumerate(own, 1))
    return Catalogue(tuple(exercises), {k: tuple(v) for k, v in lines.items()})
