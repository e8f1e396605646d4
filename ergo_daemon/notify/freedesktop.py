"""Linux desktop notifications over D-Bus (org.freedesktop.Notifications), with jeepney.

Used instead of plyer on Linux: plyer 2.1 shells out to notify-send with "-t 0" (notices never
expire) and ignores its exit status, so a missing notification server would go unnoticed.
"""

from __future__ import annotations

import logging
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

    name = "freedesktop D-Bus"

    def __init__(self, bus_address: str) -> None:
        self._bus_address = bus_address
        self._connection: Any = None
        # Our notices still on screen, by slot: each new one replaces its slot's last (no
        # pile-up of stale reminders), and a reminder can be closed once it is stale.
        self._ids: dict[str, int] = {}

    def check(self) -> str:
        """The notification server's name and version, e.g. ``"dunst 1.9.0"``."""
        name, vendor, version, _spec = self._call("GetServerInformation", "", ())
        return f"{name} {version} ({vendor})"

    def send(self, notice: Notice) -> None:
        hints = {"urgency": ("y", 1), "category": ("s", "x-ergo-daemon.reminder")}
        slot = _slot(notice)
        (self._ids[slot],) = self._call(
            "Notify",
            "susssasa{sv}i",
            (
                APP_NAME,
                self._ids.get(slot, 0),
                "",
                clamp(notice.title, MAX_TITLE),
                clamp(notice.message, MAX_MESSAGE),
                [],
                hints,
                display_seconds(notice) * 1000,
            ),
        )

    def withdraw(self) -> None:
        """Close the reminder still on screen, if any (``CloseNotification``)."""
        if (shown := self._ids.pop(REMINDER, None)) is not None:
            self._call("CloseNotification", "u", (shown,))

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
            raise DeliveryError(f"notification server refused: {exc.name}: {exc.data}") from exc
        except (OSError, TimeoutError, KeyError, ValueError) as exc:
            fresh = self._connection is None
            self.close()
            if fresh:  # not even a connection to the bus
                raise BackendGone(f"session bus unavailable: {exc}") from exc
            raise DeliveryError(f"session bus connection lost: {exc}") from exc

    def close(self) -> None:
        self._ids.clear()  # ids belong to the server we were connected to
        if self._connection is not None:
            try:
                self._connection.close()
            finally:
                self._connection = None


REMINDER = "reminder"


def _slot(notice: Notice) -> str:
    """Reminders replace reminders; a configuration error has a slot of its own."""
    return "config" if notice.kind == "config" else REMINDER
