"""Wayland idle sources against a real compositor (headless sway) and real swayidle.

Debian 12's sway 1.7 offers ``org_kde_kwin_idle`` only; ``ext-idle-notify-v1`` (sway 1.8+,
Hyprland, KDE) is checked against a small compositor in this file that decodes every request
with the protocol definitions pywayland ships, and refuses what a real one would refuse.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import struct
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, closing, suppress
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from jeepney import DBusAddress, MessageType, new_error, new_method_return, new_signal
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection
from jeepney.low_level import HeaderFields
from support.cli import cli
from support.desktop import private_bus, unavailable
from support.waiting import repeating
from support.wayland_session import WaylandSession, wayland

from ergo_daemon.activity.combined import Candidate, CombinedActivity
from ergo_daemon.activity.swayidle import SwayIdle, swayidle_argv
from ergo_daemon.activity.wayland import WaylandIdle, socket_path
from ergo_daemon.ports import ActivityError, Reading

__all__ = ["wayland"]

EVENT_TIMEOUT = 5.0
REQUIRE = os.environ.get("ERGO_TEST_REQUIRE_DESKTOP") == "1"


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


# -- ext-idle-notify-v1, against the protocol definitions ---------------------------------------


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


@pytest.fixture
def compositor_at(tmp_path: Path) -> Iterator[Callable[[dict[str, int]], Compositor]]:
    """``compositor_at(globals)`` starts a checking compositor at ``tmp_path / "wl"``."""
    started: list[Compositor] = []

    def start(globals_: dict[str, int]) -> Compositor:
        started.append(Compositor(tmp_path / "wl", globals_))
        return started[-1]

    yield start
    for compositor in started:
        compositor.close()


def test_ext_idle_notify_v2_tracks_input_only_and_reports_idle_then_resumed(
    compositor_at: Callable[[dict[str, int]], Compositor], tmp_path: Path
) -> None:
    compositor = compositor_at({"wl_seat": 7, "ext_idle_notifier_v1": 2})
    source = WaylandIdle("wl", str(tmp_path), timeout=20)
    changes = Changes()
    source.watch(changes)
    try:
        made = [r for r in compositor.requests if r[0] == "ext_idle_notifier_v1"]
        # Input only: a playing video's idle inhibitor must not hide that nobody is typing.
        assert [(name, args[1]) for _, name, args in made] == [
            ("get_input_idle_notification", 20_000)
        ]
        assert source.read() == NOT_KNOWN_YET, "the compositor's timer has only just started"
        compositor.notify("idled")
        changes.wait("idled")
        assert 20.0 <= idle_of(source.read()) < 21.0
        compositor.notify("resumed")
        changes.wait("resumed")
        assert source.read().idle == 0.0
    finally:
        source.close()


def test_idle_is_not_known_during_the_first_timeout_then_known_without_an_event(
    compositor_at: Callable[[dict[str, int]], Compositor], tmp_path: Path
) -> None:
    """A person idle for minutes is told "idle" only a timeout after the subscription."""
    compositor_at({"wl_seat": 7, "ext_idle_notifier_v1": 2})
    source = WaylandIdle("wl", str(tmp_path), timeout=0.3)
    changes = Changes()
    source.watch(changes)
    try:
        assert source.read() == NOT_KNOWN_YET
        # No "idled" came within the timeout, so there was input: the daemon is told to look.
        changes.wait("idle known once the first timeout is over")
        assert source.read() == Reading(idle=0.0)
    finally:
        source.close()


def test_ext_idle_notify_v1_uses_the_original_request(
    compositor_at: Callable[[dict[str, int]], Compositor], tmp_path: Path
) -> None:
    compositor = compositor_at({"wl_seat": 1, "ext_idle_notifier_v1": 1})
    source = WaylandIdle(str(tmp_path / "wl"), "", timeout=5)
    try:
        made = [(r[1], r[2][1]) for r in compositor.requests if r[0] == "ext_idle_notifier_v1"]
        assert made == [("get_idle_notification", 5_000)]
        assert "ext-idle-notify-v1 version 1" in source.name
    finally:
        source.close()


def test_compositor_without_an_idle_protocol_is_an_activity_error(
    compositor_at: Callable[[dict[str, int]], Compositor], tmp_path: Path
) -> None:
    compositor_at({"wl_seat": 7})  # GNOME's Mutter, for one
    with pytest.raises(ActivityError, match="no idle protocol"):
        WaylandIdle("wl", str(tmp_path))


def test_protocol_error_later_wakes_the_daemon_and_fails_reads(
    compositor_at: Callable[[dict[str, int]], Compositor], tmp_path: Path
) -> None:
    compositor = compositor_at({"wl_seat": 7, "ext_idle_notifier_v1": 2})
    source = WaylandIdle("wl", str(tmp_path))
    changes = Changes()
    source.watch(changes)
    try:
        compositor.protocol_error("seat went away")
        changes.wait("protocol error")
        with pytest.raises(ActivityError, match="seat went away"):
            source.read()
    finally:
        source.close()


def test_missing_socket_or_runtime_dir_is_an_activity_error(tmp_path: Path) -> None:
    with pytest.raises(ActivityError, match="cannot talk to the Wayland compositor"):
        WaylandIdle("wayland-9", str(tmp_path))
    with pytest.raises(ActivityError, match="XDG_RUNTIME_DIR"):
        socket_path("wayland-0", "")
    assert socket_path("/run/w/sock", "/ignored") == Path("/run/w/sock")


# -- a real compositor: headless sway -----------------------------------------------------------

TIMEOUT = 0.5


def test_real_sway_reports_idle_after_the_timeout_and_input_resets_it(
    wayland: WaylandSession,
) -> None:
    source = WaylandIdle(wayland.display, wayland.runtime_dir, timeout=TIMEOUT)
    changes = Changes()
    source.watch(changes)
    try:
        assert source.read() == NOT_KNOWN_YET
        changes.wait("idle after the timeout")
        first = idle_of(source.read())
        assert TIMEOUT <= first < TIMEOUT + 1.0
        time.sleep(0.1)
        assert idle_of(source.read()) >= first + 0.1  # counts on without more events
        wayland.touch_input()
        changes.wait("input")
        assert source.read().idle == 0.0
    finally:
        source.close()


def test_real_sway_going_away_wakes_the_daemon_and_fails_reads(wayland: WaylandSession) -> None:
    source = WaylandIdle(wayland.display, wayland.runtime_dir, timeout=60)
    changes = Changes()
    source.watch(changes)
    try:
        wayland.stop()
        changes.wait("compositor exit")
        with pytest.raises(ActivityError, match="closed the connection"):
            source.read()
    finally:
        source.close()


def test_close_stops_the_listener_without_reporting_a_failure(wayland: WaylandSession) -> None:
    source = WaylandIdle(wayland.display, wayland.runtime_dir, timeout=60)
    changes = Changes()
    source.watch(changes)
    source.close()
    assert not any(t.name == "wayland-idle" for t in threading.enumerate())
    assert changes.count == 0


# -- the swayidle fallback, for real -------------------------------------------------------------


def test_swayidle_reports_idle_after_the_timeout_and_input_resets_it(
    wayland: WaylandSession,
) -> None:
    source = SwayIdle(wayland.env, timeout=1)
    changes = Changes()
    source.watch(changes)
    try:
        assert source.read() == NOT_KNOWN_YET
        changes.wait("idle after the timeout")
        assert 1.0 <= idle_of(source.read()) < 2.0
        wayland.touch_input()
        changes.wait("input")
        assert source.read().idle == 0.0
    finally:
        source.close()


def test_swayidle_leaves_the_persons_own_swayidle_config_alone(
    wayland: WaylandSession, tmp_path: Path
) -> None:
    marker = tmp_path / "screen-locked-twice"
    config = tmp_path / "config" / "swayidle" / "config"
    config.parent.mkdir(parents=True)
    config.write_text(f"timeout 1 'touch {marker}'\n")
    source = SwayIdle({**wayland.env, "XDG_CONFIG_HOME": str(config.parents[1])}, timeout=1)
    changes = Changes()
    source.watch(changes)
    try:
        changes.wait("idle after the timeout")
        changes.settle(0.3)
        assert not marker.exists()
    finally:
        source.close()


def swayidle_children() -> list[int]:
    """Our child processes running swayidle, from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError):
            pid, rest = stat.read_text().split(" (", 1)
            comm, fields = rest.rsplit(") ", 1)
            if comm == "swayidle" and int(fields.split()[1]) == os.getpid():
                found.append(int(pid))
    return found


