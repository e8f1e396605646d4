"""Quiet windows written in the configuration, e.g. a daily stand-up (``[[quiet.windows]]``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from ergo_daemon.settings.models import WEEKDAYS, QuietWindow


class QuietWindows:
    """``QuietWindows(settings.quiet.windows, tz).read(now)`` -> ``"quiet window 09:30-09:45"``."""

    name = "quiet windows"

    def __init__(self, windows: Sequence[QuietWindow], tz: ZoneInfo) -> None:
        self._windows, self._tz = tuple(windows), tz

    def read(self, now: datetime) -> str | None:
        local = now.astimezone(self._tz)
        day, minute = WEEKDAYS[local.weekday()], local.hour * 60 + local.minute
        for window in self._windows:
            if day not in window.days:
                continue
            for start, end in window.hours:
                if start <= minute < end:
                    return f"quiet window {_clock(start)}-{_clock(end)}"
        return None

    def close(self) -> None:
        pass


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"
