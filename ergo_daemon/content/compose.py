"""Turn a policy prompt into a notice: a title and a short message, with rotating content."""

from __future__ import annotations

import random

from ergo_daemon.content.catalogue import Catalogue, Line
from ergo_daemon.content.decks import Decks, describe, stretch_title
from ergo_daemon.content.rotation import RotationFile
from ergo_daemon.durations import humanize
from ergo_daemon.kinds import Kind, lengths
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
        self._lengths = lengths(settings)  # the words' lengths: as configured, never scaled
        self._picture: str | None = None  # the lead item's: set by _head, read right after it

    def compose(self, prompt: Prompt) -> Notice:
        self._picture = None
        title, message = self._head(prompt.kind)
        image = self._image()
        if prompt.catch_up and prompt.kind.welcome:
            title = f"Welcome back. {title}"
        body = " ".join(filter(None, [message, self._extra(prompt.kind, prompt.merged)]))
        return Notice(prompt.kind, title, body, prompt.at, prompt.merged, image)

    def _head(self, kind: Kind) -> tuple[str, str]:
        if kind.exercises:
            exercise = self._decks.stretch.draw()
            self._picture = exercise.id
            title = stretch_title(exercise, self.settings.content.positions)
            return f"{title}: {exercise.name}", describe(exercise)
        message = self._line(kind.deck) if kind.deck else kind.message
        return self._words(kind.title, kind), message

    def _extra(self, head: Kind, merged: tuple[Kind, ...]) -> str:
        """At most one short line for the merged kinds that taking ``head`` does not cover.

        One action per notice: a break covers eye rests, stretches, posture and shorter
        reminders of your own (you are away from the desk), a stretch covers the shorter
        ones, so their instructions never follow "step away" or "stand up".
        """
        rest = [kind for kind in merged if not self._covers(head, kind)]
        if len(rest) > 1:
            return f"Also due: {', '.join(kind.noun for kind in rest)}."
        return self._words(rest[0].aside, rest[0]) if rest else ""

    def _covers(self, head: Kind, kind: Kind) -> bool:
        if not head.rests or kind.covered == "never":
            return False
        if kind.covered == "away":
            return head.leaves_desk
        return self._length(kind) <= self._length(head)

    def _length(self, kind: Kind) -> float:
        """The rest length of an active-time kind, in seconds."""
        return self._lengths[kind].total_seconds()

    def _words(self, template: str, kind: Kind) -> str:
        """``template`` with ``{length}`` as words: "Rest your eyes for 20 seconds"."""
        length = self._lengths.get(kind)
        return template.format(length=humanize(length) if length is not None else "")

    def _line(self, section: str) -> str:
        line: Line = self._decks.lines[section].draw()
        self._picture = line.picture
        return line.text

    def _image(self) -> str | None:
        path = self._decks.catalogue.picture_path(self._picture) if self._picture else None
        return str(path) if path is not None else None
