"""Build the settings from their sources; say who set each key; locks cannot be overridden."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ergo_daemon.settings.errors import ConfigError
from ergo_daemon.settings.models import Settings
from ergo_daemon.settings.sources import (
    PLANNED,
    Layer,
    Layered,
    LayerSource,
    PolicySource,
    environment_layer,
    known_keys,
    line_of,
    read_toml,
    submodel,
    unknown_key_message,
)

__all__ = [
    "ConfigError",
    "Layer",
    "Loaded",
    "build",
    "environment_layer",
    "flatten",
    "merge",
    "read_toml",
    "validate",
]


@dataclass(frozen=True)
class Loaded:
    """The effective settings, who set each dotted key, what is locked, what was overruled."""

    settings: Settings
    sources: dict[str, str] = field(default_factory=dict)
    locked: frozenset[str] = frozenset()
    overruled: tuple[str, ...] = ()
    files: tuple[Path, ...] = ()


def merge(layers: Sequence[Layer]) -> tuple[dict[str, Any], dict[str, str]]:
    """Deep-merge layers, later wins; return the data and the origin of each dotted key."""
    merged: dict[str, Any] = {}
    sources: dict[str, str] = {}

    def walk(target: dict[str, Any], data: Mapping[str, Any], prefix: str, origin: str) -> None:
        for key, value in data.items():
            dotted = f"{prefix}{key}"
            if isinstance(value, Mapping) and isinstance(target.get(key, {}), dict):
                walk(target.setdefault(key, {}), value, f"{dotted}.", origin)
            else:
                target[key] = value
                for stale in [k for k in sources if k.startswith(f"{dotted}.")]:
                    del sources[stale]
                sources[dotted] = origin

    for layer in layers:
        walk(merged, layer.data, "", layer.origin)
    return merged, sources


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"eyes": {"every": "20m"}}`` as ``{"eyes.every": "20m"}``; lists are values."""
    flat: dict[str, Any] = {}
    for key, item in data.items():
        if isinstance(item, Mapping):
            flat.update(flatten(item, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = item
    return flat


def validate(layers: Sequence[Layer], files: Sequence[Path] = ()) -> Loaded:
    """Settings from layers already read, lowest first; locking layers win wherever they are."""
    return build(
        [(PolicySource if layer.locks else LayerSource)(Settings, layer) for layer in layers],
        files,
    )


def build(sources: Sequence[Layered], files: Sequence[Path] = ()) -> Loaded:
    """``Settings()`` from ``sources``; a bad value is reported with its layer, line and key.

    An attempt by any other layer to set a locked key is reported in ``overruled``.
    """
    token = PLANNED.set(tuple(sources))
    try:
        settings, error = Settings(), None
    except ValidationError as exc:
        settings, error = None, exc
    finally:
        PLANNED.reset(token)
    ran = sorted((s for s in sources if s.given is not None), key=lambda s: -s.ran_at)
    given = [Layer(s.origin, s.given or {}) for s in ran]
    origins = merge(given)[1]
    if settings is None or error is not None:
        by_origin = {s.origin: s.layer for s in ran}
        problems = error.errors() if error else []
        raise ConfigError("\n".join(_describe(e, origins, by_origin) for e in problems))
    locked = frozenset(merge([g for g, s in zip(given, ran, strict=True) if s.locks])[1])
    overruled = tuple(
        f"{key} from {source.origin} is ignored: locked by {origins[lock]}"
        for source in ran
        if not source.locks
        for key in merge([Layer(source.origin, source.given or {})])[1]
        for lock in locked
        if key == lock or key.startswith(f"{lock}.") or lock.startswith(f"{key}.")
    )
    return Loaded(settings, origins, locked, overruled, tuple(files))


def _describe(err: Any, sources: dict[str, str], layers: dict[str, Layer]) -> str:
    path = [str(p) for p in err["loc"]]
    dotted = ".".join(path)
    origin = _origin_of(path, sources)
    layer = layers.get(origin) if origin else None
    if err["type"] == "extra_forbidden":
        return unknown_key_message(layer or Layer("settings", {}), dotted, _known_keys(path[:-1]))
    line = line_of(layer.text, path) if layer and layer.text else None
    where = f"{origin}:{line}" if origin and line else (origin or "settings")
    message = str(err["msg"]).removeprefix("Value error, ")
    shown = f" = {err['input']!r}" if "input" in err and not isinstance(err["input"], dict) else ""
    return f"{where}: {dotted}{shown}: {message}"


def _origin_of(path: list[str], sources: dict[str, str]) -> str | None:
    for end in range(len(path), 0, -1):
        if (origin := sources.get(".".join(path[:end]))) is not None:
            return origin
    prefix = ".".join(path) + "."
    return next((o for k, o in sources.items() if k.startswith(prefix)), None)


def _known_keys(path: list[str]) -> list[str]:
    model: type[BaseModel] | None = Settings
    for part in path:
        if part.isdigit() or model is None:
            continue
        info = next((f for n, f in model.model_fields.items() if part in (n, f.alias)), None)
        model = submodel(info.annotation) if info else None
    return known_keys(model) if model else []
