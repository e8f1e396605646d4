"""A Windows registry key as nested dicts; importable anywhere, ``winreg`` is handed in."""

from __future__ import annotations

from typing import Any


def registry_tree(winreg: Any, key: Any) -> dict[str, Any]:
    """The key's values by name and its subkeys as dicts: ``{"Policy": {"eyes.every": "20m"}}``."""
    tree: dict[str, Any] = {}
    subkeys, values, _ = winreg.QueryInfoKey(key)
    for index in range(values):
        name, data, _kind = winreg.EnumValue(key, index)
        tree[name] = data
    for index in range(subkeys):
        name = winreg.EnumKey(key, index)
        with winreg.OpenKey(key, name) as child:
            tree[name] = registry_tree(winreg, child)
    return tree
