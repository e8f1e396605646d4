"""Sounds: the server's own where it plays them (the sound-name hint), the platform's elsewhere."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from support import dbus_services as services
from support.desktop import Desktop
from support.notifiers import BREAK, FakePlyer

from ergo_daemon.activity.bus import Listener
from ergo_daemon.notify.freedesktop import FreedesktopNotifier
from ergo_daemon.notify.plyer_backend import PlyerNotifier

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
