"""Rotation: every item once before any repeats, and never the same item twice in a row.

A deck's place (what is left of the round, what came last) can be saved by item id, so a
restart goes on with the same round instead of starting a fresh one.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Generic, TypeVar

from ergo_daemon.files import write_private_json

T = TypeVar("T")
log = logging.getLogger(__name__)
VERSION = 1


class Deck(Generic[T]):
    """Deal ``items`` in shuffled rounds; ``Deck(["a", "b"], random.Random(1)).draw()``.

    ``key`` names an item in saved state (its ``id``, or ``str`` for plain values).
    """

    def __init__(
        self, items: Sequence[T], rng: random.Random, key: Callable[[T], str] = str
    ) -> None:
        if not items:
            raise ValueError("a deck needs at least one item")
        self._items = list(items)
        self._rng = rng
        self._keys = [key(item) for item in self._items]
        self._order: list[int] = []
        self._last: int | None = None
        self.on_draw: Callable[[], None] = lambda: None

    def draw(self) -> T:
        if not self._order:
            self._order = list(range(len(self._items)))
            self._rng.shuffle(self._order)
            if len(self._order) > 1 and self._order[-1] == self._last:
                self._order[0], self._order[-1] = self._order[-1], self._order[0]
        self._last = self._order.pop()
        self.on_draw()
        return self._items[self._last]

    def state(self) -> dict[str, Any]:
        """Where the deck stands, by key: ``{"left": [...], "last": "..."}``."""
        last = None if self._last is None else self._keys[self._last]
        return {"left": [self._keys[i] for i in self._order], "last": last}

    def restore(self, state: dict[str, Any]) -> None:
        """Go on from ``state``; items it does not know wait for the next round."""
        index = {k: i for i, k in enumerate(self._keys)}
        left = state.get("left", [])
        self._order = [index[k] for k in left if isinstance(k, str) and k in index]
        last = state.get("last")
        self._last = index.get(last) if isinstance(last, str) else None


class RotationFile:
    """Decks' places in a small JSON file in the state folder, e.g. ``rotation.json``.

    Read once when decks are made, written after each draw; a file that cannot be read is
    ignored (rounds start afresh), one that cannot be written is logged once.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._decks: dict[str, Deck[Any]] = {}
        self._saved: dict[str, Any] | None = None
        self._warned = False

    def attach(self, name: str, deck: Deck[Any]) -> None:
        """Restore ``deck`` from the file and save the file whenever it draws."""
        if self._saved is None:
            self._saved = self._read()
        if isinstance(state := self._saved.get(name), dict):
            deck.restore(state)
        self._decks[name] = deck
        deck.on_draw = self.save

    def save(self) -> None:
        # Decks not in use now (e.g. after positions changed) keep their place in the file.
        decks = {**(self._saved or {}), **{n: d.state() for n, d in self._decks.items()}}
        body = {"v": VERSION, "decks": decks}
        try:
            write_private_json(self.path, body)
        except OSError as exc:
            if not self._warned:
                log.warning("cannot save the content rotation to %s: %s", self.path, exc)
                self._warned = True

    def _read(self) -> dict[str, Any]:
        try:
            body = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("ignoring the content rotation in %s (%s)", self.path, exc)
            return {}
        decks = body.get("decks") if isinstance(body, dict) and body.get("v") == VERSION else None
        return decks if isinstance(decks, dict) else {}
