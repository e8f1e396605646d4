"""Sounds: the server's own where it plays them (the sound-name hint), the platform's elsewhere."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from support import dbus_services as services
from support.clocks import FakeClock
from support.configs import ALL_DAY
from support.daemons import fake_daemon
from support.desktop import Desktop
from support.notifiers import BREAK, FakePlyer, Shown

from ergo_daemon import backends
from ergo_daemon.activity.bus import Listener
from ergo_daemon.notify.freedesktop import FreedesktopNotifier
from ergo_daemon.notify.plyer_backend import PlyerNotifier
from ergo_daemon.notify.sound import CommandChime, NoChime, WindowsChime
from ergo_daemon.settings.models import Settings

CHIMING = dataclasses.replace(BREAK, sound="message-new-instant")


class FakeChime:
    name = "fake"

    def __init__(self) -> None:
        self.played: list[str] = []

    def play(self, sound: str) -> None:
        self.played.append(sound)


@pytest.fixture
def address(desktop: Desktop) -> Iterator[str]:
    desktop.stop_notification_server()
    yield desktop.env["DBUS_SESSION_BUS_ADDRESS"]


def test_a_server_that_plays_sounds_gets_the_sound_name_and_nothing_else_plays(
    address: str,
) -> None:
    with services.NotificationServer(address, ("actions", "body", "sound")) as server:
        chime = FakeChime()
        notifier = FreedesktopNotifier(address, listener=Listener(), chime=chime)
        notifier.send(CHIMING)
        notifier.send(BREAK)  # no sound asked for
        notifier.close()
    assert server.notices[0]["hints"]["sound-name"] == "message-new-instant"
    assert "sound-name" not in server.notices[1]["hints"]
    assert chime.played == []


def test_elsewhere_the_platforms_own_sound_plays(address: str) -> None:
    with services.NotificationServer(address, ("actions", "body")) as server:
        chime = FakeChime()
        notifier = FreedesktopNotifier(address, listener=Listener(), chime=chime)
        notifier.send(CHIMING)
        notifier.send(BREAK)
        notifier.close()
    assert "sound-name" not in server.notices[0]["hints"]
    assert chime.played == ["message-new-instant"]
    plyer_chime = FakeChime()
    PlyerNotifier(FakePlyer(), chime=plyer_chime).send(CHIMING)
    assert plyer_chime.played == ["message-new-instant"]


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
