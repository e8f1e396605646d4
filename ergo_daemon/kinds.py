"""Every reminder kind in one table: what it is called, what it says, what it counts as.

A kind's name is what the statistics store and the commands take (``ergo-daemon done eyes``);
inside the package a reminder carries its ``Kind``. Adding a built-in kind means a row here,
its line in ``rules_from`` below, and its settings table in ``settings/models.py`` (and, for a
deck of its own, its section of ``content/catalogue.toml``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import timedelta

    from ergo_daemon.settings.models import ActiveReminder, CustomReminder, Settings, Weekday
    from ergo_daemon.triggers import Trigger


@dataclass(frozen=True, eq=False)
class Kind:
    """One reminder kind; ``title`` and ``aside`` are templates where ``{length}`` is its rest."""

    name: str  # stored in the statistics and typed on the command line: "eyes"
    noun: str  # as in "Also due: an eye rest, a glass of water."
    title: str  # its notice's title, e.g. "Rest your eyes for {length}" (unless ``exercises``)
    aside: str  # the one sentence it adds when it is merged into another prompt
    deck: str = ""  # the catalogue lines its message is drawn from ("": ``message``)
    areas: frozenset[str] = frozenset()  # exercise areas its deck adds, written as lines
    message: str = ""  # its own message (a custom reminder's)
    exercises: bool = False  # its title and message come from a movement exercise
    rests: bool = False  # a real rest: done ends a sitting stretch; it covers smaller rests
    leaves_desk: bool = False  # taken away from the desk: it covers a posture check too
    # Which rest makes it moot when merged into that rest's prompt: one at least as long, only
    # one taken away from the desk, or none (its line is always said).
    covered: Literal["by longer", "away", "never"] = "by longer"
    weight: float = 0.0  # its size in seconds where it has no rest length (orders merges)
    on_screen: int = 45  # seconds its notice stays on screen
    welcome: bool = False  # shown on the return from an absence, its title greets you back
    logged: str = ""  # what 'done' says instead of "<name> done"
    report: str = ""  # its column of taken and prompted counts in the reports ("": none)

    def __str__(self) -> str:
        return self.name

    # A kind is its name: a reload that rewords a custom reminder leaves it the same reminder
    # (the one just shown can still be snoozed as such).
    def __eq__(self, other: object) -> bool:
        return isinstance(other, Kind) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)

    def done_line(self) -> str:
        """What 'done' answers: ``"eyes done"``, ``"a glass of water logged"``."""
        return self.logged or f"{self.name} done"


EYES = Kind(
    "eyes",
    "an eye rest",
    "Rest your eyes for {length}",
    "Rest your eyes for {length} too: look far away.",
    deck="eyes",
    areas=frozenset({"eyes"}),
    rests=True,
    on_screen=20,
    report="Eye rests",
)
STRETCH = Kind(
    "stretch",
    "a stretch",
    "Time to stretch",
    "A stretch is due too: move for {length}.",
    exercises=True,
    rests=True,
    report="Stretches",
)
BREAK = Kind(
    "break",
    "a break",
    "Break time: step away for {length}",
    "A break is due too: {length} away from the screen.",
    deck="rest",
    areas=frozenset({"breathing"}),
    rests=True,
    leaves_desk=True,
    report="Breaks",
)
# Worded to fit whatever comes before: seated or standing, at the desk or not.
POSTURE = Kind(
    "posture",
    "a posture check",
    "Posture check",
    "Then a quick posture check.",
    deck="posture",
    covered="away",
    weight=0.5,
    welcome=True,
)
HYDRATION = Kind(
    "hydration",
    "a glass of water",
    "Water break",
    "Have a glass of water too.",
    deck="hydration",
    covered="never",
    weight=1.5,
    logged="a glass of water logged",
)
BUILT_IN = (EYES, STRETCH, BREAK, POSTURE, HYDRATION)
BUILT_IN_NAMES = frozenset(kind.name for kind in BUILT_IN)
DECKS = tuple(kind for kind in BUILT_IN if kind.deck)  # the kinds drawing catalogue lines
REPORTED = (BREAK, EYES, STRETCH)  # the columns of taken and prompted counts, in this order
GLASSES = HYDRATION  # each one marked done is a glass of water in the reports


def custom_kind(reminder: CustomReminder) -> Kind:
    """The kind of a ``[[custom]]`` reminder: its own name, title and message."""
    title = reminder.title.replace("{", "{{").replace("}", "}}")  # a template, not for filling
    return Kind(
        reminder.name,
        reminder.title,
        title,
        f"Also due: {title}.",
        message=reminder.message,
    )


def lengths(settings: Settings) -> dict[Kind, timedelta]:
    """How long each kind's rest lasts, e.g. 20 s for eyes (posture and hydration: none)."""
    found = {
        EYES: settings.eyes.duration,
        STRETCH: settings.stretch.duration,
        BREAK: settings.rest_break.duration,
    }
    return found | {custom_kind(c): c.duration for c in settings.custom}


@dataclass(frozen=True)
class Rule:
    """One enabled reminder: its kind, the trigger that brings it, its size for merging."""

    kind: Kind
    trigger: Trigger
    size: float  # seconds: its rest length, else its kind's weight; the largest heads a merge


@dataclass(frozen=True)
class Companion:
    """``kind`` joins every ``nth`` prompt of ``of``: a posture check with every 2nd stretch."""

    kind: Kind
    of: Kind
    nth: int


def rules_from(settings: Settings) -> tuple[Rule, ...]:
    """The enabled reminders of ``settings``, each with its trigger."""
    # Here, not at the top: the reports read this table without loading the settings' models.
    from ergo_daemon.triggers import ActiveTime, OnReturn, SetTimes, WorkingClock

    rules: list[Rule] = []
    rest = {kind: length.total_seconds() for kind, length in lengths(settings).items()}

    def active(kind: Kind, reminder: ActiveReminder) -> None:
        if reminder.enabled:
            every = reminder.every.total_seconds()
            rules.append(Rule(kind, ActiveTime(every, rest[kind]), rest[kind]))

    active(EYES, settings.eyes)
    active(STRETCH, settings.stretch)
    active(BREAK, settings.rest_break)
    if settings.posture.enabled and settings.posture.after_away:
        after = settings.posture.after_away.total_seconds()
        rules.append(Rule(POSTURE, OnReturn(after), POSTURE.weight))
    if settings.hydration.enabled:
        every = settings.hydration.every.total_seconds()
        rules.append(Rule(HYDRATION, WorkingClock(every), HYDRATION.weight))
    grace = settings.timing.fixed_grace.total_seconds()
    for custom in settings.custom:
        kind = custom_kind(custom)
        trigger: Trigger
        if custom.every is not None:
            trigger = ActiveTime(custom.every.total_seconds(), rest[kind])
        else:
            trigger = SetTimes(tuple(sorted(custom.at)), _weekdays(custom.days), grace)
        rules.append(Rule(kind, trigger, rest[kind]))
    return tuple(rules)


def companion_of(settings: Settings) -> Companion | None:
    """The kind that joins another's prompts now and then, if one does."""
    nth = settings.posture.with_every_nth_stretch
    return Companion(POSTURE, STRETCH, nth) if settings.posture.enabled and nth else None


def _weekdays(days: Sequence[Weekday]) -> frozenset[int]:
    from ergo_daemon.settings.models import WEEKDAYS

    return frozenset(WEEKDAYS.index(d) for d in days)
