"""The composition root: build the running daemon from settings. Nothing else wires adapters."""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Mapping
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ergo_daemon import backends, fallback, paths
from ergo_daemon.activity.null import UnknownActivity
from ergo_daemon.content.catalogue import load_catalogue
from ergo_daemon.content.compose import Composer
from ergo_daemon.daemon import Daemon
from ergo_daemon.fallback import CONFIGURED, InUse
from ergo_daemon.policy import Policy, PolicyState
from ergo_daemon.reload import Reloader
from ergo_daemon.screen import BreakScreen
from ergo_daemon.settings.layers import Loaded
from ergo_daemon.settings.models import Settings, time_scaled
from ergo_daemon.wakeup import Wakeups

if TYPE_CHECKING:
    from ergo_daemon.activity.bus import Listener

RETRY_AFTER = timedelta(minutes=1)


def local_zone(settings: Settings) -> ZoneInfo:
    """The configured zone, or the system's (as an IANA zone, so DST is followed)."""
    if settings.work_hours.timezone:
        return ZoneInfo(settings.work_hours.timezone)
    import tzlocal

    return tzlocal.get_localzone()


def shared_listener(environ: Mapping[str, str]) -> Listener | None:
    """One thread for every D-Bus signal (notices' buttons, idle, lock), when there is a bus."""
    if not environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return None
    from ergo_daemon.activity.bus import Listener

    return Listener()


def build(
    loaded: Loaded,
    *,
    speed: float,
    environ: Mapping[str, str],
    load: Callable[[], Loaded],
    in_use: InUse = CONFIGURED,
) -> tuple[Daemon, Wakeups]:
    """The daemon and its wake-ups (``wakeups.run(daemon.tick)``); ``speed`` > 1 runs faster.

    ``load`` reads the settings again when a watched file changes or on request. ``in_use``
    says when ``loaded`` stands in for a broken configuration (see ``ergo_daemon.fallback``).
    """
    from ergo_daemon.content.rotation import RotationFile
    from ergo_daemon.stats.store import StatsStore

    rng = random.Random()
    rotation_file = paths.rotation_file()

    def assemble(settings: Settings, state: PolicyState | None) -> tuple[Policy, Composer]:
        policy = Policy(time_scaled(settings, speed), local_zone(settings), state)
        catalogue = load_catalogue(settings.content)
        return policy, Composer(settings, catalogue, rng, RotationFile(rotation_file))

    policy, composer = assemble(loaded.settings, None)
    fixed = [at for r in policy.rules for at in r.trigger.set_times()]
    longest = policy.settings.timing.sample_every.total_seconds()
    wakeups = Wakeups(longest, policy.calendar.tz, fixed)
    good = paths.last_good_settings()
    listener = shared_listener(environ)
    notifier = backends.notifier(environ, listener=listener)
    daemon = Daemon(
        policy,
        composer,
        notifier,
        backends.activity_source(
            environ,
            idle_after=policy.settings.timing.away_after.total_seconds(),
            idle_timeout=backends.IDLE_TIMEOUT / speed,
            retry_after=RETRY_AFTER.total_seconds() / speed,
            listener=listener,
        ),
        fallback=UnknownActivity(),
        retry_after=RETRY_AFTER / speed,
        reloader=Reloader(load, loaded.files),
        rebuild=assemble,
        recorder=StatsStore.open(paths.stats_database()),
        state_file=paths.state_file(),
        speed=speed,
        screen=BreakScreen(sys.executable),
        quiet=lambda s: backends.quiet_signals(s.quiet, local_zone(s), environ),
        on_change=wakeups.wake_now,
        on_stop=wakeups.stop,
        on_good_settings=partial(fallback.save, good),
    )
    daemon.restore()
    notifier.listen(daemon.answer)  # the buttons pressed, where notices carry them
    if in_use.problem is None:
        fallback.save(good, loaded.settings, daemon.now())
    else:
        daemon.config_failed(in_use, daemon.now())
    daemon.activity.watch(wakeups.wake_now)
    return daemon, wakeups
