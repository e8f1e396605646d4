"""Test configurations: working all day, every reminder off but the ones a test names."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ergo_daemon.settings.models import Settings

REMINDERS = ("eyes", "stretch", "break", "hydration", "posture")
ALL_DAY = {"days": "mon-sun", "hours": ["00:00-24:00"]}


def schedule(tables: Mapping[str, Any]) -> dict[str, Any]:
    """Settings' tables: all day, each reminder off unless ``tables`` has it, e.g. ``{"eyes": {}}``.

    A table given replaces the default one whole (``work_hours`` too); ``{}`` keeps the
    built-in values.
    """
    data: dict[str, Any] = {"work_hours": dict(ALL_DAY)}
    data.update((kind, {"enabled": False}) for kind in REMINDERS)
    data.update(tables)
    return data


def settings(tables: Mapping[str, Any]) -> Settings:
    """``schedule(tables)``, validated."""
    return Settings.model_validate(schedule(tables))


def toml(data: Mapping[str, Any]) -> str:
    """``data`` as the text of a config file: tables of values, ``custom`` an array of tables."""
    out: list[str] = []
    for name, table in data.items():
        for row in table if isinstance(table, list) else [table]:
            out.append(f"\n[[{name}]]" if isinstance(table, list) else f"\n[{name}]")
            out.extend(f"{key} = {_value(value)}" for key, value in row.items())
    return "\n".join(out).lstrip() + "\n"


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | list):
        return json.dumps(value, ensure_ascii=False)  # a TOML basic string or array of them
    if isinstance(value, int | float):
        return str(value)
    raise TypeError(f"toml() writes no {type(value).__name__} values: {value!r}")
