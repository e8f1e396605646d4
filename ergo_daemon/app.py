"""The composition root: build the running daemon from settings. Nothing else wires adapters."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import timedelta
from zoneinfo import ZoneInfo

from ergo_daemon import backends
from ergo_daemon.activity.null import UnknownActivity
from ergo_daemon.content.catalogue import load_catalogue
from ergo_daemon.content.compose import Composer
from ergo_daemon.daemon import Daemon
from ergo_daemon.policy import Policy
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
    settings: Settings, *, speed: float, environ: Mapping[str, str]
) -> tuple[Daemon, Wakeups]:
    """The daemon and its wake-up source; ``speed`` > 1 runs every interval that much faster."""
    tz = local_zone(settings)
    timing = time_scaled(settings, speed)
    policy = Policy(timing, tz)
    composer = Composer(settings, load_catalogue(settings.content), random.Random())
    daemon = Daemon(
        policy,
        composer,
        backends.notifier(environ),
        backends.activity_source(environ),
        fallback=UnknownActivity(),
        retry_after=RETRY_AFTER / speed,
    )
    fixed = [(r.weekdays, m) for r in policy.rules if r.trigger == "fixed" for m in r.at]
    heartbeat = timing.timing.sample_every.total_seconds()
    return daemon, Wakeups(daemon.tick, heartbeat, tz, fixed)
