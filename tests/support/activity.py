"""Activity sources for the daemon's tests: idle for a set time, locked, typing, failing."""

from __future__ import annotations

from datetime import datetime

from ergo_daemon.activity.null import UnknownActivity
from ergo_daemon.ports import ActivityError, ActivitySource, Reading
from support.clocks import FakeClock


class IdleFor(UnknownActivity):
    """No input for ``seconds``, on every read."""

    name = "idle"

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def read(self) -> Reading:
        return Reading(idle=self.seconds, locked=False)


class LockedScreen(UnknownActivity):
    name = "locked"

    def read(self) -> Reading:
        return Reading(idle=0.0, locked=True)


class FlakyActivity(UnknownActivity):
    """Fails on every read, as a source whose X server went away."""

    name = "flaky"

    def read(self) -> Reading:
        raise ActivityError("X server went away")


class Typing(UnknownActivity):
    """Someone typing until ``gone_since`` is set; idle since then, by ``clock``."""

    name = "typing"

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.gone_since: datetime | None = None

    def read(self) -> Reading:
        gone = self.gone_since
        return Reading(idle=0.0 if gone is None else (self.clock.wall - gone).total_seconds())


class Switch(UnknownActivity):
    """Reads whichever source ``to`` is now, so a test can lock the screen or leave mid-run."""

    name = "switch"

    def __init__(self, to: ActivitySource) -> None:
        self.to = to

    def read(self) -> Reading:
        return self.to.read()
