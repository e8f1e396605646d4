"""Turn a policy prompt into a notice: a title and a short message, with rotating content."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from ergo_daemon.content.catalogue import Catalogue, Line
from ergo_daemon.content.rotation import Deck
from ergo_daemon.durations import humanize
from ergo_daemon.policy import Prompt
from ergo_daemon.settings.models import Exercise, Settings


@dataclass(frozen=True)
class Notice:
    """What the person sees: one notification."""

    kind: str
    title: str
    message: str
    at: datetime
    merged: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()  # the answers it offers ("done", "snooze", "skip"), if any
    sound: str | None = None  # a freedesktop sound name to play with it
    labels: tuple[str, ...] = ()  # the buttons' words, if not the usual ones for ``actions``
    follow_up: str = ""  # "heads-up" before a prompt, or "again" after an ignored one


class Composer:
    """Writes notices for prompts, drawing content from rotating decks."""

    def __init__(self, settings: Settings, catalogue: Catalogue, rng: random.Random) -> None:
        self.settings = settings
        allow_floor = settings.content.allow_floor
        self._stretches = Deck(catalogue.exercises_for(allow_floor=allow_floor, standing=True), rng)
        self._lines = {section: Deck(items, rng) for section, items in catalogue.lines.items()}

    def compose(self, prompt: Prompt) -> Notice:
        title, message = self._head(prompt.kind)
        if prompt.catch_up and prompt.kind == "posture":
            title = f"Welcome back. {title}"
        extras = [self._aside(kind) for kind in prompt.merged]
        body = " ".join([message, *extras]).strip()
        return Notice(prompt.kind, title, body, prompt.at, prompt.merged)

    def _head(self, kind: str) -> tuple[str, str]:
        s = self.settings
        if kind == "eyes":
            return f"Rest your eyes for {humanize(s.eyes.duration)}", self._line("eyes")
        if kind == "stretch":
            exercise = self._stretches.draw()
            return f"Stand up and stretch: {exercise.name}", _describe(exercise)
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
            exercise = self._stretches.draw()
            return f"Stretch: {exercise.name}. {_describe(exercise)}"
        title, message = self._head(kind)
        return f"{title}." if kind == "break" else f"{title}: {message}".rstrip(": ")

    def _line(self, section: str) -> str:
        line: Line = self._lines[section].draw()
        return line.text


_LABELS = {"eyes": "Eyes", "posture": "Posture", "hydration": "Water"}


def _describe(exercise: Exercise) -> str:
    return f"{exercise.how} {exercise.dose}. {exercise.caution}"
