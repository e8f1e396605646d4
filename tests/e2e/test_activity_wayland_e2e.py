"""Wayland idle sources against a real compositor (headless sway) and real swayidle."""

from __future__ import annotations

import json
import os
import shutil
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
from support.wayland_compositor import EVENT_TIMEOUT, NOT_KNOWN_YET, Changes, Compositor, idle_of
from support.wayland_session import WaylandSession, wayland

from ergo_daemon.activity.combined import Candidate, CombinedActivity
from ergo_daemon.activity.swayidle import SwayIdle
from ergo_daemon.activity.wayland import WaylandIdle
from ergo_daemon.ports import ActivityError, Reading

__all__ = ["wayland"]
REQUIRE = os.environ.get("ERGO_TEST_REQUIRE_DESKTOP") == "1"
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


NO_SYSTEM_BUS = "unix:path=/nonexistent/system_bus_socket"


class Breakable:
    """A working source whose reads fail while ``broken[0]`` (a compositor restarting)."""

    def __init__(self, inner: WaylandIdle, broken: list[bool]) -> None:
        self._inner, self._broken = inner, broken
        self.name = inner.name
        self.tells_lock, self.tells_sleep = inner.tells_lock, inner.tells_sleep

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
