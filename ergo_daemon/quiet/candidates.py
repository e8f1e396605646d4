"""The quiet signals each platform may have; ``backends.quiet_candidates`` picks the list."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from ergo_daemon.ports import QuietError, QuietSignal

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from ergo_daemon.settings.models import Quiet


@dataclass(frozen=True)
class QuietCandidate:
    """One quiet signal: its ``[quiet]`` key, its name, how to build it, and the fix if absent."""

    key: str
    name: str
    build: Callable[[], QuietSignal]
    enabled: bool
    fix: str = ""


def everywhere(quiet: Quiet, tz: ZoneInfo) -> list[QuietCandidate]:
    from ergo_daemon.quiet.schedule import QuietWindows

    windows = partial(QuietWindows, quiet.windows, tz)
    fix = "add [[quiet.windows]] with days and hours, e.g. a daily stand-up"
    return [QuietCandidate("windows", QuietWindows.name, windows, bool(quiet.windows), fix)]


def macos(quiet: Quiet, environ: Mapping[str, str]) -> list[QuietCandidate]:
    from ergo_daemon.quiet.apps import QuietApps, ps_programs
    from ergo_daemon.quiet.macos import MacCamera, MacFocus, MacMicrophone, focus_file

    focus = partial(MacFocus, focus_file(Path(environ.get("HOME") or Path.home())))
    disk = "give the terminal (or Python) Full Disk Access in System Settings > Privacy"
    apps = partial(QuietApps, quiet.apps, ps_programs)
    return [
        QuietCandidate("do_not_disturb", MacFocus.name, focus, quiet.do_not_disturb, disk),
        QuietCandidate("camera", MacCamera.name, MacCamera, quiet.camera),
        QuietCandidate("microphone", MacMicrophone.name, MacMicrophone, quiet.microphone),
        QuietCandidate("apps", QuietApps.name, apps, bool(quiet.apps), APPS_FIX),
    ]


def windows(quiet: Quiet) -> list[QuietCandidate]:
    from ergo_daemon.quiet.apps import QuietApps, tasklist_programs
    from ergo_daemon.quiet.windows import (
        ConsentInUse,
        NotificationsOff,
        NotificationState,
        WindowsUserRegistry,
    )

    registry = WindowsUserRegistry()
    privacy = "allow camera and microphone access for desktop apps in Settings > Privacy"
    camera = partial(ConsentInUse, "webcam", registry, tasklist_programs)
    microphone = partial(ConsentInUse, "microphone", registry, tasklist_programs)
    muted = partial(NotificationsOff, registry)
    apps = partial(QuietApps, quiet.apps, tasklist_programs)
    return [
        QuietCandidate("do_not_disturb", NotificationsOff.name, muted, quiet.do_not_disturb),
        QuietCandidate("fullscreen", NotificationState.name, NotificationState, quiet.fullscreen),
        QuietCandidate("camera", "camera (ConsentStore)", camera, quiet.camera, privacy),
        QuietCandidate("microphone", "microphone (ConsentStore)", microphone, quiet.microphone),
        QuietCandidate("apps", QuietApps.name, apps, bool(quiet.apps), APPS_FIX),
    ]


APPS_FIX = 'list program names that hold prompts in quiet.apps, e.g. apps = ["zoom"]'
SESSION_FIX = "run ergo-daemon inside your desktop session (no session bus is set)"
PACTL_FIX = (
    "install pulseaudio-utils (pactl talks to PulseAudio and to PipeWire's pipewire-pulse) "
    "and run one of them, or set quiet.microphone = false"
)


@dataclass(frozen=True)
class LinuxSession:
    """What ``backends`` found out about this Linux session."""

    session_bus: str | None
    system_bus: str
    x11_display: str | None
    wayland: bool
    desktops: frozenset[str]  # XDG_CURRENT_DESKTOP, upper case: {"GNOME"}, {"KDE"}, ...
    sound_socket: Path | None = None  # PulseAudio's (or pipewire-pulse's) socket, if known


def linux(quiet: Quiet, session: LinuxSession) -> list[QuietCandidate]:
    from ergo_daemon.quiet import desktop, proc
    from ergo_daemon.quiet.apps import QuietApps
    from ergo_daemon.quiet.linux import CameraInUse, MicrophoneInUse
    from ergo_daemon.quiet.x11 import FullscreenWindow

    session_bus, system_bus = session.session_bus, session.system_bus
    display, wayland, desktops = session.x11_display, session.wayland, session.desktops
    dnd, inhibitors = quiet.do_not_disturb, quiet.inhibitors
    server = desktop.NotificationServerPaused
    found = [
        QuietCandidate(
            "do_not_disturb",
            server.name,
            partial(server, session_bus) if session_bus else _missing("no session bus"),
            dnd,
            SESSION_FIX,
        )
    ]
    commands = [
        ("GNOME" in desktops, "gsettings", desktop.GnomeBanners),
        ("XFCE" in desktops, "xfconf-query", desktop.XfceNotifyd),
        (wayland, "makoctl", desktop.MakoMode),
    ]
    for wanted, program, kind in commands:
        if wanted and shutil.which(program):
            found.append(QuietCandidate("do_not_disturb", kind.name, kind, dnd))
    if display:
        fullscreen = partial(FullscreenWindow, display)
        fix = "use a window manager that follows EWMH (every common one does)"
        found.append(
            QuietCandidate("fullscreen", FullscreenWindow.name, fullscreen, quiet.fullscreen, fix)
        )
    logind = partial(desktop.LogindIdleInhibitors, system_bus)
    fix = "needs the system bus and systemd-logind, or set quiet.inhibitors = false"
    found.append(
        QuietCandidate("inhibitors", desktop.LogindIdleInhibitors.name, logind, inhibitors, fix)
    )
    if "GNOME" in desktops and session_bus:
        gnome = partial(desktop.GnomeIdleInhibitors, session_bus)
        found.append(
            QuietCandidate("inhibitors", desktop.GnomeIdleInhibitors.name, gnome, inhibitors)
        )
    found.append(QuietCandidate("camera", CameraInUse.name, CameraInUse, quiet.camera))
    microphone: Callable[[], QuietSignal] = partial(MicrophoneInUse, socket=session.sound_socket)
    if not shutil.which("pactl"):
        microphone = _missing("pactl is not installed")
    found.append(
        QuietCandidate("microphone", MicrophoneInUse.name, microphone, quiet.microphone, PACTL_FIX)
    )
    apps = partial(QuietApps, quiet.apps, proc.programs)
    found.append(QuietCandidate("apps", QuietApps.name, apps, bool(quiet.apps), APPS_FIX))
    return found


def _missing(why: str) -> Callable[[], QuietSignal]:
    def build() -> QuietSignal:
        raise QuietError(why)

    return build
