"""Notifiers that keep what they are handed instead of showing it, and a notice to hand them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ergo_daemon import kinds
from ergo_daemon.ports import Notice, Notifier

BREAK = Notice(  # a break with every button
    kinds.BREAK,
    "Break time",
    "Step away from the desk.",
    datetime.now(UTC),
    merged=(kinds.EYES,),
    actions=("done", "snooze", "skip"),
)


class Shown(Notifier):
    """Keeps every notice sent, in order, in ``shown``."""

    name = "shown"

    def __init__(self) -> None:
        self.shown: list[Notice] = []

    def check(self) -> str:
        return "notices are kept in a list"

    def send(self, notice: Notice) -> None:
        self.shown.append(notice)


class Withdrawing(Shown):
    """Also closes its notice on request, as the freedesktop notifier does; counts the closes."""

    def __init__(self) -> None:
        super().__init__()
        self.withdrawn = 0

    def withdraw(self) -> None:
        self.withdrawn += 1


class FakePlyer:
    """Stands in for ``plyer.notification``: keeps each call's arguments, raises ``error``."""

    def __init__(self, error: Exception | None = None) -> None:
        self.calls: list[dict[str, Any]] = []
        self.error = error

    def notify(self, **kwargs: Any) -> None:
        self.calls.append(kwargs)
        if self.error:
            raise self.error
