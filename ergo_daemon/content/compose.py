"""Turn a policy prompt into a notice: a title and a short message, with rotating content."""

from __future__ import annotations

import random

from ergo_daemon.content.catalogue import Catalogue, Line
from ergo_daemon.content.decks import Decks, describe, stretch_title
from ergo_daemon.content.rotation import RotationFile
from ergo_daemon.durations import humanize
from ergo_daemon.policy import Prompt
from ergo_daemon.ports import Notice
from ergo_daemon.settings.models import Settings


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
        body = " ".join(filter(None, [message, self._extra(prompt.kind, prompt.merged)]))
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

    def _extra(self, head: str, merged: tuple[str, ...]) -> str:
        """At most one short line for the merged kinds that taking ``head`` does not cover.

        One action per notice: a break covers eye rests, stretches, posture and shorter
        reminders of your own (you are away from the desk), a stretch covers the shorter
        ones, so their instructions never follow "step away" or "stand up".
        """
        rest = [kind for kind in merged if not self._covers(head, kind)]
        if len(rest) > 1:
            return f"Also due: {', '.join(self._name(kind) for kind in rest)}."
        return self._aside(rest[0]) if rest else ""

    def _covers(self, head: str, kind: str) -> bool:
        if head not in _RESTS or kind == "hydration":
            return False
        if kind == "posture":
            return head == "break"
        return self._length(kind) <= self._length(head)

    def _length(self, kind: str) -> float:
        """The break length of an active-time kind, in seconds."""
        s = self.settings
        lengths = {"eyes": s.eyes.duration, "stretch": s.stretch.duration}
        lengths |= {"break": s.rest_break.duration} | {c.name: c.duration for c in s.custom}
        return lengths[kind].total_seconds()

    def _aside(self, kind: str) -> str:
        """A merged kind, as one short extra sentence after the head's message."""
        s = self.settings
        if kind == "eyes":
            return f"Rest your eyes for {humanize(s.eyes.duration)} too: look far away."
        if kind == "stretch":
            return f"A stretch is due too: move for {humanize(s.stretch.duration)}."
        if kind == "break":
            return f"A break is due too: {humanize(s.rest_break.duration)} away from the screen."
        if kind in _ASIDES:
            return _ASIDES[kind]
        return f"Also due: {self._name(kind)}."

    def _name(self, kind: str) -> str:
        custom = next((c for c in self.settings.custom if c.name == kind), None)
        return custom.title if custom is not None else _NAMES[kind]

    def _line(self, section: str) -> str:
        line: Line = self._decks.lines[section].draw()
        self._picture = line.picture
        return line.text

    def _image(self) -> str | None:
        path = self._decks.catalogue.picture_path(self._picture) if self._picture else None
        return str(path) if path is not None else None


_RESTS = ("eyes", "stretch", "break")
_NAMES = {
    "eyes": "an eye rest",
    "stretch": "a stretch",
    "break": "a break",
    "posture": "a posture check",
    "hydration": "a glass of water",
}
# Worded to fit whatever comes before: seated or standing, at the desk or not.
_ASIDES = {
    "hydration": "Have a glass of water too.",
    "posture": "Then a quick posture check.",
}
