"""The small interfaces between the daemon and the world; adapters live in their own modules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import date

    from ergo_daemon.kinds import Kind
    from ergo_daemon.notify.answers import Answer

REMINDER = "reminder"  # the replace slot every reminder shares


@dataclass(frozen=True)
class Notice:
    """What the person sees: one notification, a reminder of ``kind`` or (None) about itself."""

    kind: Kind | None  # None: a notice about ergo-daemon itself, in the slot of its ``topic``
    title: str
    message: str
    at: datetime
    merged: tuple[Kind, ...] = ()
    image: str | None = None  # a picture file for the lead item, where the server shows one
    actions: tuple[str, ...] = ()  # the answers it offers ("done", "snooze", "skip"), if any
    sound: str | None = None  # a freedesktop sound name to play with it
    labels: tuple[str, ...] = ()  # the buttons' words, if not the usual ones for ``actions``
    follow_up: str = ""  # "heads-up" before a prompt, or "again" after an ignored one
    topic: str = ""  # what a notice about ergo-daemon itself is about: "config", "info"

    @classmethod
    def about_itself(cls, topic: str, title: str, message: str, at: datetime) -> Notice:
        """A notice that is no reminder: not counted, no answers, e.g. a configuration error."""
        return cls(None, title, message, at, topic=topic)

    @property
    def slot(self) -> str:
        """The notice on screen this one replaces: the last reminder, or the last of its topic."""
        return REMINDER if self.kind is not None else f"about {self.topic}"


class DeliveryError(Exception):
    """A notification did not reach the person (the daemon logs it and retries later)."""


class BackendGone(DeliveryError):
    """Not just the server: the way to it is gone (e.g. the session bus), so retrying is moot."""


class Notifier(Protocol):
    """Shows a notice on the desktop; raises DeliveryError (or anything) when it cannot.

    Adapters subclass it: ``name``, ``check`` and ``send`` each must say for itself; the rest
    default to a notifier that reaches the screen, draws no buttons and lets notices expire.
    """

    @property
    def name(self) -> str: ...

    def check(self) -> str:
        """What would show notices, without showing one (DeliveryError: nothing would)."""
        ...

    def send(self, notice: Notice) -> None: ...

    def buttons(self) -> bool:
        """Whether notices carry their answers as buttons (else they say the command to type)."""
        return False

    def listen(self, handler: Callable[[Answer], None]) -> None:
        """Call ``handler`` for each button pressed or notice dismissed (none without buttons)."""
        return

    def withdraw(self) -> None:
        """Close the reminder still on screen, where it can (else it expires on its own)."""
        return

    @property
    def down(self) -> str | None:
        """Why notices reach only a stand-in such as the log (None: they reach the screen)."""
        return None

    @property
    def allow(self) -> str:
        """What the person may have to allow in the system's settings before notices show."""
        return ""


@dataclass(frozen=True)
class Reading:
    """Seconds since the last keyboard/mouse input (None: unknown), lock, and imminent sleep."""

    idle: float | None
    locked: bool = False
    sleeping: bool = False  # the system said it is about to suspend (logind PrepareForSleep)
    # Idle is None only for now: the idle source is starting up or being tried again after it
    # stopped. Without this, None means this session has no idle source (clock time counts).
    idle_pending: bool = False


class ActivityError(Exception):
    """An activity source stopped working (the X server went away, the bus closed, ...)."""


class ActivitySource(Protocol):
    """Tells how long the person has not touched the keyboard or mouse, and whether it is locked.

    ``read`` raises ActivityError (or anything) when the source stops working. Event-driven
    sources call ``changed`` (from any thread) after ``watch(changed)`` when their reading
    changes, so the daemon looks at once instead of at its next planned look; polled sources
    ignore it. ``close`` releases connections and threads.
    """

    @property
    def name(self) -> str: ...

    @property
    def tells_lock(self) -> bool:
        """Whether its readings say the screen is locked (else a lock is only a silence)."""
        ...

    @property
    def tells_sleep(self) -> bool:
        """Whether its readings say a suspend is coming (else it is seen after, from the clocks)."""
        ...

    def read(self) -> Reading: ...

    def watch(self, changed: Callable[[], None]) -> None: ...

    def close(self) -> None: ...


class QuietSignal(Protocol):
    """Says why prompts should wait now (``"camera in use"``), or None when nothing holds them.

    Read only at a decision point (a prompt falls due, silence would become a break), never
    polled. ``read`` raises QuietError (or anything) when it cannot tell; ``close`` releases
    connections.
    """

    @property
    def name(self) -> str: ...

    def read(self, now: datetime) -> str | None: ...

    def close(self) -> None: ...


class QuietError(Exception):
    """A quiet signal cannot be read here (no server, no program, no permission)."""


Outcome = Literal[
    "shown", "done", "snoozed", "skipped", "natural", "failed", "dismissed", "repeated", "held"
]


class Recorder(Protocol):
    """Keeps the statistics; never raises (``problem`` says why recording fails, if it does)."""

    @property
    def problem(self) -> str | None: ...

    def prompt(
        self, at: datetime, kind: str, outcome: Outcome, merged: Sequence[str] = ()
    ) -> None: ...

    def active(self, day: date, seconds: float, sitting: float, held: float = 0.0) -> None: ...

    def close(self) -> None: ...