def wait_for_error(source: SwayIdle) -> ActivityError:
    deadline = time.monotonic() + EVENT_TIMEOUT
    while time.monotonic() < deadline:
        try:
            source.read()
        except ActivityError as exc:
            return exc
        time.sleep(0.02)
    raise AssertionError("the source never failed")


def test_swayidle_child_is_gone_after_close(wayland: WaylandSession) -> None:
    before = set(swayidle_children())
    source = SwayIdle(wayland.env, timeout=60)
    started = set(swayidle_children()) - before
    assert len(started) == 1
    source.close()
    assert not started & set(swayidle_children())


def test_swayidle_ending_with_the_compositor_wakes_the_daemon_and_fails_reads(
    wayland: WaylandSession,
) -> None:
    source = SwayIdle(wayland.env, timeout=60)
    changes = Changes()
    source.watch(changes)
    try:
        wayland.stop()
        changes.wait("swayidle exit")
        with pytest.raises(ActivityError, match="swayidle stopped"):
            source.read()
    finally:
        source.close()


def test_swayidle_failing_at_start_says_why_even_to_a_late_watcher(tmp_path: Path) -> None:
    if shutil.which("swayidle") is None and not REQUIRE:
        pytest.skip("no swayidle (apt-get install swayidle)")
    environ = {**os.environ, "WAYLAND_DISPLAY": "nowhere", "XDG_RUNTIME_DIR": str(tmp_path)}
    source = SwayIdle(environ, timeout=1)
    try:
        assert "Unable to connect to the compositor" in str(wait_for_error(source))
        changes = Changes()
        source.watch(changes)  # the daemon starts watching after the child already died
        changes.wait("late watch")
    finally:
        source.close()


