"""Settings to run on when the configuration is broken at start: a typo must not silence reminders.

Each clean load is saved as ``last-good-settings.json`` in the state folder. When the files are
broken at start, the daemon runs on that, or else on the layers that still validate, or else
on the built-in defaults, and says which in one notice and in ``status``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ergo_daemon.files import write_private_json
from ergo_daemon.settings.errors import ConfigError
from ergo_daemon.settings.layers import Loaded
from ergo_daemon.settings.models import Settings

log = logging.getLogger(__name__)

VERSION = 1
# The parts of the configuration that can be left out, in the order they are tried.
PARTS = ("your config file", "the ERGO_* environment", "the command line", "organisation files")


@dataclass(frozen=True)
class InUse:
    """Which settings run and why: ``InUse("last good", "the last good settings, saved ...")``.

    ``choice`` is one of ``configured``, ``last good``, ``valid layers``, ``built-in defaults``.
    """

    choice: str
    detail: str
    problem: str | None = None

    def as_json(self) -> dict[str, str | None]:
        return {"in_use": self.choice, "detail": self.detail, "problem": self.problem}


CONFIGURED = InUse("configured", "the configured settings")


def save(path: Path, settings: Settings, now: datetime) -> None:
    """Keep ``settings`` as the last good ones; a failure is logged, never raised."""
    body = {
        "v": VERSION,
        "saved_at": now.isoformat(timespec="seconds"),
        "settings": settings.model_dump(mode="json", by_alias=True),
    }
    try:
        write_private_json(path, body)
    except OSError as exc:
        log.warning("cannot save the settings as the last good ones in %s: %s", path, exc)


def load(path: Path) -> tuple[Settings, datetime] | None:
    """The last good settings and when they were saved; None if there are none usable."""
    from pydantic import ValidationError

    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        if body.get("v") != VERSION:
            return None
        return Settings.model_validate(body["settings"]), datetime.fromisoformat(body["saved_at"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError, AttributeError, ValidationError) as exc:
        log.warning("cannot use the last good settings in %s (%s)", path, exc)
        return None


def recover(
    error: ConfigError,
    saved: Path,
    load_without: Callable[[frozenset[str]], Loaded],
    files: Sequence[Path],
) -> tuple[Loaded, InUse]:
    """What to run on after ``error``: the saved settings, the valid layers, or the defaults.

    ``load_without(parts)`` loads the configuration leaving out some of ``PARTS``; ``files``
    are watched, so that fixing the broken one applies the whole configuration again.
    """
    problem = str(error)
    if (last := load(saved)) is not None:
        settings, saved_at = last
        detail = f"the last good settings, saved {saved_at:%Y-%m-%d %H:%M}"
        return Loaded(settings, files=tuple(files)), InUse("last good", detail, problem)
    # One part left out at a time first (the broken one), then more and more of them.
    for parts in [*(frozenset({part}) for part in PARTS), *(frozenset(PARTS[:n]) for n in (2, 3))]:
        try:
            loaded = load_without(parts)
        except ConfigError:
            continue
        left_out = ", ".join(part for part in PARTS if part in parts)
        detail = f"the settings that are valid, without {left_out}"
        return Loaded(loaded.settings, files=tuple(files)), InUse("valid layers", detail, problem)
    defaults = Loaded(Settings(), files=tuple(files))
    return defaults, InUse("built-in defaults", "the built-in defaults", problem)


def notice_text(in_use: InUse) -> str:
    """The one notice a broken configuration gets: the first problem, and what runs instead."""
    lines = (in_use.problem or "").splitlines() or ["unknown problem"]
    more = f" (and {len(lines) - 1} more: see 'ergo-daemon config show')" if len(lines) > 1 else ""
    return f"{lines[0]}{more}\nUntil it is fixed, reminders follow {in_use.detail}."
