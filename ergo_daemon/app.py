"""The composition root: build the running daemon from settings. Nothing else wires adapters."""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ergo_daemon import backends, fallback
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
    """The daemon and its wake-up source; ``speed`` > 1 runs every interval that much faster.

    ``load`` reads the settings again when a watched file changes or on request. ``in_use``
    says when ``loaded`` stands in for a broken configuration (see ``ergo_daemon.fallback``).
    """
    from ergo_daemon.content.rotation import RotationFile
    from ergo_daemon.logs import state_dir
    from ergo_daemon.stats.store import StatsStore, default_path

    rng = random.Random()
    rotation_file = state_dir() / "rotation.json"  # a week without repeats, across restarts

    def assemble(settings: Settings, state: PolicyState | None) -> tuple[Policy, Composer]:
        policy = Policy(time_scaled(settings, speed), local_zone(settings), state)
        catalogue = load_catalogue(settings.content)
        return policy, Composer(settings, catalogue, rng, RotationFile(rotation_file))

    policy, composer = assemble(loaded.settings, None)
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
        recorder=StatsStore.open(default_path()),
        state_file=state_dir() / "state.json",
        speed=speed,
        screen=BreakScreen(sys.executable),
        quiet=lambda s: backends.quiet_signals(s.quiet, local_zone(s), environ),
    )
    daemon.restore()
    listen = getattr(notifier, "listen", None)  # notifiers whose notices carry buttons
    if listen is not None:
        listen(daemon.answer)
    good = state_dir() / fallback.FILE_NAME
    daemon.on_good_settings = lambda settings: fallback.save(good, settings, daemon.now())
    if in_use.problem is None:
        daemon.on_good_settings(loaded.settings)
    else:
        daemon.config_failed(in_use, daemon.now())
    fixed = [at for r in policy.rules for at in r.trigger.set_times()]
    longest = policy.settings.timing.sample_every.total_seconds()
    wakeups = Wakeups(daemon.tick, longest, policy.calendar.tz, fixed)
    daemon.activity.watch(wakeups.wake_now)
    daemon.on_change = wakeups.wake_now
    daemon.on_stop = wakeups.stop
    return daemon, wakeups
