"""No pile-up on a real notification server (dunst): each reminder replaces the last one."""

from __future__ import annotations

import random
import subprocess
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from support.clocks import FakeClock
from support.desktop import Desktop
from support.recorders import Stats

from ergo_daemon.activity.null import UnknownActivity
from ergo_daemon.content.catalogue import load_catalogue
from ergo_daemon.content.compose import Composer
from ergo_daemon.daemon import Daemon
from ergo_daemon.fallback import InUse
from ergo_daemon.kinds import EYES
from ergo_daemon.notify.fallback import FallbackNotifier
from ergo_daemon.notify.freedesktop import FreedesktopNotifier
from ergo_daemon.notify.log import LogNotifier
from ergo_daemon.policy import Policy
from ergo_daemon.ports import Notice
from ergo_daemon.settings.models import Settings

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _displayed(desktop: Desktop) -> int:
    argv = ["dunstctl", "count", "displayed"]
    return int(subprocess.run(argv, env=desktop.env, capture_output=True, text=True).stdout)


def _notice(title: str) -> Notice:
    return Notice(EYES, title, "message", NOW)


def test_each_reminder_replaces_the_last_and_a_stale_one_is_closed(desktop: Desktop) -> None:
    notifier = FreedesktopNotifier(desktop.env["DBUS_SESSION_BUS_ADDRESS"])
    for title in ("Rest your eyes", "Stand up", "Drink water"):
        notifier.send(_notice(title))
    desktop.wait_for_notifications(lambda ns: len(ns) == 3)
    assert _displayed(desktop) == 1, "three reminders stacked up"
    notifier.send(Notice.about_itself("config", "ergo-daemon: configuration error", "m", NOW))
    desktop.wait_for_notifications(lambda ns: len(ns) == 4)
    assert _displayed(desktop) == 2, "a configuration error does not replace a reminder"
    FallbackNotifier(notifier, LogNotifier("gone")).withdraw()
    assert _displayed(desktop) == 1, "the stale reminder is still on screen"
    notifier.withdraw()  # nothing left to close: no error
    notifier.close()


def test_a_reminder_of_your_own_named_config_is_a_reminder_beside_a_configuration_error(
    desktop: Desktop,
) -> None:
    off = {"enabled": False}
    board = {"name": "config", "title": "Check the build board", "every": "5m"}
    settings = Settings.model_validate(
        {
            "work_hours": {"days": "mon-sun", "hours": ["00:00-24:00"]},
            **{kind: off for kind in ("eyes", "stretch", "break", "hydration", "posture")},
            "custom": [board],
        }
    )
    clock, stats = FakeClock(), Stats()
    notifier = FreedesktopNotifier(desktop.env["DBUS_SESSION_BUS_ADDRESS"])
    daemon = Daemon(
        Policy(settings, ZoneInfo("UTC")),
        Composer(settings, load_catalogue(), random.Random(0)),
        notifier,
        UnknownActivity(),
        fallback=UnknownActivity(),
        retry_after=timedelta(minutes=1),
        clock=clock,
        recorder=stats,
    )
    problem = InUse("last good", "the last good settings", "config.toml:3: eyes.every = 'x'")
    daemon.config_failed(problem, daemon.now())
    daemon.tick()
    for _ in range(21):  # five minutes of clock time: the reminder falls due
        clock.advance(15)
        daemon.tick()
    shown = desktop.wait_for_notifications(lambda ns: len(ns) == 2)
    assert [n.summary for n in shown] == [
        "ergo-daemon: configuration error",
        "Check the build board",
    ]
    assert _displayed(desktop) == 2, "the reminder took the configuration error's place"
    assert stats.prompts == [("config", "shown")], "a reminder like any other, counted"
    notifier.close()
