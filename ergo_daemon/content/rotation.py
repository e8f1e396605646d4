"""Rotation: every item once before any repeats, and never the same item twice in a row."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


class Deck(Generic[T]):
    """Deal ``items`` in shuffled rounds; ``Deck(["a", "b"], random.Random(1)).draw()``."""

    def __init__(self, items: Sequence[T], rng: random.Random) -> None:
        if not items:
            raise ValueError("a deck needs at least one item")
        self._items = list(items)
        self._rng = rng
        self._order: list[int] = []
        self._last: int | None = None

    def draw(self) -> T:
        if not self._order:
            self._order = list(range(len(self._items)))
            self._rng.shuffle(self._order)
            if len(self._order) > 1 and self._order[-1] == self._last:
                self._order[0], self._order[-1] = self._order[-1], self._order[0]
        self._last = self._order.pop()
        return self._items[self._last]