def test_missing_swayidle_is_an_activity_error_naming_the_package() -> None:
    with pytest.raises(ActivityError, match="install swayidle"):
        SwayIdle({}, program="ergo-no-such-swayidle")


def test_swayidle_command_line_prints_every_event() -> None:
    argv = swayidle_argv("swayidle", 5)
    assert argv[:6] == ["swayidle", "-w", "-C", os.devnull, "timeout", "5"]
    events = argv[5::2]
    assert events == ["5", "resume", "lock", "unlock", "before-sleep", "after-resume"]


# -- lock and sleep through swayidle, from a stand-in logind on a private system bus ------------

LOGIND = "org.freedesktop.login1"
MANAGER_PATH = "/org/freedesktop/login1"
SESSION_PATH = "/org/freedesktop/login1/session/ergo"


class Logind:
    """Answers what swayidle asks logind (session, sleep inhibitor) and sends its signals."""

    def __init__(self, address: str) -> None:
        self._connection = open_dbus_connection(address, enable_fds=True)
        self._connection.send_and_get_reply(message_bus.RequestName(LOGIND))
        self._send_lock = threading.Lock()
        self._stop = threading.Event()
        # swayidle asks for BlockInhibited after it subscribed to every signal it wants.
        self.subscribed = threading.Event()
        self._inhibitor = os.pipe()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def signal(
        self, path: str, interface: str, member: str, signature: str = "", *body: Any
    ) -> None:
        emitter = DBusAddress(path, interface=interface)
        self._send(new_signal(emitter, member, signature or None, body))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=EVENT_TIMEOUT)
        self._connection.close()
        for fd in self._inhibitor:
            os.close(fd)

    def _send(self, message: Any) -> None:
        with self._send_lock:
            self._connection.send(message)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                message = self._connection.receive(timeout=0.05)
            except TimeoutError:
                continue
            except OSError:
                return
            if message.header.message_type != MessageType.method_call:
                continue
            member = message.header.fields.get(HeaderFields.member)
            if member in ("GetSession", "GetSessionByPID"):
                reply = new_method_return(message, "o", (SESSION_PATH,))
            elif member == "Inhibit":
                reply = new_method_return(message, "h", (self._inhibitor[0],))
            elif member == "Get":
                reply = new_method_return(message, "v", (("s", ""),))
                self.subscribed.set()
            else:
                reply = new_error(message, "org.freedesktop.DBus.Error.UnknownMethod")
            self._send(reply)


@pytest.fixture
def logind() -> Iterator[tuple[Logind, str]]:
    """A private system bus with a stand-in logind on it; yields it and the bus address."""
    if shutil.which("dbus-daemon") is None:
        message = "no dbus-daemon (apt-get install dbus)"
        unavailable(message)
    with private_bus() as address:
        stand_in = Logind(address)
        try:
            yield stand_in, address
        finally:
            stand_in.close()


