"""Headless desktop session (Xvfb + private D-Bus + dunst) for end-to-end tests."""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import AbstractContextManager, ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest

from support.waiting import repeating

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

# Program -> Debian package that provides it.
REQUIRED_PROGRAMS: dict[str, str] = {
    "Xvfb": "xvfb",
    "dbus-daemon": "dbus",
    "dbus-send": "dbus",
    "dunst": "dunst",
    "dunstctl": "dunst",
    "xdotool": "xdotool",
    "notify-send": "libnotify-bin",
}
NOTIFICATIONS_NAME = "org.freedesktop.Notifications"
STARTUP_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0
NOTIFICATION_TIMEOUT_S = 2

_DBUS_CONFIG = """\
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>{services}
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def bus_config(socket: Path, services: Path | None = None) -> str:
    """A bus's config file, listening on ``socket``; it starts the services in ``services``."""
    folder = "" if services is None else f"\n  <servicedir>{services}</servicedir>"
    return _DBUS_CONFIG.format(socket=socket, services=folder)


@contextmanager
def private_bus(services: Path | None = None) -> Iterator[str]:
    """A bus of its own (``bus_config``) for as long as the block runs; yields its address."""
    folder = Path(tempfile.mkdtemp(prefix="ergo-bus-"))  # short: socket paths end at ~107 bytes
    config = folder / "bus.conf"
    config.write_text(bus_config(folder / "bus", services))
    read_fd, write_fd = os.pipe()
    argv = ["dbus-daemon", f"--config-file={config}", "--nofork", "--nopidfile"]
    bus = subprocess.Popen(
        [*argv, f"--print-address={write_fd}"],
        pass_fds=(write_fd,),
        stdin=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # complaints about fd limits in containers
    )
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as ready:
            address = ready.readline().strip()
        assert address, "dbus-daemon printed no address"
        yield address
    finally:
        bus.terminate()
        bus.wait(timeout=STOP_TIMEOUT * 2)
        shutil.rmtree(folder, ignore_errors=True)


# No <servicedir>: nothing is auto-activated, so a stopped dunst stays stopped.
_DUNSTRC = """\
[global]
    font = "Monospace 8"
    idle_threshold = 0
    stack_duplicates = false
    show_indicators = false
    sticky_history = false
    history_length = 0
    always_run_script = true
    dmenu = {menu}
    browser = /bin/false

[urgency_low]
    timeout = {timeout}

[urgency_normal]
    timeout = {timeout}

[urgency_critical]
    timeout = {timeout}

[record_everything]
    summary = "*"
    script = {script}
"""

_RECORD_SCRIPT = """\
#!{python} -IS
import json, os, sys, time
rec = {{k[6:].lower(): v for k, v in os.environ.items() if k.startswith("DUNST_")}}
rec["argv"] = sys.argv[1:]
rec["received"] = time.time()
fd = os.open({log!r}, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
os.write(fd, (json.dumps(rec) + "\\n").encode())
os.close(fd)
"""


# dunst's context menu (right click, or `dunstctl context`) runs this instead of dmenu: it keeps
# the menu dunst offered and picks the first line matching the pattern a test wrote.
_MENU_SCRIPT = """\
#!{python} -IS
import re, sys
menu = sys.stdin.read()
try:
    with open({choice!r}) as f:
        wanted = f.read()
except FileNotFoundError:
    wanted = None
picked = [line for line in menu.splitlines() if wanted and re.search(wanted, line)][:1]
with open({offered!r} + ".part", "w") as f:
    f.write(menu)
import os
os.replace({offered!r} + ".part", {offered!r})
print("\\n".join(picked))
"""


class DesktopUnavailable(Exception):
    """A program needed for the desktop session is not installed."""


@dataclass(frozen=True)
class Notification:
    """One notification as dunst received it."""

    appname: str
    summary: str
    body: str
    urgency: str
    at: float = field(default=0.0, compare=False)  # when dunst ran the script (time.time())
    icon: str = field(default="", compare=False)  # the image dunst loaded (path), if any


def missing_programs() -> list[str]:
    """Return the required programs that are not on PATH."""
    return [name for name in REQUIRED_PROGRAMS if shutil.which(name) is None]


def missing_message(missing: list[str]) -> str:
    """Return the skip/fail message naming the missing programs and packages."""
    packages = sorted({REQUIRED_PROGRAMS[name] for name in missing})
    return (
        f"no desktop session: missing {', '.join(missing)} (apt-get install {' '.join(packages)})"
    )


def _log_tail(path: Path, limit: int = 2000) -> str:
    """Return the end of a log file for error messages."""
    try:
        return path.read_text(errors="replace")[-limit:]
    except OSError:
        return ""


def _popen(
    argv: list[str], env: dict[str, str], log: Path, pass_fds: tuple[int, ...] = ()
) -> subprocess.Popen[bytes]:
    """Start a program in its own process group with output sent to a log file."""
    with log.open("ab") as out:
        return subprocess.Popen(
            argv,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            pass_fds=pass_fds,
            start_new_session=True,
        )


