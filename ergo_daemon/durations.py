"""Durations written the way people write them: ``20m``, ``90s``, ``1h30m``."""

from __future__ import annotations

import re
from datetime import timedelta

_DURATION = re.compile(r"(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?")
FORMAT_HELP = "a duration like 20s, 20m, 1h or 1h30m"


def parse_duration(text: str) -> timedelta:
    """Parse ``"1h30m"`` into ``timedelta(hours=1, minutes=30)``; raise ValueError otherwise."""
    match = _DURATION.fullmatch(text.strip().lower())
    if not text.strip() or match is None:
        raise ValueError(f"expected {FORMAT_HELP}")
    hours, minutes, seconds = (int(match.group(g) or 0) for g in "hms")
    return timedelta(hours=hours, minutes=minutes, seconds=seconds)


def format_duration(value: timedelta) -> str:
    """Format ``timedelta(minutes=90)`` as ``"1h30m"``; the inverse of parse_duration."""
    total = round(value.total_seconds())
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    text = "".join(f"{n}{unit}" for n, unit in ((hours, "h"), (minutes, "m"), (seconds, "s")) if n)
    return text or "0s"


def humanize(value: timedelta) -> str:
    """Say ``timedelta(seconds=20)`` as ``"20 seconds"`` for notification text."""
    total = round(value.total_seconds())
    if total < 60:
        return f"{total} second{'s' if total != 1 else ''}"
    minutes = round(total / 60)
    if minutes < 60 or minutes % 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = minutes // 60
    return f"{hours} hour{'s' if hours != 1 else ''}"
