"""The D-Bus notifier against a real dunst: delivery, restarts, the picture, markup."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from support.configs import schedule, toml
from support.desktop import Desktop

from ergo_daemon.content.catalogue import load_catalogue
from ergo_daemon.kinds import EYES, STRETCH, Kind
from ergo_daemon.notify.freedesktop import FreedesktopNotifier
from ergo_daemon.ports import DeliveryError, Notice

NOTICE = Notice(EYES, "Rest your eyes", "Look out of the window.", datetime.now(UTC))


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
    notifier.send(Notice(STRETCH, title, "Hold.", NOTICE.at, image=str(picture)))
    notifier.send(NOTICE)  # no picture: no image
    pictured, plain = desktop.wait_for_notifications(lambda ns: len(ns) == 2, 5)
    assert Path(pictured.icon) == picture, "dunst loaded the SVG as the notice's image"
    assert plain.icon != str(picture)


def _reads_markup(desktop: Desktop) -> None:
    """Restart dunst with markup on, so it announces body-markup as most desktops' servers do."""
    desktop.stop_notification_server()
    config = desktop.dunstrc.read_text()
    desktop.dunstrc.write_text(config.replace("[global]\n", "[global]\n    markup = full\n", 1))
    desktop.start_notification_server()


def _as_rendered(body: str) -> str:
    """The text a markup-reading server shows for ``body`` (ValueError: broken markup)."""
    try:
        root = ElementTree.fromstring(f"<markup>{body}</markup>")
    except ElementTree.ParseError as exc:
        raise ValueError(f"broken markup {body!r}: {exc}") from exc
    assert not list(root.iter())[1:], f"markup applied in {body!r}"
    return "".join(root.itertext())


TEA = Notice(
    Kind("tea", "tea", "Tea", ""),
    "Tea & <biscuits>",
    "5 < 6 > 4 & <b>not bold</b> <a href='x'>",
    NOTICE.at,
)


def test_dbus_notifier_escapes_the_body_for_a_server_that_reads_markup(desktop: Desktop) -> None:
    _reads_markup(desktop)
    FreedesktopNotifier(desktop.env["DBUS_SESSION_BUS_ADDRESS"]).send(TEA)
    shown = desktop.wait_for_notifications(lambda ns: len(ns) == 1, 5)[0]
    assert shown.summary == TEA.title, "the summary is plain text by the specification"
    assert _as_rendered(shown.body) == TEA.message
    assert "Unable to parse markup" not in (desktop.log_dir / "dunst.log").read_text()


def test_dbus_notifier_leaves_the_body_alone_for_a_server_without_markup(
    desktop: Desktop,
) -> None:
    FreedesktopNotifier(desktop.env["DBUS_SESSION_BUS_ADDRESS"]).send(TEA)
    shown = desktop.wait_for_notifications(lambda ns: len(ns) == 1, 5)[0]
    assert shown.body == TEA.message, "shown as is: escaping here would show '&lt;'"


CUSTOM_TEA = toml(
    schedule(
        {
            "custom": [
                {"name": "tea", "title": "Tea & <biscuits>", "message": "5 < 6 > 4", "every": "5m"}
            ]
        }
    )
)


def test_a_custom_reminder_shows_as_written_on_a_markup_server(
    desktop: Desktop, start_daemon: Any, tmp_path: Path
) -> None:
    _reads_markup(desktop)
    config = tmp_path / "config.toml"
    config.write_text(CUSTOM_TEA)
    daemon = start_daemon(desktop.env, "--speed", "300", "--config", str(config))
    with desktop.keep_active():
        shown = desktop.wait_for_notifications(
            lambda ns: any(n.summary == "Tea & <biscuits>" for n in ns), 15
        )
    assert daemon.stop() == 0
    tea = next(n for n in shown if n.summary == "Tea & <biscuits>")
    assert _as_rendered(tea.body) == "5 < 6 > 4"
    assert "Unable to parse markup" not in (desktop.log_dir / "dunst.log").read_text()
