"""A notifier that cannot close notices is left alone by the replacing."""

from __future__ import annotations

from ergo_daemon.notify.log import LogNotifier


def test_a_notifier_that_cannot_close_notices_is_left_alone() -> None:
    LogNotifier("no server").withdraw()
