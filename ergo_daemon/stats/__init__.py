"""Local statistics: the daemon's SQLite writer, and the reports read from it."""

from __future__ import annotations

from ergo_daemon.stats.store import Outcome, StatsStore, default_path

__all__ = ["Outcome", "StatsStore", "default_path"]
