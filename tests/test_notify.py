"""Notifiers: the D-Bus one against a real dunst, plyer's through a fake backend, the log one."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from desktop import Desktop

from ergo_daemon.content.catalogue import load_catalogue
from ergo_daemon.content.compose import Notice
from ergo_daemon.notify.freedesktop import FreedesktopNotifier
from ergo_daemon.notify.log import LogNotifier
from ergo_daemon.notify.plyer_backend import PlyerNotifier
from ergo_daemon.ports import DeliveryError

NOTICE = Notice("eyes", "Rest your eyes", "Look out of the window.", datetime.now(UTC))


def test_dbus_notifier_delivers_to_the_real_server_and_survives_its_restart(
    desktop: Desktop,
) -> None:
    notifier = FreedesktopNotifier(desktop.env["DBUS_SESSION_BUS_ADDRESS"])
    assert notifier.check().startswith("dunst")
    notifier.send(NOTICE)
    shown = desktop.wait_for_notifications(lambda ns: len(ns) == 1, 5)[0]
    assert (shown.appname, shown.summary, shown.body) == (
        "ergo-daemon",
        "Rest your eyes",
        "Look out of the window.",
    )
    desktop.stop_notification_server()
    with pytest.raises(DeliveryError, match="no notification server is running"):
        notifier.send(NOTICE)
    desktop.start_notification_server()
    notifier.send(NOTICE)
    desktop.wait_for_notifications(lambda ns: len(ns) == 2, 5)


def test_dbus_notifier_passes_the_exercise_picture_as_the_notice_image(desktop: Desktop) -> None:
    picture = load_catalogue().picture_path("calf-stretch")
    assert picture is not None
    notifier = FreedesktopNotifier(desktop.env["DBUS_SESSION_BUS_ADDRESS"])
    title = "Stand up and stretch: Calf stretch"
    notifier.send(Notice("stretch", title, "Hold.", NOTICE.at, image=str(picture)))
    notifier.send(NOTICE)  # no picture: no image
    pictured, plain = desktop.wait_for_notifications(lambda ns: len(ns) == 2, 5)
    assert Path(pictured.icon) == picture, "dunst loaded the SVG as the notice's image"
    assert plain.icon != str(picture)


def test_dbus_notifier_without_a_bus_raises_a_delivery_error(tmp_path: Path) -> None:
    with pytest.raises(DeliveryError, match="session bus unavailable"):
        FreedesktopNotifier(f"unix:path={tmp_path}/no-bus").send(NOTICE)


class FakePlyer:
    def __init__(self, error: Exception | None = None) -> None:
        self.calls: list[dict[str, Any]] = []
        self.error = error

    def notify(self, **kwargs: Any) -> None:
        self.calls.append(kwargs)
        if self.error:
            raise self.error


def test_plyer_notifier_clamps_to_the_windows_limits() -> None:
    backend = FakePlyer()
    PlyerNotifier(backend).send(Notice("break", "T" * 100, "m" * 400, NOTICE.at))
    call = backend.calls[0]
    assert len(call["title"]) == 64 and call["title"].endswith("…")
    assert len(call["message"]) == 256
    assert call["app_name"] == "ergo-daemon"
    assert call["timeout"] > 0, "never plyer's 'stay forever'"


def test_plyer_failures_of_any_kind_become_delivery_errors() -> None:
    with pytest.raises(DeliveryError, match="NotImplementedError"):
        PlyerNotifier(FakePlyer(NotImplementedError("no backend"))).send(NOTICE)


def test_log_notifier_writes_the_reminder_to_the_log(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        LogNotifier().send(NOTICE)
    assert "Rest your eyes: Look out of the window." in caplog.text
