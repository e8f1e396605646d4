"""Wayland idle time from the compositor's idle-notify protocol, spoken directly on its socket.

``ext-idle-notify-v1`` (sway 1.8+, Hyprland, recent KDE Plasma, niri, labwc, river, ...) and the
older ``org_kde_kwin_idle`` (KDE Plasma 5, sway 1.7, wlroots before 0.17) both say "idle" once
there was no input for a timeout the client picks, and "resumed" at the next input. The few
messages needed are written here, on a wire format stable since Wayland 1.0, rather than through
pywayland: its bundled protocols lack ``org_kde_kwin_idle``, and it would be a native dependency
for a handful of integers on a Unix socket.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from pathlib import Path

from ergo_daemon.activity.idle_events import IdleSince
from ergo_daemon.ports import ActivityError

DEFAULT_TIMEOUT = 5.0  # the shortest break a person can configure: each one is seen at once
CONNECT_TIMEOUT = 5.0
DISPLAY_ID = 1
# wl_display requests and events
SYNC, GET_REGISTRY = 0, 1
ERROR, DELETE_ID = 0, 1
# wl_registry: request bind; event global
BIND, GLOBAL = 0, 0
CALLBACK_DONE = 0
# The two idle protocols: interface, the request that makes a notification, its arguments
EXT_NOTIFIER = "ext_idle_notifier_v1"
GET_IDLE_NOTIFICATION, GET_INPUT_IDLE_NOTIFICATION = 1, 2
KDE_IDLE = "org_kde_kwin_idle"
GET_IDLE_TIMEOUT = 0
# Both notification objects send event 0 when idle and event 1 when input resumes.
IDLED, RESUMED = 0, 1
SEAT = "wl_seat"
HEADER = struct.Struct("=II")


class WaylandIdle(IdleSince):
    """Idle time on Wayland compositors other than GNOME's; event-driven, lock state not known.

    Idle is not known yet for the first ``timeout`` seconds, then reads 0 until ``timeout``
    seconds pass without input, then exactly ``timeout`` plus the time since the compositor said
    so. ``display`` is ``$WAYLAND_DISPLAY`` (a name in
    ``runtime_dir``, or an absolute path), e.g. ``WaylandIdle("wayland-1", "/run/user/1000")``.
    """

    name = "Wayland idle notification"
    tells_lock = False
    tells_sleep = False

    def __init__(
        self,
        display: str,
        runtime_dir: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        path = socket_path(display, runtime_dir)
        super().__init__(timeout, clock)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        sock.settimeout(CONNECT_TIMEOUT)  # a hung compositor must not hang the daemon's start
        try:
            sock.connect(str(path))
            self._wire = _Wire(sock)
            self._notification, protocol = self._subscribe(round(timeout * 1000))
        except OSError as exc:
            sock.close()
            raise ActivityError(f"cannot talk to the Wayland compositor at {path}: {exc}") from exc
        except ActivityError:
            sock.close()
            raise
        sock.settimeout(None)
        self.name = f"{self.name} ({protocol}, after {timeout:.3g} s)"
        self._thread = threading.Thread(target=self._listen, name="wayland-idle", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._closing = True
        # Wakes the listener blocked in recv (it then reads end-of-file) before the fd is freed.
        with suppress(OSError):
            self._wire.sock.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=CONNECT_TIMEOUT)
        self._wire.sock.close()
        self._closed()

    def _subscribe(self, timeout_ms: int) -> tuple[int, str]:
        """Bind a seat and an idle protocol; the new notification's id and the protocol's name."""
        wire = self._wire
        registry = wire.new_id()
        wire.send(DISPLAY_ID, GET_REGISTRY, registry)
        globals_: dict[str, tuple[int, int]] = {}
        for obj, opcode, body in wire.roundtrip():
            if obj == registry and opcode == GLOBAL:
                name, offset = _uint(body, 0)
                interface, offset = _string(body, offset)
                version, _ = _uint(body, offset)
                globals_.setdefault(interface, (name, version))
        if SEAT not in globals_:
            raise ActivityError("the Wayland compositor has no seat (no keyboard or mouse)")
        seat = wire.bind(registry, SEAT, globals_[SEAT][0], 1)
        if EXT_NOTIFIER in globals_:
            name, version = globals_[EXT_NOTIFIER]
            notifier = wire.bind(registry, EXT_NOTIFIER, name, min(version, 2))
            notification = wire.new_id()  # ids are used in the order they are allocated
            # Version 2 can ignore idle inhibitors (a playing video): input is what counts here.
            request = GET_INPUT_IDLE_NOTIFICATION if version >= 2 else GET_IDLE_NOTIFICATION
            wire.send(notifier, request, notification, timeout_ms, seat)
            protocol = f"ext-idle-notify-v1 version {min(version, 2)}"
        elif KDE_IDLE in globals_:
            notifier = wire.bind(registry, KDE_IDLE, globals_[KDE_IDLE][0], 1)
            notification = wire.new_id()
            wire.send(notifier, GET_IDLE_TIMEOUT, notification, seat, timeout_ms)
            protocol = KDE_IDLE
        else:
            raise ActivityError(
                "the Wayland compositor has no idle protocol (ext-idle-notify-v1 or "
                "org_kde_kwin_idle); GNOME has its own, through D-Bus"
            )
        for obj, opcode, _body in wire.roundtrip():  # protocol errors surface here, not later
            if obj == notification:
                self._event(opcode)
        return notification, protocol

    def _listen(self) -> None:
        """The listener thread: apply events until the connection ends."""
        reason = "the Wayland compositor closed the connection"
        try:
            for obj, opcode, _body in self._wire.events():
                if obj == self._notification:
                    self._event(opcode)
                    self._notify()
        except (OSError, ActivityError) as exc:
            reason = f"the Wayland connection failed: {exc}"
        self._fail(reason)

    def _event(self, opcode: int) -> None:
        with self._lock:
            if opcode in (IDLED, RESUMED):
                self._set_idle(opcode == IDLED)


def socket_path(display: str, runtime_dir: str) -> Path:
    """Where a Wayland display listens: ``("wayland-1", "/run/user/1000")`` -> its socket."""
    if not display:
        raise ActivityError("no Wayland display name")
    if Path(display).is_absolute():
        return Path(display)
    if not runtime_dir:
        raise ActivityError("XDG_RUNTIME_DIR is not set, so the Wayland socket cannot be found")
    return Path(runtime_dir) / display


class _Wire:
    """Just enough of the Wayland wire format: requests out, events in, no file descriptors."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._next_id = DISPLAY_ID + 1
        self._buffer = b""

    def new_id(self) -> int:
        new, self._next_id = self._next_id, self._next_id + 1
        return new

    def send(self, obj: int, opcode: int, *args: int | str) -> None:
        body = b"".join(_string_arg(a) if isinstance(a, str) else _uint_arg(a) for a in args)
        size = HEADER.size + len(body)
        self.sock.sendall(HEADER.pack(obj, size << 16 | opcode) + body)

    def bind(self, registry: int, interface: str, name: int, version: int) -> int:
        """wl_registry.bind: a new id for global ``name`` at ``version``."""
        new = self.new_id()
        self.send(registry, BIND, name, interface, version, new)
        return new

    def roundtrip(self) -> list[tuple[int, int, bytes]]:
        """Every event the compositor sends before it answers a sync request."""
        callback = self.new_id()
        self.send(DISPLAY_ID, SYNC, callback)
        received: list[tuple[int, int, bytes]] = []
        for obj, opcode, body in self.events():
            if obj == callback and opcode == CALLBACK_DONE:
                return received
            received.append((obj, opcode, body))
        raise ActivityError("the Wayland compositor closed the connection")

    def events(self) -> Iterator[tuple[int, int, bytes]]:
        """Events as ``(object, opcode, body)`` until end of file; a protocol error raises."""
        while True:
            while len(self._buffer) >= HEADER.size:
                obj, word = HEADER.unpack_from(self._buffer)
                size, opcode = word >> 16, word & 0xFFFF
                if size < HEADER.size:
                    raise ActivityError(f"malformed Wayland message (size {size})")
                if len(self._buffer) < size:
                    break
                body, self._buffer = self._buffer[HEADER.size : size], self._buffer[size:]
                if obj == DISPLAY_ID and opcode == ERROR:
                    _object, offset = _uint(body, 0)
                    code, offset = _uint(body, offset)
                    message, _ = _string(body, offset)
                    raise ActivityError(f"Wayland protocol error {code}: {message}")
                yield obj, opcode, body
            chunk = self.sock.recv(4096)
            if not chunk:
                return
            self._buffer += chunk


def _uint_arg(value: int) -> bytes:
    return struct.pack("=I", value)


def _string_arg(value: str) -> bytes:
    data = value.encode() + b"\0"
    return struct.pack("=I", len(data)) + data + b"\0" * (-len(data) % 4)


def _uint(body: bytes, offset: int) -> tuple[int, int]:
    return struct.unpack_from("=I", body, offset)[0], offset + 4


def _string(body: bytes, offset: int) -> tuple[str, int]:
    length, offset = _uint(body, offset)
    text = body[offset : offset + length].rstrip(b"\0").decode(errors="replace")
    return text, offset + length + (-length % 4)
