"""Blocking D-Bus reads for the quiet signals (one lazily opened connection per bus)."""

from __future__ import annotations

from typing import Any

from ergo_daemon.ports import QuietError

REPLY_TIMEOUT = 2.0  # seconds: read at a decision point; a hung service must not stall the daemon
PROPERTIES = "org.freedesktop.DBus.Properties"


class NoSuchThing(QuietError):
    """The service answered with an error: no such name, interface, property or method."""


class BusReader:
    """``BusReader(address).get(name, path, interface, property)``; reconnects as needed."""

    def __init__(self, address: str) -> None:
        self._address = address
        self._connection: Any = None
        self.connect()  # at start, not at the first decision: a bus that is not there is said then

    def connect(self) -> None:
        """Open the connection now; QuietError when the bus is not there."""
        from jeepney.io.blocking import open_dbus_connection

        if self._connection is None:
            try:
                self._connection = open_dbus_connection(bus=self._address)
            except (OSError, RuntimeError, ValueError) as exc:
                raise QuietError(f"D-Bus {self._address}: {exc}") from exc

    def call(
        self, name: str, path: str, interface: str, method: str, signature: str = "", *body: Any
    ) -> tuple[Any, ...]:
        from jeepney import DBusAddress, new_method_call
        from jeepney.wrappers import DBusErrorResponse, unwrap_msg

        address = DBusAddress(path, bus_name=name, interface=interface)
        self.connect()
        try:
            message = new_method_call(address, method, signature or None, body)
            reply = self._connection.send_and_get_reply(message, timeout=REPLY_TIMEOUT)
            result: tuple[Any, ...] = unwrap_msg(reply)
            return result
        except DBusErrorResponse as exc:
            raise NoSuchThing(f"{name}: {exc.name}") from exc
        except (OSError, TimeoutError, ValueError) as exc:
            self.close()
            raise QuietError(f"D-Bus {self._address}: {exc}") from exc

    def get(self, name: str, path: str, interface: str, prop: str) -> Any:
        (variant,) = self.call(name, path, PROPERTIES, "Get", "ss", interface, prop)
        return variant[1]

    def close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            connection.close()
