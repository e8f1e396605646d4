"""Assemble the layers for a run: defaults < preset < user file < environment."""

from __future__ import annotations

from collections.abc import Mapping
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
from ergo_daemon.settings.presets import load_preset

APP_NAME = "ergo-daemon"


def user_config_path() -> Path:
    """``~/.config/ergo-daemon/config.toml`` on Linux; the platform's equivalent elsewhere."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def load_settings(
    *,
    environ: Mapping[str, str],
    config_path: Path | None = None,
    preset: str | None = None,
) -> Loaded:
    """Load the effective settings; ``preset`` (a flag) beats ``preset =`` in files and env.

    An explicit ``config_path`` (or ``ERGO_CONFIG``) must exist; the default user file may not.
    """
    explicit = config_path or (Path(environ["ERGO_CONFIG"]) if environ.get("ERGO_CONFIG") else None)
    path = explicit or user_config_path()
    if explicit is not None and not explicit.is_file():
        raise ConfigError(f"{explicit}: no such config file")
    layers: list[Layer] = [read_toml(path)] if path.is_file() else []
    layers.append(environment_layer(environ))
    if preset is not None:
        layers.append(Layer("flag --preset", {"preset": preset}))
    chosen = merge(layers)[0].get("preset")
    if chosen is not None:
        if not isinstance(chosen, str):
            raise ConfigError(f"preset must be a name or a path, not {chosen!r}")
        layers.insert(0, load_preset(chosen).layer)
    return validate(layers)
