"""Plan the sources for a run, lowest first: built-in defaults < preset < organisation
defaults < user file < ``ERGO_*`` environment < command-line flags < organisation policy.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from ergo_daemon import paths
from ergo_daemon.settings.layers import ConfigError, Layer, Loaded, build
from ergo_daemon.settings.models import Settings
from ergo_daemon.settings.organisation import OrganisationStore
from ergo_daemon.settings.presets import PresetSource, preset_layer
from ergo_daemon.settings.sources import (
    EnvironmentSource,
    FlagsSource,
    Layered,
    OrganisationDefaultsSource,
    PolicySource,
    UserFileSource,
)

__all__ = ["config_file", "flag_layer", "load_settings", "preset_layer"]


def config_file(environ: Mapping[str, str], config_path: Path | None) -> tuple[Path, bool]:
    """The user's config file and whether it was named explicitly (``--config``/``ERGO_CONFIG``)."""
    explicit = config_path or (Path(environ["ERGO_CONFIG"]) if environ.get("ERGO_CONFIG") else None)
    return (explicit, True) if explicit is not None else (paths.config_file(), False)


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
    flags = flag_layer(overrides)
    if preset is not None:
        flags = Layer(flags.origin, {**flags.data, "preset": preset})
    sources: list[Layered] = [
        (PolicySource if layer.locks else OrganisationDefaultsSource)(Settings, layer)
        for store in stores
        for layer in store.layers()
    ]
    if path.is_file():
        sources.append(UserFileSource(Settings, path))
    sources += [
        EnvironmentSource(Settings, environ),
        FlagsSource(Settings, flags),
        PresetSource(Settings),
    ]
    watched = [path, *(p.file for store in stores for p in store.places() if p.file)]
    return build(sources, files=watched)
