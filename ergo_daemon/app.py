"""The composition root: build the running daemon from settings. Nothing else wires adapters."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from datetime import timedelta
from zoneinfo import ZoneInfo

from ergo_daemon import backends
from ergo_daemon.activity.null import UnknownActivity
from ergo_daemon.content.catalogue import load_catalogue
from ergo_daemon.content.compose import Composer
from ergo_daemon.daemon import Daemon
from ergo_daemon.policy import Policy, PolicyState
from ergo_daemon.reload import Reloader
from ergo_daemon.settings.layers import Loaded
from ergo_daemon.settings.models import Settings, time_scaled
from ergo_daemon.wakeup import Wakeups

RETRY_AFTER = timedelta(minutes=1)


def local_zone(settings: Settings) -> ZoneInfo:
    """The configured zone, or the system's (as an IANA zone, so DST is followed)."""
    if settings.work_hours.timezone:
        return ZoneInfo(settings.work_hours.timezone)
    import tzlocal

    return tzlocal.get_localzone()


def build(
    loaded: Loaded, *, speed: float, environ: Mapping[str, str], load: Callable[[], Loaded]
) -> tuple[Daemon, Wakeups]:
    """The daemon and its wake-up source; ``speed`` > 1 runs every interval that much faster.

    ``load`` reads the settings again when a watched file changes or on request.
    """
    rng = random.Random()

    def assemble(settings: Settings, state: PolicyState | None) -> tuple[Policy, Composer]:
        policy = Policy(time_scaled(settings, speed), local_zone(settings), state)
        return policy, Composer(settings, load_catalogue(settings.content), rng)

    from ergo_daemon.logs import state_dir
    from ergo_daemon.stats.store import StatsStore, default_path

    policy, composer = assemble(loaded.settings, None)
    daemon = Daemon(
        policy,
        composer,
        backends.notifier(environ),
        backends.activity_source(
            environ, idle_after=policy.settings.timing.away_after.total_seconds()
        ),
        fallback=UnknownActivity(),
        retry_after=RETRY_AFTER / speed,
        reloader=Reloader(load, loaded.files),
        rebuild=assemble,
        recorder=StatsStore.open(default_path()),
        state_file=state_dir() / "state.json",
        quiet=lambda s: backends.quiet_signals(s.quiet, local_zone(s), environ),
    )
    daemon.restore()
    fixed = [(r.weekdays, m) for r in policy.rules if r.trigger == "fixed" for m in r.at]
    longest = policy.settings.timing.sample_every.total_seconds()
    wakeups = Wakeups(daemon.tick, longest, policy.calendar.tz, fixed)
    daemon.activity.watch(wakeups.wake_now)
    daemon.on_change = wakeups.wake_now
    daemon.on_stop = wakeups.stop
    return daemon, wakeups
