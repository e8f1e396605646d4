"""Linux quiet signals apart from the real thing: desktop tools, quiet windows, broken signals."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ergo_daemon.ports import QuietError
from ergo_daemon.quiet import QuietSignals
from ergo_daemon.quiet.desktop import (
    GnomeBanners,
    MakoMode,
    XfceNotifyd,
)
from ergo_daemon.quiet.linux import MicrophoneInUse
from ergo_daemon.quiet.schedule import QuietWindows
from ergo_daemon.settings.models import QuietWindow

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 9, 35, tzinfo=BERLIN)  # a Monday


def _answers(output: str, seen: list[Sequence[str]]) -> object:
    def run(argv: Sequence[str]) -> str:
        seen.append(argv)
        return output

    return run


@pytest.mark.parametrize(
    ("kind", "muted", "unmuted", "program"),
    [
        (GnomeBanners, "false\n", "true\n", "gsettings"),
        (MakoMode, "default\ndo-not-disturb\n", "default\n", "makoctl"),
        (XfceNotifyd, "true\n", "false\n", "xfconf-query"),
    ],
)
def test_desktop_tools_tell_do_not_disturb(
    kind: type[GnomeBanners], muted: str, unmuted: str, program: str
) -> None:
    seen: list[Sequence[str]] = []
    assert kind(_answers(muted, seen)).read(NOW) == "Do Not Disturb is on"  # type: ignore[arg-type]
    assert kind(_answers(unmuted, seen)).read(NOW) is None  # type: ignore[arg-type]
    assert seen[0][0] == program


def test_quiet_windows_follow_days_and_local_hours() -> None:
    standup = QuietWindow.model_validate({"days": "mon-fri", "hours": ["09:30-09:45"]})
    windows = QuietWindows([standup], BERLIN)
    assert windows.read(NOW) == "quiet window 09:30-09:45"
    assert windows.read(NOW.replace(minute=45)) is None, "the end is not inside"
    assert windows.read(NOW.replace(day=22)) is None, "not on Sunday"
    assert windows.read(NOW.astimezone(ZoneInfo("UTC"))) == "quiet window 09:30-09:45"


class _Broken:
    name = "broken signal"

    def read(self, now: datetime) -> str | None:
        raise QuietError("no server")

    def close(self) -> None:
        pass


def test_a_broken_signal_is_said_once_and_the_others_still_count(
    caplog: pytest.LogCaptureFixture,
) -> None:
    standup = QuietWindow.model_validate({"days": "mon-sun", "hours": ["09:00-10:00"]})
    signals = QuietSignals([_Broken(), QuietWindows([standup], BERLIN)])
    with caplog.at_level(logging.WARNING):
        assert signals.read(NOW) == "quiet window 09:00-10:00"
        assert signals.read(NOW) == "quiet window 09:00-10:00"
    warnings = [r for r in caplog.records if "broken signal" in r.getMessage()]
    assert len(warnings) == 1


def test_without_a_sound_server_socket_pactl_is_not_even_run(tmp_path: Path) -> None:
    ran: list[Sequence[str]] = []

    def run(argv: Sequence[str]) -> str:
        ran.append(argv)
        return ""

    microphone = MicrophoneInUse(run, socket=tmp_path / "pulse" / "native")
    with pytest.raises(QuietError, match="no sound server"):
        microphone.read(NOW)
    assert ran == [], "pactl could have started a sound server of its own"
