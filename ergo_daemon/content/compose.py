"""Turn a policy prompt into a notice: a title and a short message, with rotating content."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from ergo_daemon.content.catalogue import Catalogue, Line
from ergo_daemon.content.decks import Decks, describe, stretch_title
from ergo_daemon.content.rotation import RotationFile
from ergo_daemon.durations import humanize
from ergo_daemon.policy import Prompt
from ergo_daemon.settings.models import Settings


@dataclass(frozen=True)
class Notice:
    """What the person sees: one notification."""

    kind: str
    title: str
    message: str
    at: datetime
    merged: tuple[str, ...] = ()
    image: str | None = None  # a picture file for the lead item, where the server shows one


class Composer:
    """Writes notices for prompts, drawing content from rotating decks."""

    def __init__(
        self,
        settings: Settings,
        catalogue: Catalogue,
        rng: random.Random,
        rotation: RotationFile | None = None,
    ) -> None:
        self.settings = settings
        self._decks = Decks(settings.content, catalogue, rng, rotation)
        self._picture: str | None = None  # the lead item's: set by _head, read right after it

    def compose(self, prompt: Prompt) -> Notice:
        self._picture = None
        title, message = self._head(prompt.kind)
        image = self._image()
        if prompt.catch_up and prompt.kind == "posture":
            title = f"Welcome back. {title}"
        extras = [self._aside(kind) for kind in prompt.merged]
        body = " ".join([message, *extras]).strip()
        return Notice(prompt.kind, title, body, prompt.at, prompt.merged, image)

    def _head(self, kind: str) -> tuple[str, str]:
        s = self.settings
        if kind == "eyes":
            return f"Rest your eyes for {humanize(s.eyes.duration)}", self._line("eyes")
        if kind == "stretch":
            exercise = self._decks.stretch.draw()
            self._picture = exercise.id
            title = stretch_title(exercise, s.content.positions)
            return f"{title}: {exercise.name}", describe(exercise)
        if kind == "break":
            return f"Break time: step away for {humanize(s.rest_break.duration)}", self._line(
                "rest"
            )
        if kind == "posture":
            return "Posture check", self._line("posture")
        if kind == "hydration":
            return "Water break", self._line("hydration")
        custom = next(c for c in s.custom if c.name == kind)
        return custom.title, custom.message

    def _aside(self, kind: str) -> str:
        """A merged kind, as one extra sentence in the larger prompt."""
        if kind in ("eyes", "posture", "hydration"):
            return f"{_LABELS[kind]}: {self._line(kind)}"
        if kind == "stretch":
            exercise = self._decks.stretch.draw()
            return f"Stretch: {exercise.name}. {describe(exercise)}"
        title, message = self._head(kind)
        return f"{title}." if kind == "break" else f"{title}: {message}".rstrip(": ")

    def _line(self, section: str) -> str:
        line: Line = self._decks.lines[section].draw()
        self._picture = line.picture
        return line.text

    def _image(self) -> str | None:
        path = self._decks.catalogue.picture_path(self._picture) if self._picture else None
        return str(path) if path is not None else None


_LABELS = {"eyes": "Eyes", "posture": "Posture", "hydration": "Water"}
