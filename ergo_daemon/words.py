"""Counts in words: ``counted(1, "glass", "glasses")`` is ``"1 glass"``."""

from __future__ import annotations


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """``number`` and ``noun``, in the plural unless it is exactly one."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"
