"""The shipped presets (TOML files with an ``[about]`` table and settings to apply), and the
source that applies the one a higher layer chose with ``preset = ...``."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic_settings import BaseSettings

from ergo_daemon.settings.errors import ConfigError
from ergo_daemon.settings.sources import Layer, LayerSource, read_toml


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    layer: Layer


def presets_dir() -> Path:
    """Where the shipped presets are: package data in a wheel, ``config/presets`` in a checkout."""
    packaged = Path(str(resources.files("ergo_daemon"))) / "presets"
    return packaged if packaged.is_dir() else Path(__file__).parents[2] / "config" / "presets"


def shipped_presets() -> list[Preset]:
    """All shipped presets, by name."""
    return [load_preset(path.stem) for path in sorted(presets_dir().glob("*.toml"))]


def load_preset(name_or_path: str) -> Preset:
    """Load ``"office"`` (a shipped preset) or ``"/etc/acme/preset.toml"`` (a file)."""
    candidate = Path(name_or_path).expanduser()
    shipped = presets_dir() / f"{name_or_path}.toml"
    if shipped.is_file() and "/" not in name_or_path:
        path, origin = shipped, f"preset {name_or_path} ({shipped})"
    elif candidate.suffix == ".toml" and candidate.is_file():
        path, origin = candidate, f"preset {candidate}"
    else:
        names = ", ".join(p.stem for p in sorted(presets_dir().glob("*.toml")))
        raise ConfigError(
            f"unknown preset {name_or_path!r}: choose one of {names}, or a .toml path"
        )
    layer = read_toml(path, origin=origin)
    data = dict(layer.data)
    about = data.pop("about", {})
    description = about.get("description", "") if isinstance(about, dict) else ""
    return Preset(path.stem, str(description), Layer(origin, data, layer.text))


def preset_layer(chosen: object, origin: str) -> Layer:
    """The preset chosen by ``preset = ...`` in ``origin``; errors say where it was chosen."""
    if not isinstance(chosen, str):
        raise ConfigError(f"{origin}: preset must be a name or a path, not {chosen!r}")
    try:
        return load_preset(chosen).layer
    except ConfigError as exc:
        raise ConfigError(f"{origin}: {exc}") from None


class PresetSource(LayerSource):
    """The preset the layers above chose: runs after them and reads what they set."""

    place = "preset"

    def __init__(self, settings_cls: type[BaseSettings]):
        super().__init__(settings_cls, Layer("preset", {}))

    def __call__(self) -> dict[str, Any]:
        chosen = self.current_state.get("preset")
        if chosen is not None:
            chooser = next(
                name for name, data in self.settings_sources_data.items() if "preset" in data
            )
            self.layer = preset_layer(chosen, chooser)
        return super().__call__()
