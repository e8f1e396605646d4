"""D-Bus plumbing for the activity sources: one thread receives signals for every connection."""

# Signals arrive on a Link, read by the Listener's one thread; calls made on every tick go over
# a Caller, answered in the calling thread, so a tick costs no hop between threads (a wake-up).

from __future__ import annotations

import logging
import os
import select
import socket
import threading
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from ergo_daemon.ports import ActivityError

if TYPE_CHECKING:
    from jeepney import Message

log = logging.getLogger(__name__)
REPLY_TIMEOUT = 2.0  # local services answer in milliseconds; a hung one must not stall a tick
BUS = "org.freedesktop.DBus"
PROPERTIES = "org.freedesktop.DBus.Properties"
# What connecting can raise: no socket or refused (OSError), a malformed address
# (RuntimeError, ValueError), failed authentication (jeepney's AuthenticationError, a ValueError).
CONNECT_ERRORS = (OSError, RuntimeError, ValueError)


class CallFailed(ActivityError):
    """A D-Bus call was refused or got no reply; ``error_name`` is the D-Bus error, if any."""

    def __init__(self, message: str, error_name: str | None = None) -> None:
        super().__init__(message)
        self.error_name = error_name


def running_only(message: Message) -> Message:
    """``message`` for the service only if it runs now: the bus must not start one for it."""
    # A desktop service the bus can activate (GNOME's screen saver helper, installed on many
    # non-GNOME systems) would otherwise be started by merely asking, at start and each retry.
    from jeepney import MessageFlag

    message.header.flags |= MessageFlag.no_auto_start
    return message


def unwrap(reply: Message) -> tuple[Any, ...]:
    """The body of a method return; CallFailed for an error reply."""
    from jeepney import HeaderFields, MessageType

    if reply.header.message_type is MessageType.error:
        name = reply.header.fields.get(HeaderFields.error_name)
        detail = reply.body[0] if reply.body and isinstance(reply.body[0], str) else ""
        raise CallFailed(f"{name}: {detail}" if detail else str(name), name)
    body: tuple[Any, ...] = reply.body
    return body


