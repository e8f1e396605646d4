"""A quiet signal the test turns on and off (a call, a film, Do Not Disturb)."""

from __future__ import annotations

from datetime import datetime


class Busy:
    """Says ``reason`` (None: not busy) and counts how often it was asked."""

    def __init__(self, name: str = "call") -> None:
        self.name = name
        self.reason: str | None = None
        self.asked = 0

    def read(self, now: datetime) -> str | None:
        self.asked += 1
        return self.reason

    def close(self) -> None:
        pass
