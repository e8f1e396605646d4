"""Write settings back as TOML, optionally with a comment per key (for ``config show``/``init``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

Comment = Callable[[str], str | None]


def value(item: Any) -> str:
    """A TOML literal: JSON's strings, numbers and arrays are valid TOML; booleans are lowercase."""
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, list):
        return "[" + ", ".join(value(v) for v in item) + "]"
    if isinstance(item, dict):
        return "{ " + ", ".join(f"{k} = {value(v)}" for k, v in item.items()) + " }"
    if item is None:
        return '""'
    return json.dumps(item, ensure_ascii=False)


def dumps(
    data: Mapping[str, Any], comment: Comment = lambda _key: None, *, prefix: str = ""
) -> str:
    """``dumps({"eyes": {"every": "20m"}})`` is ``[eyes]\\nevery = "20m"\\n``."""
    lines: list[str] = []
    scalars = {k: v for k, v in data.items() if not _is_table(v) and not _is_table_array(v)}
    for key, item in scalars.items():
        lines.append(_line(key, item, comment(f"{prefix}{key}")))
    for key, item in data.items():
        if _is_table(item):
            lines += [
                "",
                f"[{prefix}{key}]",
                dumps(item, comment, prefix=f"{prefix}{key}.").rstrip(),
            ]
        elif _is_table_array(item):
            note = comment(f"{prefix}{key}")
            for entry in item:
                header = f"[[{prefix}{key}]]" + (f"  # {note}" if note else "")
                lines += ["", header, dumps(entry, prefix=f"{prefix}{key}.").rstrip()]
    return "\n".join(lines).lstrip("\n") + "\n"


def _line(key: str, item: Any, note: str | None) -> str:
    text = f"{key} = {value(item)}"
    return f"{text:<40} # {note}" if note else text


def _is_table(item: Any) -> bool:
    return isinstance(item, dict)


def _is_table_array(item: Any) -> bool:
    return isinstance(item, list) and bool(item) and all(isinstance(v, dict) for v in item)