def test_swayidle_reports_logind_lock_and_imminent_sleep(
    wayland: WaylandSession, logind: tuple[Logind, str]
) -> None:
    stand_in, address = logind
    source = SwayIdle({**wayland.env, "DBUS_SYSTEM_BUS_ADDRESS": address}, timeout=60)
    changes = Changes()
    source.watch(changes)
    try:
        assert stand_in.subscribed.wait(EVENT_TIMEOUT), "swayidle never asked logind"
        stand_in.signal(SESSION_PATH, f"{LOGIND}.Session", "Lock")
        changes.wait("lock")
        assert source.read().locked
        stand_in.signal(SESSION_PATH, f"{LOGIND}.Session", "Unlock")
        changes.wait("unlock")
        assert not source.read().locked
        stand_in.signal(MANAGER_PATH, f"{LOGIND}.Manager", "PrepareForSleep", "b", True)
        changes.wait("before sleep")
        assert source.read().sleeping
        stand_in.signal(MANAGER_PATH, f"{LOGIND}.Manager", "PrepareForSleep", "b", False)
        changes.wait("after resume")
        assert not source.read().sleeping
    finally:
        source.close()


# -- choosing and running the sources in a session -----------------------------------------------

NO_SYSTEM_BUS = "unix:path=/nonexistent/system_bus_socket"


class Breakable:
    """A working source whose reads fail while ``broken[0]`` (a compositor restarting)."""

    def __init__(self, inner: WaylandIdle, broken: list[bool]) -> None:
        self._inner, self._broken = inner, broken
        self.name = inner.name

    def read(self) -> Reading:
        if self._broken[0]:
            raise ActivityError("the Wayland compositor closed the connection")
        return self._inner.read()

    def watch(self, changed: Callable[[], None]) -> None:
        self._inner.watch(changed)

    def close(self) -> None:
        self._inner.close()


def test_swayidle_runs_only_while_the_idle_protocol_does_not_work(wayland: WaylandSession) -> None:
    from ergo_daemon import backends

    env = {**wayland.env, "DBUS_SYSTEM_BUS_ADDRESS": NO_SYSTEM_BUS}
    source = backends.activity_source(env, "linux")
    try:
        assert isinstance(source, CombinedActivity)
        assert source.idle_name is not None and "Wayland idle notification" in source.idle_name
        assert swayidle_children() == [], "a swayidle standby runs although it is not needed"
    finally:
        source.close()

    now, broken = [0.0], [False]
    idle = [
        Candidate(
            WaylandIdle.name,
            lambda: Breakable(WaylandIdle(wayland.display, wayland.runtime_dir), broken),
        ),
        Candidate(SwayIdle.name, partial(SwayIdle, wayland.env, timeout=1)),
    ]
    with closing(CombinedActivity(idle, [], retry_after=10.0, clock=lambda: now[0])) as combined:
        assert swayidle_children() == []
        broken[0] = True
        combined.read()  # the protocol fails: swayidle stands in at once
        assert combined.idle_name is not None and combined.idle_name.startswith("swayidle")
        assert len(swayidle_children()) == 1
        broken[0] = False
        now[0] = 11.0  # the protocol is tried again, works, and swayidle is let go
        combined.read()
        assert combined.idle_name is not None and "Wayland" in combined.idle_name
        assert swayidle_children() == []


def test_doctor_says_idle_is_not_known_yet_during_the_first_timeout(
    wayland: WaylandSession, tmp_path: Path
) -> None:
    env = {**wayland.env, "HOME": str(tmp_path), "DBUS_SYSTEM_BUS_ADDRESS": NO_SYSTEM_BUS}
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    done = cli(env, "doctor", "--json", timeout=60)
    idle = next(f for f in json.loads(done.stdout) if f["port"] == "idle")
    assert "Wayland idle notification" in idle["backend"], idle
    assert idle["detail"].startswith("not known yet"), idle
    assert idle["ok"] is True


ALL_DAY = '[work_hours]\ndays = "mon-sun"\nhours = ["00:00-24:00"]\n'


def _daemon_env(wayland: WaylandSession, home: Path) -> dict[str, str]:
    """The daemon in the Wayland session, with a home of its own and no D-Bus."""
    env = {
        **wayland.env,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_STATE_HOME": str(home / ".local/state"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "DBUS_SYSTEM_BUS_ADDRESS": NO_SYSTEM_BUS,
    }
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    return env