def stop_group(proc: subprocess.Popen[bytes], timeout: float = STOP_TIMEOUT) -> None:
    """Terminate a process group, then kill it if it does not exit in time."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=timeout)
            break
        except subprocess.TimeoutExpired:
            continue
    # Also reap stragglers left in the group (e.g. dunst's script children).
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def stop_gracefully(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> int:
    """SIGTERM one process, SIGKILL it if it has not exited within ``timeout``; its exit code."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def _read_ready_line(fd: int, proc: subprocess.Popen[bytes], what: str, log: Path) -> str:
    """Read one line a daemon writes to `fd` once it is ready."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    data = b""
    while not data.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise RuntimeError(f"{what} did not become ready in time:\n{_log_tail(log)}")
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            chunk = os.read(fd, 4096)
            if not chunk:
                raise RuntimeError(f"{what} exited early (rc={proc.poll()}):\n{_log_tail(log)}")
            data += chunk
    return data.decode().strip()


def _start_reporting(
    argv: list[str], env: dict[str, str], what: str, log: Path
) -> tuple[subprocess.Popen[bytes], str]:
    """Start a daemon that reports readiness on the fd substituted for `{fd}`."""
    read_fd, write_fd = os.pipe()
    try:
        proc = _popen(
            [a.replace("{fd}", str(write_fd)) for a in argv], env, log, pass_fds=(write_fd,)
        )
    finally:
        os.close(write_fd)
    try:
        return proc, _read_ready_line(read_fd, proc, what, log)
    except BaseException:
        stop_group(proc)
        raise
    finally:
        os.close(read_fd)


@dataclass
class Desktop:
    """A running headless session: Xvfb display, private session bus and dunst."""

    env: dict[str, str]
    notification_log: Path
    log_dir: Path
    dunstrc: Path
    _dunst: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _bus: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _direction: int = field(default=1, repr=False)
    _input_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _raw_records(self) -> list[dict[str, object]]:
        """Return the complete JSON records written by the dunst script."""
        try:
            text = self.notification_log.read_text()
        except FileNotFoundError:
            return []
        # Ignore a trailing partial line that is still being written.
        lines = text.split("\n")[:-1]
        records = [json.loads(line) for line in lines if line]
        records.sort(key=lambda r: (int(str(r.get("timestamp") or 0)), int(str(r.get("id") or 0))))
        return records

    def notifications(self) -> list[Notification]:
        """Return every notification dunst has received so far, oldest first."""
        return [
            Notification(
                appname=str(r.get("app_name", "")),
                summary=str(r.get("summary", "")),
                body=str(r.get("body", "")),
                urgency=str(r.get("urgency", "")),
                at=float(r.get("received", 0.0)),  # type: ignore[arg-type]
                icon=str(r.get("icon_path", "")),
            )
            for r in self._raw_records()
        ]

    def wait_for_notifications(
        self, predicate: Callable[[list[Notification]], bool], timeout: float = 5.0
    ) -> list[Notification]:
        """Poll notifications until `predicate` holds; raise AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            current = self.notifications()
            if predicate(current):
                return current
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"notification predicate not met within {timeout}s; got {current!r}"
                )
            time.sleep(0.1)

    def touch_input(self) -> None:
        """Send one real pointer-motion event, which resets the X idle time."""
        with self._input_lock:
            dx = str(self._direction)
            self._direction = -self._direction
            subprocess.run(
                ["xdotool", "mousemove_relative", "--sync", "--", dx, "0"],
                env=self.env,
                check=True,
                timeout=5,
                stdout=subprocess.DEVNULL,
            )

    def keep_active(self, interval: float = 0.1) -> AbstractContextManager[None]:
        """Simulate an active user by calling touch_input every `interval` seconds."""
        return repeating(self.touch_input, interval, name="desktop-keep-active")

    def choose_action(self, pattern: str, timeout: float = 5.0) -> str:
        """Pick the first entry matching ``pattern`` (a regex) in dunst's context menu, as a
        person picks a button; the menu as dunst offered it, e.g. ``#Done (Break) [3,done]``."""
        choice = self.log_dir.parent / "menu-choice"
        offered = self.log_dir.parent / "menu-offered"
        choice.write_text(pattern)
        offered.unlink(missing_ok=True)
        subprocess.run(["dunstctl", "context"], env=self.env, check=True, timeout=5)
        deadline = time.monotonic() + timeout
        while not offered.exists():
            if time.monotonic() > deadline:
                raise AssertionError(f"dunst opened no context menu within {timeout} s")
            time.sleep(0.05)
        return offered.read_text()

    def _name_has_owner(self) -> bool:
        """Return whether org.freedesktop.Notifications is owned on the session bus."""
        result = subprocess.run(
            [
                "dbus-send",
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                f"string:{NOTIFICATIONS_NAME}",
            ],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=5,
        )
        return result.returncode == 0 and "boolean true" in result.stdout

    def _wait_owner(self, owned: bool) -> None:
        """Wait until the notifications name is (or is no longer) owned."""
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while self._name_has_owner() != owned:
            log = _log_tail(self.log_dir / "dunst.log")
            if owned and self._dunst is not None and self._dunst.poll() is not None:
                raise RuntimeError(f"dunst exited (rc={self._dunst.returncode}):\n{log}")
            if time.monotonic() >= deadline:
                state = "own" if owned else "release"
                raise RuntimeError(f"dunst did not {state} {NOTIFICATIONS_NAME}:\n{log}")
            time.sleep(0.05)

    def start_notification_server(self) -> None:
        """Start dunst and wait until it owns org.freedesktop.Notifications."""
        if self._dunst is not None and self._dunst.poll() is None:
            return
        self._dunst = _popen(
            ["dunst", "-config", str(self.dunstrc)], self.env, self.log_dir / "dunst.log"
        )
        try:
            self._wait_owner(True)
        except BaseException:
            self.stop_notification_server()
            raise

    def stop_session_bus(self) -> None:
        """Kill the session bus, as when a session falls apart (dunst goes with it)."""
        if self._bus is not None:
            stop_group(self._bus)
        if self._dunst is not None:
            stop_group(self._dunst)
            self._dunst = None

    def stop_notification_server(self) -> None:
        """Kill dunst and wait until the notifications name is released."""
        if self._dunst is None:
            return
        stop_group(self._dunst)
        self._dunst = None
        self._wait_owner(False)


