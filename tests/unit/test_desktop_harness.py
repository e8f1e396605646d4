"""The headless desktop harness (tests/support/desktop.py) skips or fails on a missing program."""

from __future__ import annotations

import pytest
from support.desktop import missing_message, missing_programs


def test_missing_programs_skip_or_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    """The missing-program message names the programs and Debian packages."""
    monkeypatch.setenv("PATH", "/nonexistent")
    missing = missing_programs()
    assert "Xvfb" in missing and "notify-send" in missing
    assert missing_message(["Xvfb"]) == "no desktop session: missing Xvfb (apt-get install xvfb)"
