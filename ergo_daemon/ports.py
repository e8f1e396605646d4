"""The small interfaces between the daemon and the world; adapters live in their own modules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ergo_daemon.content.compose import Notice


class DeliveryError(Exception):
    """A notification did not reach the person (the daemon logs it and retries later)."""


class Notifier(Protocol):
    """Shows a notice on the desktop; raises DeliveryError (or anything) when it cannot."""

    name: str

    def send(self, notice: Notice) -> None: ...


@dataclass(frozen=True)
class Reading:
    """Seconds since the last keyboard/mouse input (None: unknown), and whether it is locked."""

    idle: float | None
    locked: bool = False


class ActivityError(Exception):
    """An activity source stopped working (the X server went away, the bus closed, ...)."""


class ActivitySource(Protocol):
    """Tells how long the person has not touched the keyboard or mouse."""

    name: str

    def read(self) -> Reading: ...