def _session_env(home: Path, runtime_dir: Path) -> dict[str, str]:
    """Return os.environ with a private HOME, XDG dirs and no Wayland."""
    env = dict(os.environ)
    env.pop("WAYLAND_DISPLAY", None)
    env["HOME"] = str(home)
    env["XDG_RUNTIME_DIR"] = str(runtime_dir)
    for var, sub in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_STATE_HOME", ".local/state"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_CACHE_HOME", ".cache"),
    ):
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(home / sub)
    return env


@contextmanager
def desktop_session(tmp_path: Path) -> Iterator[Desktop]:
    """Run Xvfb, a private session bus and dunst; tear them all down on exit."""
    missing = missing_programs()
    if missing:
        raise DesktopUnavailable(missing_message(missing))
    base = tmp_path / "desktop"
    log_dir = base / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        # Short path under /tmp: unix socket paths are limited to ~107 bytes.
        runtime_dir = Path(tempfile.mkdtemp(prefix="ergo-xdg-"))
        stack.callback(shutil.rmtree, runtime_dir, ignore_errors=True)
        env = _session_env(base / "home", runtime_dir)

        xvfb_argv = ["Xvfb", "-displayfd", "{fd}", "-screen", "0", "1280x800x24"]
        xvfb_argv += ["-nolisten", "tcp", "-noreset"]
        xvfb, display = _start_reporting(xvfb_argv, env, "Xvfb", log_dir / "xvfb.log")
        stack.callback(stop_group, xvfb)
        env["DISPLAY"] = f":{display}"

        bus_file = runtime_dir / "bus.conf"
        bus_file.write_text(bus_config(runtime_dir / "bus"))
        bus_argv = ["dbus-daemon", f"--config-file={bus_file}", "--nofork", "--nopidfile"]
        bus_argv.append("--print-address={fd}")
        bus, address = _start_reporting(bus_argv, env, "dbus-daemon", log_dir / "dbus.log")
        stack.callback(stop_group, bus)
        env["DBUS_SESSION_BUS_ADDRESS"] = address

        notification_log = base / "notifications.jsonl"
        script = base / "record-notification"
        script.write_text(_RECORD_SCRIPT.format(python=sys.executable, log=str(notification_log)))
        script.chmod(0o755)
        menu = base / "menu"
        menu.write_text(
            _MENU_SCRIPT.format(
                python=sys.executable,
                choice=str(base / "menu-choice"),
                offered=str(base / "menu-offered"),
            )
        )
        menu.chmod(0o755)
        dunstrc = base / "dunstrc"
        dunstrc.write_text(
            _DUNSTRC.format(timeout=NOTIFICATION_TIMEOUT_S, script=script, menu=menu)
        )

        desktop = Desktop(
            env=env, notification_log=notification_log, log_dir=log_dir, dunstrc=dunstrc, _bus=bus
        )
        stack.callback(desktop.stop_notification_server)
        desktop.start_notification_server()
        yield desktop


def unavailable(message: str) -> NoReturn:
    """A part the tests need is missing: fail in CI (``ERGO_TEST_REQUIRE_DESKTOP=1``), else skip."""
    unavailable(message)


@pytest.fixture
def desktop(tmp_path: Path) -> Iterator[Desktop]:
    """Yield a running session; skip if programs are missing (fail in CI: see below)."""
    missing = missing_programs()
    if missing:
        message = missing_message(missing)
        unavailable(message)
    with desktop_session(tmp_path) as session:
        yield session
