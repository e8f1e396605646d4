"""The fallback notifier: writes notices to the log when no desktop backend works."""

from __future__ import annotations

import logging

from ergo_daemon.notify.answers import typed_hint
from ergo_daemon.ports import DeliveryError, Notice, Notifier

log = logging.getLogger(__name__)


class LogNotifier(Notifier):
    """``LogNotifier("no session bus")``: the reason is what ``check`` and ``down`` report."""

    name = "log only"

    def __init__(self, reason: str = "no desktop notification backend") -> None:
        self.reason = reason

    @property
    def down(self) -> str:
        return self.reason  # it stands in: nothing it is given reaches a screen

    def check(self) -> str:
        raise DeliveryError(self.reason)

    def send(self, notice: Notice) -> None:
        hint = typed_hint(notice)  # no buttons in a log: the command to type, as elsewhere
        said = f"{notice.message} ({hint})" if hint else notice.message
        log.warning("reminder (no desktop notifications): %s: %s", notice.title, said)
