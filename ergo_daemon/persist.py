"""The daemon's day on disk: timers, pause, snoozes and today's desk time survive a restart.

A small JSON file in the state folder, replaced atomically. A file from an earlier day, or one
that cannot be read, is ignored: the day starts fresh. What is written follows the fields of
``PolicyState`` and ``DeskTime`` and their types: a new field needs no change here.
"""

from __future__ import annotations

import json
import logging
import types
import typing
from dataclasses import dataclass, fields
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from ergo_daemon.files import write_private_json
from ergo_daemon.policy import PolicyState

log = logging.getLogger(__name__)

VERSION = 1
# The types a JSON value can be read as, in the words of a warning.
JSON_WORDS = {
    str: "text",
    int: "a whole number",
    float: "a number",
    bool: "true or false",
    dict: "a JSON object",
    list: "a JSON list",
}


@dataclass
class DeskTime:
    """Today's time at the desk as the daemon counts it: active time and sitting (seconds)."""

    day: date
    active: float = 0.0
    sitting: float = 0.0  # the current unbroken stretch
    longest: float = 0.0

    def add(self, seconds: float) -> None:
        self.active += seconds
        self.sitting += seconds
        self.longest = max(self.longest, self.sitting)


Record = TypeVar("Record", PolicyState, DeskTime)


@dataclass
class Saved:
    state: PolicyState
    desk: DeskTime
    saved_at: datetime


def save(path: Path, state: PolicyState, desk: DeskTime, now: datetime) -> None:
    """Write atomically; raises OSError (the caller logs it and keeps running)."""
    body = {
        "v": VERSION,
        "saved_at": now.isoformat(),
        "policy": _encode(state),
        "tally": _encode(desk),  # the key's name from the first version of the file
    }
    write_private_json(path, body)


def load(path: Path, today: date) -> Saved | None:
    """The saved day if it is ``today``'s; None when there is none, it is old, or unreadable."""
    try:
        body = json.loads(path.read_text())
        if body.get("v") != VERSION:
            return None
        desk = _decode(DeskTime, body["tally"])
        if desk.day != today:
            return None
        state = _decode(PolicyState, body["policy"])
        return Saved(state, desk, datetime.fromisoformat(body["saved_at"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        log.warning("ignoring the saved state in %s (%s); starting the day fresh", path, exc)
        return None


def _types(cls: type[PolicyState | DeskTime]) -> dict[str, Any]:
    """Each field's name and type (the annotations are strings until resolved)."""
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in fields(cls)}


def _encode(record: PolicyState | DeskTime) -> dict[str, Any]:
    hints = _types(type(record)).items()
    return {name: _to_json(hint, getattr(record, name), name) for name, hint in hints}


def _decode(cls: type[Record], saved: Any) -> Record:
    """``cls`` from its saved fields; raises ValueError or TypeError on a wrong value."""
    if not isinstance(saved, dict):
        raise TypeError(f"{cls.__name__} is saved as a JSON object, not {saved!r}")
    # A field the file lacks (it is older) takes its default; one this version does not know
    # (a later version wrote it) is left out.
    given = {
        name: _from_json(hint, saved[name], name)
        for name, hint in _types(cls).items()
        if name in saved
    }
    return cls(**given)


def _to_json(hint: Any, value: Any, name: str) -> Any:
    kind, args = typing.get_origin(hint), typing.get_args(hint)
    if kind in (typing.Union, types.UnionType):
        return None if value is None else _to_json(_not_none(hint), value, name)
    if hint in (datetime, date):
        return value.isoformat()
    if kind is dict:
        return {key: _to_json(args[1], item, name) for key, item in value.items()}
    if kind is list:
        return [_to_json(args[0], item, name) for item in value]
    return _plain(hint, value, name)


def _from_json(hint: Any, value: Any, name: str) -> Any:
    kind, args = typing.get_origin(hint), typing.get_args(hint)
    if kind in (typing.Union, types.UnionType):
        return None if value is None else _from_json(_not_none(hint), value, name)
    if hint is datetime:
        return datetime.fromisoformat(_plain(str, value, name))
    if hint is date:
        return date.fromisoformat(_plain(str, value, name))
    if kind is dict:
        items = _plain(dict, value, name).items()
        return {_plain(str, key, name): _from_json(args[1], item, name) for key, item in items}
    if kind is list:
        return [_from_json(args[0], item, name) for item in _plain(list, value, name)]
    return _plain(hint, value, name)


def _plain(hint: Any, value: Any, name: str) -> Any:
    """``value`` as the JSON type ``hint`` (a whole number may stand for a float)."""
    if hint not in JSON_WORDS:
        raise TypeError(f"the state file cannot hold {name}, a {hint}")
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, hint) or (hint is int and isinstance(value, bool)):
        raise TypeError(f"{name} = {value!r} is not {JSON_WORDS[hint]}")
    return value


def _not_none(hint: Any) -> Any:
    """``X`` of ``X | None``; any other union is no type this file holds."""
    others = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    if len(others) != 1:
        raise TypeError(f"the state file cannot hold a {hint}")
    return others[0]
