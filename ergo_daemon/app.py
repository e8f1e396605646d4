"""The composition root: build the running daemon from settings. Nothing else wires adapters."""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ergo_daemon import backends, fallback
from ergo_daemon.activity.null import UnknownActivity
from ergo_daemon.clock import Instant, read_clocks
from ergo_daemon.content.catalogue import load_catalogue
from ergo_daemon.content.compose import Composer
from ergo_daemon.daemon import Daemon, QuietFactory
from ergo_daemon.fallback import CONFIGURED, InUse
from ergo_daemon.policy import Policy, PolicyState
from ergo_daemon.reload import Reloader
from ergo_daemon.screen import BreakScreen
from ergo_daemon.settings.layers import Loaded
from ergo_daemon.settings.models import Settings, time_scaled
from ergo_daemon.wakeup import Wakeups

if TYPE_CHECKING:
    from ergo_daemon.activity.bus import Listener
    from ergo_daemon.ports import ActivitySource, Notifier, Recorder

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


def build_daemon(
    settings: Settings,
    notifier: Notifier,
    activity: ActivitySource,
    *,
    fallback: ActivitySource | None = None,
    clock: Callable[[], Instant] = read_clocks,
    zone: Callable[[Settings], ZoneInfo] = local_zone,
    rng: random.Random | None = None,
    rotation: Path | None = None,
    speed: float = 1.0,
    reloader: Reloader | None = None,
    recorder: Recorder | None = None,
    state_file: Path | None = None,
    screen: BreakScreen | None = None,
    quiet: QuietFactory | None = None,
) -> Daemon:
    """The daemon on the adapters handed in; a reload's settings are assembled the same way.

    ``rotation`` is the file that keeps a week without repeats; ``fallback`` reads activity
    while ``activity`` fails (by default: nobody can tell, so clock time counts).
    """
    shuffle = random.Random() if rng is None else rng

    def assemble(settings: Settings, state: PolicyState | None) -> tuple[Policy, Composer]:
        from ergo_daemon.content.rotation import RotationFile

        policy = Policy(time_scaled(settings, speed), zone(settings), state)
        catalogue = load_catalogue(settings.content)
        decks = None if rotation is None else RotationFile(rotation)
        return policy, Composer(settings, catalogue, shuffle, decks)

    policy, composer = assemble(settings, None)
    return Daemon(
        policy,
        composer,
        notifier,
        activity,
        fallback=UnknownActivity() if fallback is None else fallback,
        retry_after=RETRY_AFTER / speed,
        clock=clock,
        reloader=reloader,
        rebuild=assemble,
        recorder=recorder,
        state_file=state_file,
        speed=speed,
        screen=screen,
        quiet=quiet,
    )


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
    from ergo_daemon.logs import state_dir
    from ergo_daemon.stats.store import StatsStore, default_path

    listener = shared_listener(environ)
    notifier = backends.notifier(environ, listener=listener)
    daemon = build_daemon(
        loaded.settings,
        notifier,
        backends.activity_source(
            environ,
            idle_after=loaded.settings.timing.away_after.total_seconds() / speed,
            idle_timeout=backends.IDLE_TIMEOUT / speed,
            retry_after=RETRY_AFTER.total_seconds() / speed,
            listener=listener,
        ),
        rotation=state_dir() / "rotation.json",  # a week without repeats, across restarts
        speed=speed,
        reloader=Reloader(load, loaded.files),
        recorder=StatsStore.open(default_path()),
        state_file=state_dir() / "state.json",
        screen=BreakScreen(sys.executable),
        quiet=lambda s: backends.quiet_signals(s.quiet, local_zone(s), environ),
    )
    policy = daemon.policy
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
    fixed = [(r.weekdays, m) for r in policy.rules if r.trigger == "fixed" for m in r.at]
    longest = policy.settings.timing.sample_every.total_seconds()
    wakeups = Wakeups(daemon.tick, longest, policy.calendar.tz, fixed)
    daemon.activity.watch(wakeups.wake_now)
    daemon.on_change = wakeups.wake_now
    daemon.on_stop = wakeups.stop
    return daemon, wakeups
