"""Sound is off by default, and each platform gets its own player through its seam."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from support.clocks import FakeClock
from support.configs import ALL_DAY
from support.daemons import fake_daemon
from support.notifiers import Shown

from ergo_daemon import backends
from ergo_daemon.notify.sound import CommandChime, NoChime, WindowsChime
from ergo_daemon.settings.models import Settings


def test_sound_is_off_by_default_and_the_daemon_asks_for_it_when_on() -> None:
    def first_notice(sound: dict[str, Any]) -> str | None:
        clock, shown = FakeClock(), Shown()
        settings = Settings.model_validate({"work_hours": ALL_DAY, "sound": sound})
        daemon = fake_daemon(settings, shown, clock=clock)
        daemon.tick()
        while not shown.shown:
            clock.advance(15)
            daemon.tick()
        return shown.shown[0].sound

    assert first_notice({}) is None
    assert first_notice({"enabled": True}) == "message-new-instant"
    assert first_notice({"enabled": True, "name": "bell"}) == "bell"


def test_each_platform_gets_its_own_player_through_its_seam(
    caplog: pytest.LogCaptureFixture,
) -> None:
    spawned: list[list[str]] = []
    chime = CommandChime(
        ["canberra-gtk-play", "--id", "{sound}"], spawn=lambda a, **_: spawned.append(a)
    )
    chime.play("bell")
    assert spawned == [["canberra-gtk-play", "--id", "bell"]]

    def missing(argv: list[str], **_: Any) -> None:
        raise FileNotFoundError(argv[0])

    broken = CommandChime(["afplay", "/System/Library/Sounds/Glass.aiff"], spawn=missing)
    with caplog.at_level(logging.WARNING):
        broken.play("bell")
        broken.play("bell")
    assert caplog.text.count("cannot run afplay") == 1

    class FakeWinsound:
        MB_ICONASTERISK = 0x40

        def __init__(self) -> None:
            self.beeps: list[int] = []

        def MessageBeep(self, kind: int) -> None:
            self.beeps.append(kind)

    winsound = FakeWinsound()
    WindowsChime(winsound).play("bell")
    assert winsound.beeps == [0x40]

    assert isinstance(backends.chime("win32"), WindowsChime)
    assert backends.chime("darwin").name == "afplay"
    linux = backends.chime("linux")
    assert isinstance(linux, CommandChime | NoChime)
