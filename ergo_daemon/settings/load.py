"""Assemble the layers for a run, lowest first: built-in defaults < preset < organisation
defaults < user file < ``ERGO_*`` environment < command-line flags < organisation policy.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import platformdirs

from ergo_daemon.settings.layers import (
    ConfigError,
    Layer,
    Loaded,
    environment_layer,
    merge,
    read_toml,
    validate,
)
from ergo_daemon.settings.organisation import OrganisationStore
from ergo_daemon.settings.presets import load_preset

APP_NAME = "ergo-daemon"


def user_config_path() -> Path:
    """``~/.config/ergo-daemon/config.toml`` on Linux; the platform's equivalent elsewhere."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def config_file(environ: Mapping[str, str], config_path: Path | None) -> tuple[Path, bool]:
    """The user's config file and whether it was named explicitly (``--config``/``ERGO_CONFIG``)."""
    explicit = config_path or (Path(environ["ERGO_CONFIG"]) if environ.get("ERGO_CONFIG") else None)
    return (explicit, True) if explicit is not None else (user_config_path(), False)


def flag_layer(assignments: Sequence[str]) -> Layer:
    """``--set eyes.every=25m`` flags as a layer; a value starting with ``[`` or ``{`` is JSON."""
    data: dict[str, object] = {}
    for assignment in assignments:
        key, sep, value = assignment.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set {assignment!r}: expected KEY=VALUE, e.g. eyes.every=25m")
        *parents, leaf = key.strip().split(".")
        node = data
        for part in parents:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ConfigError(f"--set {assignment!r}: {part} is already a value")
            node = child
        try:
            node[leaf] = json.loads(value) if value.lstrip()[:1] in ("[", "{") else value
        except json.JSONDecodeError as exc:
            raise ConfigError(f"--set {assignment!r}: not valid JSON: {exc}") from None
    return Layer("command line", data)


def preset_layer(chosen: object, origin: str) -> Layer:
    """The preset chosen by ``preset = ...`` in ``origin``; errors say where it was chosen."""
    if not isinstance(chosen, str):
        raise ConfigError(f"{origin}: preset must be a name or a path, not {chosen!r}")
    try:
        return load_preset(chosen).layer
    except ConfigError as exc:
        raise ConfigError(f"{origin}: {exc}") from None


def load_settings(
    *,
    environ: Mapping[str, str],
    config_path: Path | None = None,
    preset: str | None = None,
    overrides: Sequence[str] = (),
    stores: Sequence[OrganisationStore] = (),
) -> Loaded:
    """Load the effective settings. An explicit config file must exist; the default one may not."""
    path, explicit = config_file(environ, config_path)
    if explicit and not path.is_file():
        raise ConfigError(f"{path}: no such config file")
    organisation = [layer for store in stores for layer in store.layers()]
    layers = [layer for layer in organisation if not layer.locks]
    if path.is_file():
        layers.append(read_toml(path))
    layers.append(environment_layer(environ))
    flags = flag_layer(overrides)
    if preset is not None:
        flags = Layer(flags.origin, {**flags.data, "preset": preset})
    layers.append(flags)
    layers.extend(layer for layer in organisation if layer.locks)
    data, sources = merge(sorted(layers, key=lambda layer: layer.locks))
    if data.get("preset") is not None:
        layers.insert(0, preset_layer(data["preset"], sources["preset"]))
    watched = [path, *(p.file for store in stores for p in store.places() if p.file)]
    return validate(layers, files=watched)
