"""Merge settings layers, later wins; say who set each key; locked layers cannot be overridden."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ergo_daemon.settings.errors import ConfigError
from ergo_daemon.settings.models import Settings

__all__ = ["ConfigError", "Layer", "Loaded", "flatten", "merge", "read_toml", "validate"]

MAX_FILE_BYTES = 1_000_000
ENVIRONMENT = "environment (ERGO_*)"
ENV_PREFIX, ENV_DELIMITER = "ergo_", "__"  # ERGO_EYES__EVERY sets eyes.every
# Variables with the prefix that are not settings: where to read the config, and test switches.
IGNORED_VARIABLES = frozenset({"ergo_config", "ergo_test_require_desktop"})


@dataclass(frozen=True)
class Layer:
    """One source of settings: ``origin`` names it for people (a path, ``environment``, ...)."""

    origin: str
    data: Mapping[str, Any]
    text: str | None = None
    locks: bool = False  # an organisation policy: what it sets, nothing else may change


@dataclass(frozen=True)
class Loaded:
    """The effective settings, who set each dotted key, what is locked, what was overruled."""

    settings: Settings
    sources: dict[str, str] = field(default_factory=dict)
    locked: frozenset[str] = frozenset()
    overruled: tuple[str, ...] = ()
    files: tuple[Path, ...] = ()


def read_toml(path: Path, *, origin: str | None = None) -> Layer:
    """Read one TOML file; every failure becomes a ConfigError naming the file (and line)."""
    name = origin or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ConfigError(f"{name}: {len(raw)} bytes is too large for a config file (max 1 MB)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{name}: not UTF-8 text (byte {exc.start}); is this a TOML file?"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = re.sub(r"\s*\(at line (\d+), column (\d+)\)", "", str(exc))
        where = re.search(r"line (\d+), column (\d+)", str(exc))
        at = f":{where[1]}:{where[2]}" if where else ""
        raise ConfigError(f"{name}{at}: TOML syntax error: {message}") from None
    return Layer(name, data, text)


def environment_layer(environ: Mapping[str, str]) -> Layer:
    """The ``ERGO_*`` variables: ``ERGO_EYES__EVERY=25m`` sets ``eyes.every``.

    A typo is reported as an unknown key, never silently ignored. A value starting with ``[`` or
    ``{`` is JSON (for lists such as ``custom``).
    """
    data: dict[str, Any] = {}
    for name, value in sorted(environ.items()):
        if not name.lower().startswith(ENV_PREFIX) or name.lower() in IGNORED_VARIABLES:
            continue
        *parents, leaf = name[len(ENV_PREFIX) :].lower().split(ENV_DELIMITER)
        target = data
        for part in parents:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                raise ConfigError(f"environment: {name} conflicts with another ERGO_ variable")
        try:
            target[leaf] = json.loads(value) if value.lstrip()[:1] in ("[", "{") else value
        except json.JSONDecodeError as exc:
            raise ConfigError(f"environment: {name} is not valid JSON: {exc}") from None
    return Layer(ENVIRONMENT, data)


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
    """Merge and validate; a bad value is reported with its layer, line, key and what is allowed.

    Locking layers are applied last whatever their place in ``layers``; an attempt by any other
    layer to set a locked key is reported in ``overruled``.
    """
    ordered = sorted(layers, key=lambda layer: layer.locks)
    data, sources = merge(ordered)
    locked = frozenset(merge([layer for layer in layers if layer.locks])[1])
    overruled = tuple(
        f"{key} from {origin} is ignored: locked by {sources[lock]}"
        for layer in ordered
        if not layer.locks
        for key, origin in merge([layer])[1].items()
        for lock in locked
        if key == lock or key.startswith(f"{lock}.") or lock.startswith(f"{key}.")
    )
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        by_origin = {layer.origin: layer for layer in layers}
        problems = [_describe(err, sources, by_origin) for err in exc.errors()]
        raise ConfigError("\n".join(problems)) from None
    return Loaded(settings, sources, locked, overruled, tuple(files))


def _describe(err: Any, sources: dict[str, str], layers: dict[str, Layer]) -> str:
    path = [str(p) for p in err["loc"]]
    dotted = ".".join(path)
    origin = _origin_of(path, sources)
    layer = layers.get(origin) if origin else None
    line = _line_of(layer.text, path) if layer and layer.text else None
    where = f"{origin}:{line}" if origin and line else (origin or "settings")
    if err["type"] == "extra_forbidden":
        import difflib  # only when a key is wrong; the daemon otherwise never needs it

        known = _known_keys(path[:-1])
        hint = difflib.get_close_matches(path[-1], known, n=1)
        suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
        return f"{where}: unknown key '{dotted}'{suggestion} (allowed here: {', '.join(known)})"
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
    model: type[BaseModel] = Settings
    for part in path:
        if part.isdigit():
            continue
        info = next((f for n, f in model.model_fields.items() if part in (n, f.alias)), None)
        annotation = getattr(info, "annotation", None)
        inner = getattr(annotation, "__args__", (annotation,))[0]
        candidate = inner if isinstance(inner, type) else annotation
        if not (isinstance(candidate, type) and issubclass(candidate, BaseModel)):
            return []
        model = candidate
    return [f.alias or n for n, f in model.model_fields.items()]


def _line_of(text: str, path: list[str]) -> int | None:
    """Best-effort line of a dotted key in TOML text: the key inside its [table], or the table."""
    keys = [p for p in path if not p.isdigit()]
    table: list[str] = []
    table_line: int | None = None
    fallback: int | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        header = re.fullmatch(r"\[\[?\s*([^\]]+?)\s*\]?\]", line)
        if header:
            table = [p.strip().strip('"') for p in header[1].split(".")]
            if table == keys[: len(table)]:
                table_line = number
            continue
        key = re.match(r'"?([A-Za-z0-9_-]+)"?\s*=', line)
        if key and [*table, key[1]] == keys[: len(table) + 1]:
            if len(table) + 1 == len(keys):
                return number
            fallback = fallback or number
    return fallback or table_line