class Caller:
    """A connection for calls from one thread at a time: ``Caller(address).call(message)``."""

    def __init__(self, address: str) -> None:
        from jeepney.io.blocking import open_dbus_connection

        try:
            self._connection: Any = open_dbus_connection(bus=address, auth_timeout=REPLY_TIMEOUT)
        except CONNECT_ERRORS as exc:
            raise ActivityError(f"cannot connect to the bus at {address}: {exc}") from exc

    def call(self, message: Message, timeout: float = REPLY_TIMEOUT) -> tuple[Any, ...]:
        if self._connection is None:
            raise ActivityError("the connection is closed")
        try:
            reply = self._connection.send_and_get_reply(message, timeout=timeout)
        except TimeoutError as exc:
            raise CallFailed(f"no reply within {timeout:g} s") from exc
        except (OSError, ValueError) as exc:
            self.close()
            raise ActivityError(f"lost the bus connection: {exc}") from exc
        return unwrap(reply)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class Link:
    """A bus connection a Listener's thread reads: calls from other threads, signals to handlers."""

    # Handlers run on the listener's thread: they may ``send`` but not ``call``, which would
    # wait for a reply only that same thread can read.

    def __init__(self, listener: Listener, connection: Any) -> None:
        self._listener = listener
        self._connection = connection
        self._lock = threading.Lock()
        self._replies: dict[int, Future[Message]] = {}
        self._handlers: list[tuple[Any, Callable[[Message], None]]] = []
        self._on_lost: list[Callable[[str], None]] = []
        self._closing = False
        self.lost: str | None = None  # why the connection ended, once it has

    def call(self, message: Message, timeout: float = REPLY_TIMEOUT) -> tuple[Any, ...]:
        """Send a method call and wait for its reply, which the listener's thread hands over."""
        if threading.current_thread() is self._listener.thread:
            raise RuntimeError("a signal handler cannot wait for a reply on its own thread")
        future: Future[Message] = Future()
        with self._lock:
            if self.lost is not None:
                raise ActivityError(self.lost)
            serial = next(self._connection.outgoing_serial)
            self._replies[serial] = future
            try:
                self._connection.send(message, serial=serial)
            except OSError as exc:
                del self._replies[serial]
                raise ActivityError(f"lost the bus connection: {exc}") from exc
        try:
            return unwrap(future.result(timeout))
        except TimeoutError as exc:
            raise CallFailed(f"no reply within {timeout:g} s") from exc
        finally:
            self._replies.pop(serial, None)

    def send(self, message: Message) -> None:
        """Send without waiting; a reply, if any, is dropped."""
        with self._lock:
            if self.lost is None:
                with suppress(OSError):  # the listener's thread sees the end and reports it
                    self._connection.send(message)

    def subscribe(
        self,
        handler: Callable[[Message], None],
        *,
        interface: str,
        member: str,
        path: str | None = None,
        sender: str | None = None,
        arg0: str | None = None,
    ) -> None:
        """Call ``handler(signal)`` for each matching signal; ``sender`` is checked by the bus."""
        from jeepney import MatchRule, message_bus

        # Locally the sender is a unique name (":1.42"), so only the bus can check a well-known
        # one: it follows the current owner, so a restarted service's signals still arrive and
        # no other client can forge them.

        local = MatchRule(type="signal", interface=interface, member=member, path=path)
        remote = MatchRule(
            type="signal", interface=interface, member=member, path=path, sender=sender
        )
        if arg0 is not None:
            local.add_arg_condition(0, arg0)
            remote.add_arg_condition(0, arg0)
        self._handlers.append((local, handler))  # before AddMatch: no signal slips through
        self.call(message_bus.AddMatch(remote))

    def watch_owner(self, bus_name: str, handler: Callable[[str], None]) -> None:
        """Call ``handler(new_owner)`` when ``bus_name`` changes hands (``""``: it left the bus)."""
        self.subscribe(
            lambda signal: handler(signal.body[2]),
            interface=BUS,
            member="NameOwnerChanged",
            path="/org/freedesktop/DBus",
            sender=BUS,
            arg0=bus_name,
        )

    def on_lost(self, handler: Callable[[str], None]) -> None:
        """Call ``handler(reason)`` (on the listener's thread) if the bus connection breaks."""
        self._on_lost.append(handler)

    def close(self) -> None:
        """End the connection; the listener's thread notices and lets go of the socket."""
        self._closing = True
        with suppress(OSError):  # already gone
            self._connection.sock.shutdown(socket.SHUT_RDWR)

    # The listener's thread ------------------------------------------------------------------

    def fileno(self) -> int:
        fd: int = self._connection.sock.fileno()
        return fd

    def receive(self) -> bool:
        """Read what is waiting and dispatch it; False once the connection has ended."""
        try:
            data = self._connection.sock.recv(65536)
        except OSError as exc:
            return self._end(f"the bus connection failed: {exc}")
        if not data:
            return self._end("the bus closed the connection")
        parser = self._connection.parser
        try:
            parser.add_data(data)
            while (message := parser.get_next_message()) is not None:
                self._dispatch(message)
        except ValueError as exc:  # a malformed message: the stream cannot be trusted after it
            return self._end(f"unreadable message from the bus: {exc}")
        return True

    def _dispatch(self, message: Message) -> None:
        from jeepney import HeaderFields, MessageFlag, MessageType, new_error

        kind = message.header.message_type
        if kind in (MessageType.method_return, MessageType.error):
            future = self._replies.get(message.header.fields.get(HeaderFields.reply_serial, -1))
            if future is not None and not future.done():
                future.set_result(message)
        elif kind is MessageType.signal:
            for rule, handler in list(self._handlers):
                if rule.matches(message):
                    try:
                        handler(message)
                    except Exception:  # one bad handler must not stop every source's signals
                        log.exception("D-Bus signal handler failed")
        elif not message.header.flags & MessageFlag.no_reply_expected:
            # Nothing is served here; say so rather than leave the caller waiting.
            self.send(new_error(message, "org.freedesktop.DBus.Error.UnknownMethod"))

    def _end(self, reason: str) -> bool:
        with self._lock:
            closing = self._closing
            self.lost = "the connection is closed" if closing else reason
            replies, self._replies = self._replies, {}
        for future in replies.values():
            if not future.done():
                future.set_exception(ActivityError(self.lost))
        if not closing:
            log.debug("D-Bus connection lost: %s", reason)
            for handler in self._on_lost:
                try:
                    handler(reason)
                except Exception:  # keep telling the others
                    log.exception("D-Bus connection-lost handler failed")
        self._connection.close()
        return False


