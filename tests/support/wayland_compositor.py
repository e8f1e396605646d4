"""A small Wayland compositor on a real socket that checks idle-protocol requests as a real one."""

from __future__ import annotations

import socket
import struct
import threading
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

from ergo_daemon.ports import Reading
from support.desktop import unavailable

EVENT_TIMEOUT = 5.0


class Changes:
    """The ``changed`` callback a daemon passes to ``watch``: waits for the next call."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.count = 0

    def __call__(self) -> None:
        self.count += 1
        self._event.set()

    def wait(self, what: str) -> None:
        assert self._event.wait(EVENT_TIMEOUT), f"no change reported: {what}"
        self._event.clear()

    def settle(self, seconds: float = 0.2) -> None:
        """Wait out callbacks already on their way, then forget them."""
        time.sleep(seconds)
        self._event.clear()


NOT_KNOWN_YET = Reading(idle=None, idle_pending=True)


def idle_of(reading: Reading) -> float:
    assert reading.idle is not None
    return reading.idle


def _protocols() -> dict[str, Any]:
    """pywayland's interface definitions by name (a test-only dependency)."""
    try:
        from pywayland.protocol.ext_idle_notify_v1 import (
            ExtIdleNotificationV1,
            ExtIdleNotifierV1,
        )
        from pywayland.protocol.wayland import WlCallback, WlDisplay, WlRegistry, WlSeat
    except ImportError as exc:
        unavailable(f"pywayland is needed for these tests (pip install pywayland): {exc}")
    interfaces = (WlDisplay, WlRegistry, WlCallback, WlSeat, ExtIdleNotifierV1)
    return {i.name: i for i in (*interfaces, ExtIdleNotificationV1)}


class ProtocolViolation(Exception):
    """A request a real compositor would answer with wl_display.error."""


class Compositor:
    """Offers ``globals_`` (interface name -> version) on a socket, one client, events on demand."""

    def __init__(self, path: Path, globals_: dict[str, int]) -> None:
        self.interfaces = _protocols()
        self.globals = list(globals_.items())
        self.requests: list[tuple[str, str, list[Any]]] = []
        self.objects: dict[int, Any] = {1: self.interfaces["wl_display"]}
        self._next_id = 2
        self._send_lock = threading.Lock()
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(str(path))
        self._server.listen(1)
        self._client: socket.socket | None = None
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def notify(self, event: str) -> None:
        """Send ``event`` (idled, resumed) to every idle notification the client made."""
        for obj, interface in list(self.objects.items()):
            if interface.name == "ext_idle_notification_v1":
                self._send(obj, [e.name for e in interface.events].index(event), b"")

    def protocol_error(self, message: str) -> None:
        self._error(1, 0, message)

    def close(self) -> None:
        with suppress(OSError):
            self._server.shutdown(socket.SHUT_RDWR)
        if self._client is not None:
            with suppress(OSError):
                self._client.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=EVENT_TIMEOUT)
        self._server.close()

    def _serve(self) -> None:
        try:
            self._client, _ = self._server.accept()
        except OSError:
            return
        buffer = b""
        while chunk := self._client.recv(4096):
            buffer += chunk
            while len(buffer) >= 8:
                obj, word = struct.unpack_from("=II", buffer)
                size = word >> 16
                if len(buffer) < size:
                    break
                body, buffer = buffer[8:size], buffer[size:]
                try:
                    self._request(obj, word & 0xFFFF, body)
                except ProtocolViolation as exc:
                    self._error(obj, 1, str(exc))
                    self._client.close()
                    return

    def _request(self, obj: int, opcode: int, body: bytes) -> None:
        if obj not in self.objects:
            raise ProtocolViolation(f"invalid object {obj}")
        interface = self.objects[obj]
        if opcode >= len(interface.requests):
            raise ProtocolViolation(f"invalid method {opcode} of {interface.name}")
        message = interface.requests[opcode]
        args: list[Any] = []
        offset = 0
        for argument in message.arguments:
            kind = argument.argument_type.name
            if kind == "NewId" and argument.interface is None:  # wl_registry.bind
                name, offset = _take_string(body, offset)
                version, offset = _take_uint(body, offset)
                new, offset = _take_uint(body, offset)
                offered = dict(self.globals)
                if name not in offered or version > offered[name]:
                    raise ProtocolViolation(f"invalid bind of {name} version {version}")
                self._new_object(new, self.interfaces[name])
                args += [name, version, new]
            elif kind == "String":
                text, offset = _take_string(body, offset)
                args.append(text)
            else:
                value, offset = _take_uint(body, offset)
                if kind == "NewId":
                    self._new_object(value, argument.interface)
                elif kind == "Object" and self.objects.get(value) is not argument.interface:
                    raise ProtocolViolation(f"argument {value} is no {argument.interface.name}")
                args.append(value)
        if offset != len(body):
            raise ProtocolViolation(f"{interface.name}.{message.name}: wrong argument size")
        self.requests.append((interface.name, message.name, args))
        if (interface.name, message.name) == ("wl_display", "get_registry"):
            for index, (name, version) in enumerate(self.globals, start=1):
                self._send(args[0], 0, _uint(index) + _string(name) + _uint(version))
        elif (interface.name, message.name) == ("wl_display", "sync"):
            self._send(args[0], 0, _uint(0))
            del self.objects[args[0]]
            self._send(1, 1, _uint(args[0]))  # delete_id

    def _new_object(self, new: int, interface: Any) -> None:
        if new != self._next_id:  # libwayland: "invalid new id"
            raise ProtocolViolation(f"invalid new id {new}, expected {self._next_id}")
        self._next_id += 1
        self.objects[new] = interface

    def _error(self, obj: int, code: int, message: str) -> None:
        self._send(1, 0, _uint(obj) + _uint(code) + _string(message))

    def _send(self, obj: int, opcode: int, body: bytes) -> None:
        assert self._client is not None
        with self._send_lock:
            self._client.sendall(struct.pack("=II", obj, (8 + len(body)) << 16 | opcode) + body)


def _uint(value: int) -> bytes:
    return struct.pack("=I", value)


def _string(text: str) -> bytes:
    data = text.encode() + b"\0"
    return _uint(len(data)) + data + b"\0" * (-len(data) % 4)


def _take_uint(body: bytes, offset: int) -> tuple[int, int]:
    return struct.unpack_from("=I", body, offset)[0], offset + 4


def _take_string(body: bytes, offset: int) -> tuple[str, int]:
    length, offset = _take_uint(body, offset)
    return body[offset : offset + length - 1].decode(), offset + length + (-length % 4)
