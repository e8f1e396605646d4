"""Real parts for the quiet signals: a PulseAudio server, a window manager, stand-in services."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from jeepney import Message

from support import dbus_services as services
from support.desktop import Desktop, stop_gracefully, unavailable

PROGRAMS = {
    "pulseaudio": "pulseaudio",
    "pactl": "pulseaudio-utils",
    "parecord": "pulseaudio-utils",
    "openbox": "openbox",
    "wmctrl": "wmctrl",
    "xmessage": "x11-utils",
    "dunstctl": "dunst",
}
MIC = "ergo-test-mic"  # a real (null) capture source: not a ".monitor"


def require(*programs: str) -> None:
    """Fail in CI, skip elsewhere, when a program these tests drive is missing."""
    missing = [p for p in programs if shutil.which(p) is None]
    if not missing:
        return
    packages = " ".join(sorted({PROGRAMS.get(p, p) for p in missing}))
    message = f"missing {', '.join(missing)} (apt-get install {packages})"
    unavailable(message)


def eventually(check: Callable[[], Any], what: str, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.05)


@contextmanager
def pulseaudio(desktop: Desktop) -> Iterator[str]:
    """A real PulseAudio server with one capture source (MIC); yields its PULSE_SERVER."""
    require("pulseaudio", "pactl", "parecord")
    runtime = Path(desktop.env["XDG_RUNTIME_DIR"])
    socket = runtime / "pulse-test" / "native"
    socket.parent.mkdir(exist_ok=True)
    argv = [
        "pulseaudio", "--daemonize=no", "-n", "--exit-idle-time=-1", "--disable-shm=yes",
        "--use-pid-file=no", "--system=no",
        f"--load=module-native-protocol-unix socket={socket} auth-anonymous=1",
        "--load=module-null-sink sink_name=ergo-test-speakers",
        f"--load=module-null-source source_name={MIC}",
    ]  # fmt: skip
    log = (desktop.log_dir / "pulseaudio.log").open("ab")
    server = subprocess.Popen(argv, env=desktop.env, stdout=log, stderr=log)
    address = f"unix:{socket}"
    env = {**desktop.env, "PULSE_SERVER": address}
    try:
        eventually(
            lambda: subprocess.run(["pactl", "info"], env=env, capture_output=True).returncode == 0,
            "PulseAudio answering",
        )
        yield address
    finally:
        stop_gracefully(server)
        log.close()


@contextmanager
def recording(desktop: Desktop, address: str, source: str) -> Iterator[subprocess.Popen[bytes]]:
    """A real recording client (``parecord`` to /dev/null) on ``source``."""
    env = {**desktop.env, "PULSE_SERVER": address}
    client = subprocess.Popen(["parecord", "-d", source, "/dev/null"], env=env)
    try:
        eventually(
            lambda: subprocess.run(
                ["pactl", "list", "short", "source-outputs"], env=env, capture_output=True
            ).stdout.strip(),
            "parecord recording",
        )
        yield client
    finally:
        stop_gracefully(client)


@contextmanager
def window_manager(desktop: Desktop) -> Iterator[None]:
    """openbox on the desktop's X display (it keeps _NET_ACTIVE_WINDOW and _NET_WM_STATE)."""
    require("openbox", "wmctrl", "xmessage")
    wm = subprocess.Popen(
        ["openbox", "--sm-disable"],
        env=desktop.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        eventually(
            lambda: (
                subprocess.run(["wmctrl", "-m"], env=desktop.env, capture_output=True)
                .stdout.decode()
                .startswith("Name: Openbox")
            ),
            "openbox managing the display",
        )
        yield
    finally:
        stop_gracefully(wm)


@contextmanager
def film(desktop: Desktop, title: str = "ergo-test-film") -> Iterator[Callable[[bool], None]]:
    """A real window; the callable puts it in (True) or out of (False) fullscreen."""
    window = subprocess.Popen(
        ["xmessage", "-title", title, "a film"], env=desktop.env, stderr=subprocess.DEVNULL
    )

    def fullscreen(on: bool) -> None:
        change = "add" if on else "remove"
        wmctrl = ["wmctrl", "-r", title, "-b", f"{change},fullscreen"]
        subprocess.run(wmctrl, env=desktop.env, check=True, timeout=5)
        subprocess.run(["wmctrl", "-a", title], env=desktop.env, check=True, timeout=5)

    try:
        eventually(
            lambda: (
                title
                in subprocess.run(
                    ["wmctrl", "-l"], env=desktop.env, capture_output=True
                ).stdout.decode()
            ),
            "the window mapped",
        )
        yield fullscreen
    finally:
        stop_gracefully(window)


def dunst_paused(desktop: Desktop, paused: bool) -> None:
    require("dunstctl")
    argv = ["dunstctl", "set-paused", "true" if paused else "false"]
    subprocess.run(argv, env=desktop.env, check=True, timeout=5)


class Inhibitors(services.Logind):
    """logind that also answers ListInhibitors: ``inhibitors`` are (what, who, why, mode, uid)."""

    def __init__(self, address: str) -> None:
        super().__init__(address)
        self.inhibitors: list[tuple[str, str, str, str, int, int]] = []

    def inhibit(self, what: str, who: str, mode: str = "block", uid: int | None = None) -> None:
        with self.mutex:
            self.inhibitors.append(
                (what, who, "playing", mode, os.getuid() if uid is None else uid, 4242)
            )

    def handle(
        self, call: Message, member: str, args: tuple[Any, ...]
    ) -> tuple[str, tuple[Any, ...]]:
        if member == "ListInhibitors":
            with self.mutex:
                return "a(ssssuu)", (list(self.inhibitors),)
        return super().handle(call, member, args)


class Notifications(services.StandIn):
    """A notification server with KDE's ``Inhibited`` property (or none: ``kde=False``)."""

    bus_name = "org.freedesktop.Notifications"
    path = "/org/freedesktop/Notifications"

    def __init__(self, address: str, *, kde: bool = True) -> None:
        super().__init__(address)
        if kde:
            self.properties[(self.path, self.bus_name)] = {"Inhibited": ("b", False)}


class GnomeSession(services.StandIn):
    bus_name = "org.gnome.SessionManager"
    path = "/org/gnome/SessionManager"

    def __init__(self, address: str) -> None:
        super().__init__(address)
        self.properties[(self.path, self.bus_name)] = {"InhibitedActions": ("u", 0)}
