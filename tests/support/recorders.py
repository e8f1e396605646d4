"""A statistics store kept in lists, for the tests that read what the daemon recorded."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from ergo_daemon.ports import Outcome


class Stats:
    """Keeps each prompt as (kind, outcome, merged) in ``events``, and the seconds held."""

    problem = None

    def __init__(self) -> None:
        self.events: list[tuple[str, str, tuple[str, ...]]] = []
        self.held_seconds = 0.0

    @property
    def prompts(self) -> list[tuple[str, str]]:
        """(kind, outcome) of each prompt recorded."""
        return [(kind, outcome) for kind, outcome, _ in self.events]

    def prompt(self, at: datetime, kind: str, outcome: Outcome, merged: Sequence[str] = ()) -> None:
        self.events.append((kind, outcome, tuple(merged)))

    def active(self, day: date, seconds: float, sitting: float, held: float = 0.0) -> None:
        self.held_seconds += held

    def close(self) -> None:
        pass
