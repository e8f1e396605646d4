"""Notification adapters, one module each; ``ergo_daemon.backends`` picks one."""

from __future__ import annotations

from ergo_daemon import paths
from ergo_daemon.ports import Notice

APP_NAME = paths.APP  # the name notices are sent under
ABOUT_ITSELF_SECONDS = 45  # a notice about ergo-daemon itself stays as long as most reminders


def clamp(text: str, limit: int) -> str:
    """Shorten ``text`` to ``limit`` characters, ending with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def display_seconds(notice: Notice) -> int:
    """How long a notice stays on screen: long enough to read, never forever."""
    return notice.kind.on_screen if notice.kind is not None else ABOUT_ITSELF_SECONDS
