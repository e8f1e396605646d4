"""The composition root: build the running daemon from settings. Nothing else wires adapters."""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ergo_daemon import backends, fallback, paths
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
    on_change: Callable[[], None] = lambda: None,
    on_stop: Callable[[], None] = lambda: None,
    on_good_settings: Callable[[Settings, datetime], None] = lambda _settings, _now: None,
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
        on_change=on_change,
        on_stop=on_stop,
        on_good_settings=on_good_settings,
    )


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
    from ergo_daemon.stats.store import StatsStore

    scaled = time_scaled(loaded.settings, speed)
    wakeups = Wakeups(scaled.timing.sample_every.total_seconds(), local_zone(loaded.settings))
    good = paths.last_good_settings()
    listener = shared_listener(environ)
    notifier = backends.notifier(environ, listener=listener)
    daemon = build_daemon(
        loaded.settings,
        notifier,
        backends.activity_source(
            environ,
            idle_after=scaled.timing.away_after.total_seconds(),
            idle_timeout=backends.IDLE_TIMEOUT / speed,
            retry_after=RETRY_AFTER.total_seconds() / speed,
            listener=listener,
        ),
        rotation=paths.rotation_file(),  # a week without repeats, across restarts
        speed=speed,
        reloader=Reloader(load, loaded.files),
        recorder=StatsStore.open(paths.stats_database()),
        state_file=paths.state_file(),
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
