"""Answers to a notice (Done, Snooze, Skip, dismissed): the buttons, and the words to type."""

# Tiny on purpose: the daemon imports it at start. The daemon applies an answer with its own
# commands (Daemon.done, .snooze, ...), the ones the CLI's requests run, so both count the same.

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from ergo_daemon.kinds import Kind
    from ergo_daemon.ports import Notice
    from ergo_daemon.triggers import Trigger

Action = Literal["done", "snooze", "skip", "dismissed"]
LABELS: dict[str, str] = {"done": "Done", "snooze": "Snooze", "skip": "Skip"}


@dataclass(frozen=True)
class Answer:
    """What the person did with a notice: ``Answer(BREAK, "done")``."""

    kind: Kind
    action: Action
    merged: tuple[Kind, ...] = ()


def offered(trigger: Trigger | None) -> tuple[Action, ...]:
    """The answers a reminder brought by ``trigger`` takes: not all can be snoozed."""
    if trigger is not None and trigger.snoozable:
        return ("done", "snooze", "skip")
    return ("done", "skip")


def from_key(notice: Notice, key: str) -> Answer | None:
    """The answer a button's action key means for ``notice`` (None: not one it offered)."""
    if key not in notice.actions or notice.kind is None:
        return None
    action: Action = key  # type: ignore[assignment]  # checked against the offered keys above
    return Answer(notice.kind, action, notice.merged)


def dismissal(notice: Notice) -> Answer | None:
    """The answer closing ``notice`` unanswered means (None: it asked for none)."""
    return Answer(notice.kind, "dismissed", notice.merged) if notice.kind is not None else None


def typed_hint(notice: Notice) -> str:
    """The commands to type where no buttons show, e.g. "ergo-daemon done break (or skip)"."""
    if not notice.actions:
        return ""
    first, *others = notice.actions
    rest = f" (or {', '.join(others)})" if others else ""
    return f"Answer: ergo-daemon {first} {notice.kind}{rest}"  # the kind's name, to type


def with_hint(notice: Notice, limit: int) -> str:
    """The message, cut to fit ``limit`` with the commands to type after it (no buttons here)."""
    from ergo_daemon.notify import clamp

    hint = typed_hint(notice)
    if not hint:
        return clamp(notice.message, limit)
    return f"{clamp(notice.message, max(1, limit - len(hint) - 1))}\n{hint}"


def button_list(notice: Notice) -> list[str]:
    """The freedesktop ``actions`` argument: key, label, key, label, ..."""
    labels = notice.labels or tuple(LABELS[key] for key in notice.actions)
    return [part for pair in zip(notice.actions, labels, strict=True) for part in pair]
