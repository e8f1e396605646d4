"""Stand-ins for desktop D-Bus services on a test bus: ``with Logind(bus) as l: l.lock()``."""

# Each owns its well-known name, answers calls on a thread of its own and emits the real
# signals when a test changes its state. Stopping one releases the name, as a crash would.

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any, Self

from jeepney import (
    DBusAddress,
    HeaderFields,
    Message,
    MessageType,
    message_bus,
    new_error,
    new_method_return,
    new_signal,
)
from jeepney.bus_messages import DBusNameFlags
from jeepney.io.blocking import open_dbus_connection

PROPERTIES = "org.freedesktop.DBus.Properties"
UNKNOWN_METHOD = "org.freedesktop.DBus.Error.UnknownMethod"
Variant = tuple[str, Any]


class Refused(Exception):
    """Answer the call with this D-Bus error: ``Refused(name, text)``."""

    def __init__(self, name: str, text: str = "") -> None:
        super().__init__(text)
        self.name, self.text = name, text


class StandIn:
    """A service on a bus: ``handle`` answers method calls; properties and signals built in."""

    bus_name = ""

    def __init__(self, address: str) -> None:
        self.address = address
        self.mutex = threading.RLock()
        self.calls: list[str] = []  # members called, oldest first
        # (path, interface) -> property name -> (signature, value)
        self.properties: dict[tuple[str, str], dict[str, Variant]] = {}
        self._connection: Any = None
        self._send_lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        self._connection = open_dbus_connection(bus=self.address)
        request = message_bus.RequestName(self.bus_name, DBusNameFlags.do_not_queue)
        (result,) = self._connection.send_and_get_reply(request, timeout=5).body
        if result != 1:  # not the primary owner: another stand-in still holds the name
            raise RuntimeError(f"could not own {self.bus_name} (RequestName said {result})")
        self._thread = threading.Thread(target=self._serve, name=self.bus_name, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Leave the bus, so clients see the name go (NameOwnerChanged to "")."""
        if self._connection is None:
            return
        with suppress(OSError):
            self._connection.sock.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._connection.close()
        self._connection = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def handle(
        self, call: Message, member: str, args: tuple[Any, ...]
    ) -> tuple[str, tuple[Any, ...]]:
        """Return ``(signature, body)`` for one method call, or raise Refused."""
        raise Refused(UNKNOWN_METHOD, f"no method {member}")

    def emit(
        self,
        path: str,
        interface: str,
        member: str,
        signature: str | None = None,
        body: tuple[Any, ...] = (),
        destination: str | None = None,
    ) -> None:
        """Send a signal, to everyone subscribed or (``destination``) to one client."""
        signal = new_signal(DBusAddress(path, interface=interface), member, signature, body)
        if destination is not None:
            signal.header.fields[HeaderFields.destination] = destination
        self._send(signal)

    def set_properties(self, path: str, interface: str, **values: Any) -> None:
        """Change properties and announce them with PropertiesChanged, as sd-bus does."""
        with self.mutex:
            known = self.properties[(path, interface)]
            changed = {name: (known[name][0], value) for name, value in values.items()}
            known.update(changed)
        self.emit(path, PROPERTIES, "PropertiesChanged", "sa{sv}as", (interface, changed, []))

    def _send(self, message: Message) -> None:
        with self._send_lock:
            self._connection.send(message)

    def _serve(self) -> None:
        connection = self._connection
        while True:
            try:
                message = connection.receive()
            except (OSError, ValueError):  # stop() shut the socket down
                return
            if message.header.message_type is not MessageType.method_call:
                continue
            fields = message.header.fields
            member = fields.get(HeaderFields.member, "")
            with self.mutex:
                self.calls.append(member)
            try:
                if fields.get(HeaderFields.interface) == PROPERTIES:
                    signature, body = self._properties_call(
                        fields[HeaderFields.path], member, message.body
                    )
                else:
                    signature, body = self.handle(message, member, message.body)
                reply = new_method_return(message, signature or None, body)
            except Refused as exc:
                reply = new_error(message, exc.name, "s", (exc.text,))
            try:
                self._send(reply)
            except OSError:  # stop() came first
                return

    def _properties_call(
        self, path: str, member: str, args: tuple[Any, ...]
    ) -> tuple[str, tuple[Any, ...]]:
        with self.mutex:
            values = self.properties.get((path, args[0]))
            if values is None:
                raise Refused(UNKNOWN_METHOD, f"no interface {args[0]} at {path}")
            if member == "GetAll":
                return "a{sv}", (dict(values),)
            if member == "Get" and args[1] in values:
                return "v", (values[args[1]],)
        raise Refused("org.freedesktop.DBus.Error.InvalidArgs", f"{member}{args}")


class MutterIdleMonitor(StandIn):
    """org.gnome.Mutter.IdleMonitor: ``set_idle(seconds)`` moves the idle time and fires watches."""

    bus_name = "org.gnome.Mutter.IdleMonitor"
    path = "/org/gnome/Mutter/IdleMonitor/Core"

    def __init__(self, address: str) -> None:
        super().__init__(address)
        self.idle = 0.0
        self._next_id = 1
        # id -> (client, interval in ms, or 0 for a user-active watch, fired this idle spell)
        self.watches: dict[int, tuple[str, int, bool]] = {}

    def handle(
        self, call: Message, member: str, args: tuple[Any, ...]
    ) -> tuple[str, tuple[Any, ...]]:
        client = call.header.fields[HeaderFields.sender]
        with self.mutex:
            if member == "GetIdletime":
                return "t", (round(self.idle * 1000),)
            if member in ("AddIdleWatch", "AddUserActiveWatch"):
                interval = args[0] if member == "AddIdleWatch" else 0
                watch_id, self._next_id = self._next_id, self._next_id + 1
                self.watches[watch_id] = (client, interval, False)
                return "u", (watch_id,)
            if member == "RemoveWatch":
                self.watches.pop(args[0], None)
                return "", ()
        return super().handle(call, member, args)

    def set_idle(self, seconds: float) -> None:
        """Idle for ``seconds`` (0: input just now): fire idle watches reached, or active ones."""
        fire: list[tuple[str, int]] = []
        with self.mutex:
            self.idle = seconds
            for watch_id, (client, interval, fired) in list(self.watches.items()):
                if seconds == 0 and interval == 0:  # user-active watches fire once, then go
                    del self.watches[watch_id]
                    fire.append((client, watch_id))
                elif seconds == 0:
                    self.watches[watch_id] = (client, interval, False)
                elif interval and not fired and seconds * 1000 >= interval:
                    self.watches[watch_id] = (client, interval, True)
                    fire.append((client, watch_id))
        for client, watch_id in fire:  # Mutter sends WatchFired to the watch's owner only
            self.emit(self.path, self.bus_name, "WatchFired", "u", (watch_id,), destination=client)

    def user_active_watches(self) -> int:
        with self.mutex:
            return sum(1 for _client, interval, _ in self.watches.values() if interval == 0)


class Logind(StandIn):
    """org.freedesktop.login1 with one user and session; ``in_session=False``: systemd --user."""

    # in_session=False answers GetSession("auto") as logind does for a systemd --user service;
    # display_session=False also gives the user no graphical session.

    bus_name = "org.freedesktop.login1"
    manager = "/org/freedesktop/login1"
    session = "/org/freedesktop/login1/session/_32"
    user = "/org/freedesktop/login1/user/_1000"
    MANAGER = "org.freedesktop.login1.Manager"
    SESSION = "org.freedesktop.login1.Session"
    USER = "org.freedesktop.login1.User"

    def __init__(
        self, address: str, *, in_session: bool = True, display_session: bool = True
    ) -> None:
        super().__init__(address)
        self.in_session = in_session
        self.properties[(self.manager, self.MANAGER)] = {"PreparingForSleep": ("b", False)}
        self.properties[(self.session, self.SESSION)] = {
            "Id": ("s", "2"),
            "Active": ("b", True),
            "IdleHint": ("b", False),
            "IdleSinceHint": ("t", 0),
            "IdleSinceHintMonotonic": ("t", 0),
            "LockedHint": ("b", False),
        }
        display = ("2", self.session) if display_session else ("", "/")
        self.properties[(self.user, self.USER)] = {"Display": ("(so)", display)}

    def handle(
        self, call: Message, member: str, args: tuple[Any, ...]
    ) -> tuple[str, tuple[Any, ...]]:
        if member == "GetSession" and (args[0] == "2" or (args[0] == "auto" and self.in_session)):
            return "o", (self.session,)
        if member == "GetSession":
            raise Refused("org.freedesktop.login1.NoSuchSession", f"no session {args[0]!r}")
        if member == "GetSessionByPID":
            if self.in_session:
                return "o", (self.session,)
            raise Refused("org.freedesktop.login1.NoSessionForPID", f"PID {args[0]} has none")
        if member == "GetUser":
            return "o", (self.user,)
        return super().handle(call, member, args)

    def lock(self) -> None:
        self.set_properties(self.session, self.SESSION, LockedHint=True)

    def unlock(self) -> None:
        self.set_properties(self.session, self.SESSION, LockedHint=False)

    def set_idle_hint(self, idle: bool, *, since: float | None = None) -> None:
        """IdleHint, and both IdleSinceHint clocks at ``since`` (a time.monotonic(); now)."""
        at = time.monotonic() if since is None else since
        wall = time.time() - (time.monotonic() - at)
        self.set_properties(
            self.session,
            self.SESSION,
            IdleHint=idle,
            IdleSinceHint=round(wall * 1e6),
            IdleSinceHintMonotonic=round(at * 1e6),
        )

    def prepare_for_sleep(self, going: bool) -> None:
        """The property first, then the signal, as logind does around a suspend."""
        with self.mutex:
            self.properties[(self.manager, self.MANAGER)]["PreparingForSleep"] = ("b", going)
        self.emit(self.manager, self.MANAGER, "PrepareForSleep", "b", (going,))


class ScreenSaver(StandIn):
    """org.freedesktop.ScreenSaver (or, with ``gnome=True``, org.gnome.ScreenSaver)."""

    def __init__(self, address: str, *, gnome: bool = False) -> None:
        super().__init__(address)
        self.bus_name = "org.gnome.ScreenSaver" if gnome else "org.freedesktop.ScreenSaver"
        self.path = "/org/gnome/ScreenSaver" if gnome else "/org/freedesktop/ScreenSaver"
        self.active = False

    def handle(
        self, call: Message, member: str, args: tuple[Any, ...]
    ) -> tuple[str, tuple[Any, ...]]:
        if member == "GetActive":
            with self.mutex:
                return "b", (self.active,)
        return super().handle(call, member, args)

    def set_active(self, active: bool) -> None:
        with self.mutex:
            self.active = active
        self.emit(self.path, self.bus_name, "ActiveChanged", "b", (active,))


class NotificationServer(StandIn):
    """org.freedesktop.Notifications: keeps each notice; ``press(id, key)`` clicks a button."""

    # Like dunst, the signals go to the client that sent the notice, and a pressed button
    # leaves the notice on screen: closing it then is the client's job (libnotify's too).

    bus_name = "org.freedesktop.Notifications"
    path = "/org/freedesktop/Notifications"

    def __init__(self, address: str, capabilities: tuple[str, ...] = ("actions", "body")) -> None:
        super().__init__(address)
        self.capabilities = list(capabilities)
        self.notices: list[dict[str, Any]] = []
        self.closed_by_client: list[int] = []

    def handle(
        self, call: Message, member: str, args: tuple[Any, ...]
    ) -> tuple[str, tuple[Any, ...]]:
        with self.mutex:
            if member == "GetCapabilities":
                return "as", (self.capabilities,)
            if member == "GetServerInformation":
                return "ssss", ("stand-in", "tests", "1.0", "1.2")
            if member == "Notify":
                app, replaces, _icon, summary, body, actions, hints, timeout = args
                notification_id = replaces or len(self.notices) + 1
                sender = call.header.fields[HeaderFields.sender]
                self.notices.append(
                    {
                        "id": notification_id,
                        "app": app,
                        "summary": summary,
                        "body": body,
                        "actions": list(actions),
                        "hints": {k: v[1] for k, v in hints.items()},
                        "timeout": timeout,
                        "sender": sender,
                    }
                )
                return "u", (notification_id,)
            if member == "CloseNotification":
                self.closed_by_client.append(args[0])
                self.close(args[0], 3)
                return "", ()
        return super().handle(call, member, args)

    def notice(self, notification_id: int) -> dict[str, Any]:
        with self.mutex:
            return next(n for n in reversed(self.notices) if n["id"] == notification_id)

    def press(self, notification_id: int, key: str) -> None:
        """The person clicks the button ``key``."""
        sender = self.notice(notification_id)["sender"]
        self.emit(self.path, self.bus_name, "ActionInvoked", "us", (notification_id, key), sender)

    def close(self, notification_id: int, reason: int) -> None:
        """The notice goes: 1 it expired, 2 the person closed it, 3 the client asked."""
        sender = self.notice(notification_id)["sender"]
        with suppress(OSError):  # stop() came first
            self.emit(
                self.path,
                self.bus_name,
                "NotificationClosed",
                "uu",
                (notification_id, reason),
                sender,
            )


@contextmanager
def running(*services: StandIn) -> Iterator[None]:
    """Start each service for the block, and stop those still running after it."""
    started: list[StandIn] = []
    try:
        for service in services:
            started.append(service.start())
        yield
    finally:
        for service in reversed(started):
            service.stop()