def test_the_daemon_starts_with_idle_unknown_not_active_on_wayland(
    wayland: WaylandSession, start_daemon: Any, tmp_path: Path
) -> None:
    """For the first 5 s the compositor cannot have said "idle": the person may be away."""
    config = tmp_path / "config.toml"
    config.write_text(ALL_DAY)
    daemon = start_daemon(_daemon_env(wayland, tmp_path / "home"), "--config", str(config))
    with wayland_input(wayland):
        deadline = time.monotonic() + 10.0
        while "now active" not in daemon.log():
            assert time.monotonic() < deadline, "not active once idle was known:\n" + daemon.log()
            time.sleep(0.05)
    assert daemon.stop() == 0
    said = [
        line.split("daemon: ")[1] for line in daemon.log().splitlines() if "daemon: now " in line
    ]
    assert said[:2] == ["now idle-unknown", "now active"], said


def test_the_idle_timeout_follows_speed_so_away_is_seen_in_time(
    wayland: WaylandSession, start_daemon: Any, tmp_path: Path
) -> None:
    """At 120x, away after 1 s without input: a fixed 5-s timeout would read 0 until then."""
    config = tmp_path / "config.toml"
    config.write_text(ALL_DAY)
    env = _daemon_env(wayland, tmp_path / "home")
    daemon = start_daemon(env, "--speed", "120", "--config", str(config))
    assert "Wayland idle notification (org_kde_kwin_idle, after 0.0417 s)" in daemon.log()
    wayland.touch_input()
    deadline = time.monotonic() + 3.0
    while "now away" not in daemon.log():
        assert time.monotonic() < deadline, "not away 3 s after input stopped:\n" + daemon.log()
        time.sleep(0.05)
    assert daemon.stop() == 0


def wayland_input(wayland: WaylandSession, every: float = 0.5) -> AbstractContextManager[None]:
    """A person typing: a key press every ``every`` seconds for the block."""
    wayland.touch_input()  # before the block begins, not just soon after
    return repeating(wayland.touch_input, every, name="wayland-typing", errors=False)


def test_the_daemon_takes_the_compositor_back_after_it_restarts(
    start_daemon: Any, tmp_path: Path
) -> None:
    """KWin killed and started again: idle detection must come back, and away be seen again."""
    runtime = Path(tempfile.mkdtemp(prefix="ergo-kwin-"))
    display, home = runtime / "wayland-0", tmp_path / "home"
    env = {
        "PATH": str(Path(sys.executable).parent),  # no swayidle: only the protocol is tried
        "HOME": str(home),
        "XDG_RUNTIME_DIR": str(runtime),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_STATE_HOME": str(home / ".local/state"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_SESSION_TYPE": "wayland",
        "WAYLAND_DISPLAY": str(display),
        "DBUS_SYSTEM_BUS_ADDRESS": NO_SYSTEM_BUS,
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
    }
    config = tmp_path / "config.toml"
    config.write_text(ALL_DAY)  # at 120x: away after 1 s without input
    globals_ = {"wl_seat": 7, "ext_idle_notifier_v1": 2}
    compositor = Compositor(display, globals_)
    try:
        daemon = start_daemon(env, "--speed", "120", "--config", str(config))

        def said(word: str, times: int) -> None:
            deadline = time.monotonic() + EVENT_TIMEOUT
            while daemon.log().count(f"now {word}") < times:
                assert time.monotonic() < deadline, f"not {times}x {word}:\n{daemon.log()}"
                time.sleep(0.05)

        def subscribed(compositor: Compositor) -> None:
            deadline = time.monotonic() + EVENT_TIMEOUT
            while not any(r[1] == "get_input_idle_notification" for r in compositor.requests):
                assert time.monotonic() < deadline, "the daemon did not subscribe"
                time.sleep(0.02)

        subscribed(compositor)
        compositor.notify("idled")
        said("away", 1)
        compositor.notify("resumed")
        said("active", 1)

        unknown = daemon.log().count("now idle-unknown")  # 1 at start, before the first timeout
        compositor.close()  # KWin is killed
        display.unlink()
        said("idle-unknown", unknown + 1)

        compositor = Compositor(display, globals_)  # and started again; the person is away
        subscribed(compositor)
        compositor.notify("idled")
        said("away", 2)
        done = cli(env, "status", "--json")
        assert json.loads(done.stdout)["status"] == "away", done.stdout + done.stderr
        assert daemon.stop() == 0
        assert "works again" in daemon.log() or "works now" in daemon.log()
    finally:
        compositor.close()
        shutil.rmtree(runtime, ignore_errors=True)
