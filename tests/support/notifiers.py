"""Notifiers that keep what they are handed instead of showing it."""

from __future__ import annotations

from ergo_daemon.ports import Notice


class Shown:
    """Keeps every notice sent, in order, in ``shown``."""

    name = "shown"

    def __init__(self) -> None:
        self.shown: list[Notice] = []

    def send(self, notice: Notice) -> None:
        self.shown.append(notice)


class Withdrawing(Shown):
    """Also closes its notice on request, as the freedesktop notifier does; counts the closes."""

    def __init__(self) -> None:
        super().__init__()
        self.withdrawn = 0

    def withdraw(self) -> None:
        self.withdrawn += 1
