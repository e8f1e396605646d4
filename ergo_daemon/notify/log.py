"""The fallback notifier: writes notices to the log when no desktop backend works."""

from __future__ import annotations

import logging

from ergo_daemon.content.compose import Notice

log = logging.getLogger(__name__)


class LogNotifier:
    name = "log only"

    def send(self, notice: Notice) -> None:
        log.warning("reminder (no desktop notifications): %s: %s", notice.title, notice.message)
