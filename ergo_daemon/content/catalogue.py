"""The shipped catalogue (``catalogue.toml``, package data) plus the user's own items.

Each shipped exercise and eye line names the sources behind it (``sources``, keys of the
``[source]`` table); pictures are ``pictures/<exercise id>.svg`` beside this module.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ergo_daemon.kinds import DECKS
from ergo_daemon.settings.models import Content, Exercise

TEXT_SECTIONS = tuple(kind.deck for kind in DECKS)  # e.g. "eyes", "rest", "posture"
PICTURES = "pictures"


@dataclass(frozen=True)
class Line:
    """A one-line item: a posture cue, a hydration phrasing, an eye prompt or a rest idea.

    ``picture`` is the id of an exercise whose picture goes with it, if any.
    """

    id: str
    text: str
    picture: str | None = None


@dataclass(frozen=True)
class Catalogue:
    exercises: tuple[Exercise, ...]
    lines: dict[str, tuple[Line, ...]]
    sources: dict[str, tuple[str, ...]] = field(default_factory=dict)  # item id -> source keys
    references: dict[str, str] = field(default_factory=dict)  # source key -> what it is
    pictures: frozenset[str] = frozenset()  # ids of exercises with a picture

    def picture_path(self, item_id: str) -> Path | None:
        """The SVG file of ``item_id``'s picture on disk, e.g. for a notification's image."""
        if item_id not in self.pictures:
            return None
        found = _pictures_dir().joinpath(f"{item_id}.svg")
        return found if isinstance(found, Path) else None  # a zipped install has no file path

    def picture_svg(self, item_id: str) -> str | None:
        """The SVG text of ``item_id``'s picture (for pages and a break screen)."""
        if item_id not in self.pictures:
            return None
        text: str = _pictures_dir().joinpath(f"{item_id}.svg").read_text("utf-8")
        return text


def _pictures_dir() -> Any:
    return resources.files("ergo_daemon.content").joinpath(PICTURES)


def load_catalogue(extra: Content | None = None) -> Catalogue:
    """The shipped catalogue with ``extra`` (the user's ``[content]`` items) appended."""
    text = resources.files("ergo_daemon.content").joinpath("catalogue.toml").read_text("utf-8")
    data = tomllib.loads(text)
    sources: dict[str, tuple[str, ...]] = {}

    def take_sources(item: dict[str, Any]) -> dict[str, Any]:
        item = dict(item)
        sources[item["id"]] = tuple(item.pop("sources", ()))
        return item

    exercises = [Exercise.model_validate(take_sources(item)) for item in data["exercise"]]
    lines = {
        section: [
            Line(item["id"], item["text"], item.get("picture"))
            for item in map(take_sources, data[section])
        ]
        for section in TEXT_SECTIONS
    }
    references = {key: str(value) for key, value in data.get("source", {}).items()}
    pictures = frozenset(
        entry.name.removesuffix(".svg")
        for entry in _pictures_dir().iterdir()
        if entry.name.endswith(".svg")
    )
    if extra is not None:
        exercises.extend(extra.exercises)
        for section in TEXT_SECTIONS:
            own = getattr(extra, section)
            lines[section].extend(Line(f"own-{section}-{i}", t) for i, t in enumerate(own, 1))
    return Catalogue(
        tuple(exercises), {k: tuple(v) for k, v in lines.items()}, sources, references, pictures
    )