class Listener:
    """``Listener().connect(address)``: Links whose incoming messages one shared thread reads."""

    # The thread runs only while a Link is open and sleeps in poll() until a message arrives:
    # a quiet desktop costs no wake-ups.

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._links: list[Link] = []
        self._wake: tuple[int, int] | None = None  # a pipe that makes the thread look again
        self.thread: threading.Thread | None = None

    def connect(self, address: str) -> Link:
        from jeepney.io.blocking import open_dbus_connection

        try:
            connection = open_dbus_connection(bus=address, auth_timeout=REPLY_TIMEOUT)
        except CONNECT_ERRORS as exc:
            raise ActivityError(f"cannot connect to the bus at {address}: {exc}") from exc
        link = Link(self, connection)
        with self._lock:
            self._links.append(link)
            if self.thread is None:
                self._wake = os.pipe()
                self.thread = threading.Thread(
                    target=self._run, args=(self._wake[0],), name="ergo-dbus", daemon=True
                )
                self.thread.start()
            elif self._wake is not None:
                os.write(self._wake[1], b"+")
        return link

    def _run(self, wake: int) -> None:
        while True:
            with self._lock:
                if not self._links:  # the last Link closed: end, and start again when needed
                    if self._wake is not None:
                        os.close(self._wake[0])
                        os.close(self._wake[1])
                    self._wake = None
                    self.thread = None
                    return
                by_fd = {link.fileno(): link for link in self._links}
            poll = select.poll()
            poll.register(wake, select.POLLIN)
            for fd in by_fd:
                poll.register(fd, select.POLLIN)
            for fd, _events in poll.poll():
                if fd == wake:
                    os.read(wake, 512)
                elif not by_fd[fd].receive():
                    with self._lock:
                        self._links.remove(by_fd[fd])


def _ignore() -> None:
    pass


class ServiceSource:
    """Base of a source fed by one bus service: broken once it changes hands or the link ends."""

    # A new owner's state is unknown and a signal handler cannot call to ask (see Link), so the
    # source reads as broken until it is rebuilt.

    def __init__(self) -> None:
        self._changed: Callable[[], None] = _ignore
        self._broken: str | None = None

    def watch(self, changed: Callable[[], None]) -> None:
        self._changed = changed

    def _follow(self, link: Link, bus_name: str, *, who: str, bus: str = "bus") -> None:
        """Break when ``link`` ends or ``bus_name`` changes hands: "``who`` left the ``bus``"."""

        def owner_changed(owner: str) -> None:
            self._break(f"{who} restarted" if owner else f"{who} left the {bus}")

        link.on_lost(self._break)
        link.watch_owner(bus_name, owner_changed)

    def _check(self) -> None:
        """Raise ActivityError once broken."""
        if self._broken is not None:
            raise ActivityError(self._broken)

    def _break(self, reason: str) -> None:
        self._broken = reason
        self._changed()
