"""The stand-in when no idle source works: activity unknown, so clock time is counted."""

from __future__ import annotations

from collections.abc import Callable

from ergo_daemon.ports import Reading


class UnknownActivity:
    name = "none (activity unknown: counting clock time)"
    tells_lock = False
    tells_sleep = False

    def read(self) -> Reading:
        return Reading(idle=None)

    def watch(self, changed: Callable[[], None]) -> None:
        pass

    def close(self) -> None:
        pass
