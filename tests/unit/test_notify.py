"""Notifiers without a notification server: no bus, plyer's through a fake backend, the log one."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.notifiers import FakePlyer

from ergo_daemon.kinds import BREAK, EYES
from ergo_daemon.notify.freedesktop import FreedesktopNotifier
from ergo_daemon.notify.log import LogNotifier
from ergo_daemon.notify.plyer_backend import PlyerNotifier
from ergo_daemon.ports import DeliveryError, Notice

NOTICE = Notice(EYES, "Rest your eyes", "Look out of the window.", datetime.now(UTC))


def test_dbus_notifier_without_a_bus_raises_a_delivery_error(tmp_path: Path) -> None:
    with pytest.raises(DeliveryError, match="session bus unavailable"):
        FreedesktopNotifier(f"unix:path={tmp_path}/no-bus").send(NOTICE)


def test_plyer_notifier_clamps_to_the_windows_limits() -> None:
    backend = FakePlyer()
    PlyerNotifier(backend).send(Notice(BREAK, "T" * 100, "m" * 400, NOTICE.at))
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
