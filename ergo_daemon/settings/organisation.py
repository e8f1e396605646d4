"""Settings an organisation deploys: defaults people may change, and a policy they may not.

Each store reads from fixed machine-wide places that no environment variable can redirect.
``ergo_daemon.backends.organisation_stores`` picks the stores for the platform.
"""

from __future__ import annotations

import logging
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ergo_daemon.settings.sources import Layer, read_toml

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Place:
    """A place settings are read from, for ``config paths``."""

    what: str
    where: str
    exists: bool
    note: str = ""
    file: Path | None = None  # set for file-backed places, which a running daemon watches


class OrganisationStore(Protocol):
    def layers(self) -> list[Layer]:
        """Organisation defaults (``locks=False``) and policy (``locks=True``) found here."""
        ...

    def places(self) -> list[Place]: ...


def posix_untrusted(path: Path) -> str | None:
    """Why ``path`` cannot hold policy (None if it can): it and its folder must be root's alone."""
    for checked in (path, path.parent):
        info = checked.stat()
        if info.st_uid != 0:
            return f"{checked} is not owned by root"
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            return f"{checked} is writable by other users"
    return None


@dataclass(frozen=True)
class OrganisationFiles:
    """``defaults.toml`` and ``policy.toml`` in a machine-wide folder, e.g. /etc/ergo-daemon."""

    folder: Path
    untrusted: Callable[[Path], str | None] = posix_untrusted

    def layers(self) -> list[Layer]:
        layers: list[Layer] = []
        for name, locks in (("defaults.toml", False), ("policy.toml", True)):
            path = self.folder / name
            if not path.is_file():
                continue
            problem = self.untrusted(path)
            if problem is not None:
                log.warning("ignoring %s: %s (a file users can change is no policy)", path, problem)
                continue
            layer = read_toml(
                path, origin=f"{'policy' if locks else 'organisation defaults'} {path}"
            )
            layers.append(Layer(layer.origin, layer.data, layer.text, locks=locks))
        return layers

    def places(self) -> list[Place]:
        places = []
        for name, what in (("defaults.toml", "organisation defaults"), ("policy.toml", "policy")):
            path = self.folder / name
            note = ""
            if path.is_file() and (problem := self.untrusted(path)) is not None:
                note = f"ignored: {problem}"
            places.append(Place(what, str(path), path.is_file(), note, path))
        return places


# SYSTEM, Administrators, TrustedInstaller: the owners a Windows machine-wide file may have.
WINDOWS_TRUSTED_OWNERS = frozenset(
    {
        "S-1-5-18",
        "S-1-5-32-544",
        "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464",
    }
)


def windows_untrusted(path: Path, owner_sid: Callable[[Path], str]) -> str | None:
    """Users may create files in %ProgramData%: only files owned by administrators count."""
    owner = owner_sid(path)
    return (
        None
        if owner in WINDOWS_TRUSTED_OWNERS
        else f"{path} is owned by {owner}, not an administrator"
    )
