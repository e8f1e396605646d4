"""Local statistics: the daemon's SQLite writer, and the reports read from it."""

from __future__ import annotations

from ergo_daemon.ports import Outcome
from ergo_daemon.stats.store import StatsStore

__all__ = ["Outcome", "StatsStore"]
