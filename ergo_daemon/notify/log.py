"""The fallback notifier: writes notices to the log when no desktop backend works."""

from __future__ import annotations

import logging

from ergo_daemon.ports import DeliveryError, Notice

log = logging.getLogger(__name__)


class LogNotifier:
    """``LogNotifier("no session bus")``: the reason is what ``check`` reports."""

    name = "log only"

    def __init__(self, reason: str = "no desktop notification backend") -> None:
        self.reason = reason

    def check(self) -> str:
        raise DeliveryError(self.reason)

    def send(self, notice: Notice) -> None:
        log.warning("reminder (no desktop notifications): %s: %s", notice.title, notice.message)
