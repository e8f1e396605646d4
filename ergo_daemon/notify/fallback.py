"""A notifier that steps down to a fallback while its first choice is gone, then back."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ergo_daemon.ports import BackendGone, Notifier

if TYPE_CHECKING:
    from collections.abc import Callable

    from ergo_daemon.notify.answers import Answer
    from ergo_daemon.ports import Notice

log = logging.getLogger(__name__)


class FallbackNotifier(Notifier):
    """``FallbackNotifier(dbus, LogNotifier())``: says once when it switches, and once when back.

    Only BackendGone (no bus at all) switches; a missing server is an ordinary DeliveryError
    that the daemon retries.
    """

    def __init__(self, primary: Notifier, fallback: Notifier) -> None:
        self._primary = primary
        self._fallback = fallback
        self._down: str | None = None

    @property
    def down(self) -> str | None:
        """Why the first choice is not in use (None while it is), e.g. no session bus."""
        return self._down

    @property
    def name(self) -> str:
        return self._fallback.name if self._down else self._primary.name

    @property
    def allow(self) -> str:
        return self._primary.allow

    def check(self) -> str:
        """What the first choice says about itself (raises DeliveryError when it cannot work)."""
        return self._primary.check()

    def buttons(self) -> bool:
        return self._primary.buttons()

    def listen(self, handler: Callable[[Answer], None]) -> None:
        """Pass on the first choice's answers (buttons); the fallback has none."""
        self._primary.listen(handler)

    def send(self, notice: Notice) -> None:
        try:
            self._primary.send(notice)
        except BackendGone as exc:
            if self._down is None:
                log.warning(
                    "notifications: %s is gone (%s); using %s until it is back",
                    self._primary.name,
                    exc,
                    self._fallback.name,
                )
            self._down = str(exc)
            self._fallback.send(notice)
            return
        if self._down is not None:
            log.info("notifications: %s works again", self._primary.name)
            self._down = None

    def withdraw(self) -> None:
        if self._down is None:
            self._primary.withdraw()
