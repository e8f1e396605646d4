"""macOS managed preferences (configuration profiles from MDM): every key there is forced.

A profile for the domain ``org.ergo-daemon`` lands in ``/Library/Managed Preferences/``
(machine-wide) or ``/Library/Managed Preferences/<user>/``; its keys mirror config.toml's tables.
"""

from __future__ import annotations

import logging
import plistlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ergo_daemon.paths import APP
from ergo_daemon.settings.errors import ConfigError
from ergo_daemon.settings.organisation import Place, posix_untrusted
from ergo_daemon.settings.sources import Layer

log = logging.getLogger(__name__)
DOMAIN = f"org.{APP}"
MANAGED = Path("/Library/Managed Preferences")


def managed_paths(user: str, root: Path = MANAGED) -> tuple[Path, ...]:
    """Machine-wide first, then the user's own (which wins)."""
    return (root / f"{DOMAIN}.plist", root / user / f"{DOMAIN}.plist")


@dataclass(frozen=True)
class ManagedPreferences:
    paths: tuple[Path, ...]
    untrusted: Callable[[Path], str | None] = posix_untrusted

    def layers(self) -> list[Layer]:
        layers = []
        for path in self.paths:
            if not path.is_file():
                continue
            if (problem := self.untrusted(path)) is not None:
                log.warning("ignoring %s: %s", path, problem)
                continue
            try:
                data = plistlib.loads(path.read_bytes())
            except (OSError, plistlib.InvalidFileException, ValueError) as exc:
                raise ConfigError(f"{path}: not a readable property list: {exc}") from None
            if not isinstance(data, dict):
                raise ConfigError(f"{path}: expected a dictionary at the top level")
            layers.append(Layer(f"policy managed preferences {path}", data, locks=True))
        return layers

    def places(self) -> list[Place]:
        return [
            Place("policy (managed preferences)", str(p), p.is_file(), file=p) for p in self.paths
        ]
