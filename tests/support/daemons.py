"""The daemon as ``app.build_daemon`` makes it, on fakes: UTC, a seeded shuffle, a fake clock."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TypedDict, Unpack
from zoneinfo import ZoneInfo

from ergo_daemon.activity.null import UnknownActivity
from ergo_daemon.app import build_daemon
from ergo_daemon.clock import Instant
from ergo_daemon.daemon import Daemon, QuietFactory
from ergo_daemon.ports import ActivitySource, Notifier, Recorder
from ergo_daemon.reload import Reloader
from ergo_daemon.screen import BreakScreen
from ergo_daemon.settings.models import Settings
from support.clocks import FakeClock

UTC_ZONE = ZoneInfo("UTC")


class Adapters(TypedDict, total=False):
    """What a test may hand ``build_daemon`` besides the notifier, activity and clock."""

    fallback: ActivitySource
    speed: float
    reloader: Reloader
    recorder: Recorder
    state_file: Path
    screen: BreakScreen
    quiet: QuietFactory
    on_change: Callable[[], None]
    on_stop: Callable[[], None]
    on_good_settings: Callable[[Settings, datetime], None]


def fake_daemon(
    settings: Settings,
    notifier: Notifier,
    activity: ActivitySource | None = None,
    *,
    clock: Callable[[], Instant],
    zone: ZoneInfo = UTC_ZONE,
    rng: random.Random | None = None,
    **adapters: Unpack[Adapters],
) -> Daemon:
    """``build_daemon`` with no idle source by default (clock time counts as active)."""
    return build_daemon(
        settings,
        notifier,
        UnknownActivity() if activity is None else activity,
        clock=clock,
        zone=lambda _settings: zone,
        rng=random.Random(0) if rng is None else rng,
        **adapters,
    )


def run(daemon: Daemon, clock: FakeClock, minutes: float, step: float = 15.0) -> None:
    """Tick every ``step`` seconds for ``minutes``."""
    for _ in range(int(minutes * 60 / step)):
        clock.advance(step)
        daemon.tick()
