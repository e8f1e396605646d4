"""Linux desktop notifications over D-Bus (org.freedesktop.Notifications), with jeepney.

Used instead of plyer on Linux: plyer 2.1 shells out to notify-send with "-t 0" (notices never
expire) and ignores its exit status, so a missing notification server would go unnoticed.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ergo_daemon.notify import APP_NAME, clamp, display_seconds
from ergo_daemon.ports import BackendGone, DeliveryError

if TYPE_CHECKING:
    from ergo_daemon.content.compose import Notice

log = logging.getLogger(__name__)
REPLY_TIMEOUT = 5.0
MAX_TITLE = 120
MAX_MESSAGE = 1000


class FreedesktopNotifier:
    """``FreedesktopNotifier(bus_address).send(notice)``; reconnects to the bus as needed."""

    # Sent and forgotten: a notice expires by its own timeout, and nothing waits for the
    # NotificationClosed signal, which some servers (notification-daemon) never send.

    name = "freedesktop D-Bus"

    def __init__(self, bus_address: str) -> None:
        self._bus_address = bus_address
        self._connection: Any = None

    def check(self) -> str:
        """The notification server's name and version, e.g. ``"dunst 1.9.0"``."""
        name, vendor, version, _spec = self._call("GetServerInformation", "", ())
        return f"{name} {version} ({vendor})"

    def send(self, notice: Notice) -> None:
        capabilities = self._capabilities()
        hints = {"urgency": ("y", 1), "category": ("s", "x-ergo-daemon.reminder")}
        if notice.image and {"icon-static", "icon-multi"} & capabilities:
            hints["image-path"] = ("s", Path(notice.image).as_uri())
        body = clamp(notice.message, MAX_MESSAGE)
        # Texts come from the configuration too (custom reminders, the person's own content,
        # error messages), so "Tea & <biscuits>" must show as written, not as markup.
        if "body-markup" in capabilities:
            body = escape_markup(body)
        self._call(
            "Notify",
            "susssasa{sv}i",
            (
                APP_NAME,
                0,
                "",
                clamp(notice.title, MAX_TITLE),
                body,
                [],
                hints,
                display_seconds(notice) * 1000,
            ),
        )

    def _capabilities(self) -> frozenset[str]:
        """What the server does with a notice, e.g. ``{"body-markup", "icon-static"}``."""
        # Asked on every notice: another server may have taken over the name since the last
        # (notices are minutes apart, and it costs one local call).
        try:
            (capabilities,) = self._call("GetCapabilities", "", ())
        except BackendGone:
            raise
        except DeliveryError as exc:
            if self._connection is None:  # the connection broke: Notify would fail too
                raise
            log.debug("notification server refused GetCapabilities (%s): assumed none", exc)
            return frozenset()
        return frozenset(capabilities)

    def _call(self, method: str, signature: str, body: tuple[Any, ...]) -> tuple[Any, ...]:
        from jeepney import DBusAddress, new_method_call
        from jeepney.io.blocking import open_dbus_connection
        from jeepney.wrappers import DBusErrorResponse, unwrap_msg

        address = DBusAddress(
            "/org/freedesktop/Notifications",
            bus_name="org.freedesktop.Notifications",
            interface="org.freedesktop.Notifications",
        )
        try:
            if self._connection is None:
                self._connection = open_dbus_connection(bus=self._bus_address)
            message = new_method_call(address, method, signature or None, body)
            reply = self._connection.send_and_get_reply(message, timeout=REPLY_TIMEOUT)
            result: tuple[Any, ...] = unwrap_msg(reply)
            return result
        except DBusErrorResponse as exc:
            raise DeliveryError(_refusal(exc.name, exc.data)) from exc
        except (OSError, TimeoutError, KeyError, ValueError) as exc:
            fresh = self._connection is None
            self.close()
            if fresh:  # not even a connection to the bus
                raise BackendGone(f"session bus unavailable: {exc}") from exc
            raise DeliveryError(f"session bus connection lost: {exc}") from exc

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            finally:
                self._connection = None


# D-Bus errors that mean nobody on the session bus shows notifications.
NO_SERVER = frozenset(
    {"org.freedesktop.DBus.Error.ServiceUnknown", "org.freedesktop.DBus.Error.NameHasNoOwner"}
)


def _refusal(name: str, data: tuple[Any, ...]) -> str:
    """A D-Bus error reply in plain words, e.g. "no notification server is running ..."."""
    if name in NO_SERVER:
        return "no notification server is running on the session bus"
    said = next((str(d) for d in data if isinstance(d, str) and d), "")
    short = name.rsplit(".", 1)[-1]
    return f"the notification server refused the notice ({short}{': ' + said if said else ''})"


def escape_markup(text: str) -> str:
    """Plain text as notification markup: ``"5 < 6 & 7"`` -> ``"5 &lt; 6 &amp; 7"``."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
