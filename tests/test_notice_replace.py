"""No pile-up on a real notification server (dunst): each reminder replaces the last one."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime

from support.desktop import Desktop

from ergo_daemon.notify.fallback import FallbackNotifier, withdraw
from ergo_daemon.notify.freedesktop import FreedesktopNotifier
from ergo_daemon.notify.log import LogNotifier
from ergo_daemon.ports import Notice

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _displayed(desktop: Desktop) -> int:
    argv = ["dunstctl", "count", "displayed"]
    return int(subprocess.run(argv, env=desktop.env, capture_output=True, text=True).stdout)


def _notice(kind: str, title: str) -> Notice:
    return Notice(kind, title, "message", NOW)


def test_each_reminder_replaces_the_last_and_a_stale_one_is_closed(desktop: Desktop) -> None:
    notifier = FreedesktopNotifier(desktop.env["DBUS_SESSION_BUS_ADDRESS"])
    for title in ("Rest your eyes", "Stand up", "Drink water"):
        notifier.send(_notice("eyes", title))
    desktop.wait_for_notifications(lambda ns: len(ns) == 3)
    assert _displayed(desktop) == 1, "three reminders stacked up"
    notifier.send(_notice("config", "ergo-daemon: configuration error"))
    desktop.wait_for_notifications(lambda ns: len(ns) == 4)
    assert _displayed(desktop) == 2, "a configuration error does not replace a reminder"
    withdraw(FallbackNotifier(notifier, LogNotifier("gone")))
    assert _displayed(desktop) == 1, "the stale reminder is still on screen"
    withdraw(notifier)  # nothing left to close: no error
    notifier.close()


def test_a_notifier_that_cannot_close_notices_is_left_alone() -> None:
    withdraw(LogNotifier("no server"))
