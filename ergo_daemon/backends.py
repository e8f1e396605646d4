"""Choose the adapter for each port: the one place that looks at the platform and desktop.

Each function imports only the module it picks, so every module imports on every OS.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ergo_daemon import paths
from ergo_daemon.control.endpoint import Endpoint
from ergo_daemon.ports import ActivitySource, DeliveryError, Notifier, QuietSignal

if TYPE_CHECKING:
    from pathlib import Path
    from zoneinfo import ZoneInfo

    from ergo_daemon.activity.bus import Listener
    from ergo_daemon.activity.combined import Candidate, CombinedActivity
    from ergo_daemon.autostart import Autostart
    from ergo_daemon.notify.sound import Chime
    from ergo_daemon.quiet import QuietSignals
    from ergo_daemon.quiet.candidates import QuietCandidate
    from ergo_daemon.settings.models import Quiet

    # Only for a type: the settings (pydantic) would cost every CLI command, 'stop' included.
    from ergo_daemon.settings.organisation import OrganisationStore

log = logging.getLogger(__name__)


def notifier(
    environ: Mapping[str, str],
    platform: str = sys.platform,
    *,
    listener: Listener | None = None,
) -> Notifier:
    """D-Bus on Linux, osascript on macOS, toasts or balloons on Windows, else plyer or the log.

    ``listener``: the thread that reads D-Bus signals, shared with the activity sources (it
    brings the notices' button presses).
    """
    from ergo_daemon.notify.log import LogNotifier

    if platform.startswith("linux"):
        bus_address = environ.get("DBUS_SESSION_BUS_ADDRESS")
        if not bus_address:  # every Linux notification server is reached over the session bus
            log.warning("notifications: no session bus; reminders go to the log only")
            return LogNotifier("no session bus (DBUS_SESSION_BUS_ADDRESS is not set)")
        from ergo_daemon.notify.fallback import FallbackNotifier
        from ergo_daemon.notify.freedesktop import FreedesktopNotifier

        dbus = FreedesktopNotifier(bus_address, listener=listener, chime=chime(platform))
        try:
            log.info("notifications: %s, server %s", dbus.name, dbus.check())
        except DeliveryError as exc:
            log.warning(
                "notifications: %s, but no server answers yet (%s); will retry", dbus.name, exc
            )
        return FallbackNotifier(dbus, LogNotifier("the session bus is gone"))
    chosen: Notifier | None = None
    if platform == "darwin":
        chosen = _macos_notifier()
    elif platform == "win32":
        chosen = _windows_notifier()
    if chosen is None:
        from ergo_daemon.notify.plyer_backend import PlyerNotifier, PlyerUnavailable, plyer_backend

        try:
            chosen = PlyerNotifier(plyer_backend(), chime=chime(platform))
        except PlyerUnavailable as exc:
            log.warning("notifications: none work (%s); reminders go to the log only", exc)
            return LogNotifier(str(exc))
    log.info("notifications: %s", chosen.name)
    return chosen


def _macos_notifier() -> Notifier | None:
    """osascript, which shows notices without an app bundle (plyer's NSUserNotification cannot)."""
    from pathlib import Path

    from ergo_daemon.notify import macos

    if not Path(macos.OSASCRIPT).exists():
        return None  # then plyer, if its backend (pyobjus) loads
    return macos.OsascriptNotifier(osascript=macos.OSASCRIPT)


def _windows_notifier() -> Notifier | None:
    """A toast where windows-toasts is installed, else plyer's balloon with its errors seen."""
    from ergo_daemon.notify.windows import BalloonNotifier, ToastNotifier

    try:
        import windows_toasts  # type: ignore[import-not-found,unused-ignore]

        return ToastNotifier(windows_toasts)
    except (ImportError, DeliveryError) as exc:
        log.info("notifications: no toasts (%s); using tray balloons", exc)
    try:
        from plyer.platforms.win.libs.balloontip import WindowsBalloonTip
    except Exception as exc:  # plyer's Win32 definitions failed to load
        log.warning("notifications: no tray balloons either (%s)", exc)
        return None
    return BalloonNotifier(WindowsBalloonTip)


def chime(platform: str = sys.platform) -> Chime:
    """The platform's own sound player, for notices whose server plays no sound."""
    import shutil

    from ergo_daemon.notify.sound import CommandChime, NoChime, WindowsChime

    if platform == "win32":
        return WindowsChime()
    if platform == "darwin":
        return CommandChime(["afplay", "/System/Library/Sounds/Glass.aiff"])
    if shutil.which("canberra-gtk-play"):
        return CommandChime(["canberra-gtk-play", "--id", "{sound}"])
    return NoChime("no sound player: install gnome-session-canberra (canberra-gtk-play)")


def notification_hint(environ: Mapping[str, str], platform: str = sys.platform) -> str:
    """What to install or change when notifications do not work (or do not show) here."""
    if platform.startswith("linux"):
        if not environ.get("DBUS_SESSION_BUS_ADDRESS"):
            return "run ergo-daemon inside your desktop session (no session bus is set)"
        return "start a notification server (your desktop's own, or e.g. dunst or mako)"
    if platform == "darwin":
        from ergo_daemon.notify.macos import ALLOW_HINT

        return ALLOW_HINT
    if platform == "win32":
        from ergo_daemon.notify.windows import ALLOW_HINT as WINDOWS_HINT

        return WINDOWS_HINT
    return "turn on notifications in your desktop's settings"


def activity_hint(environ: Mapping[str, str], platform: str = sys.platform) -> str:
    """What to install or change when idle time cannot be read here."""
    if not platform.startswith("linux"):
        return ""
    if environ.get("WAYLAND_DISPLAY"):
        return "install swayidle (KDE, sway, Hyprland), or use GNOME (Mutter reports idle time)"
    if environ.get("DISPLAY"):
        return "install libxss1 (the X screen-saver extension library)"
    return "run ergo-daemon inside your desktop session (no display is set)"


def lock_hint(environ: Mapping[str, str], platform: str = sys.platform) -> str:
    """What to start or change when no source here can tell that the screen is locked."""
    if not platform.startswith("linux"):
        return ""
    if not environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return "run ergo-daemon inside your desktop session (no session bus is set)"
    session = "or run ergo-daemon inside your login session, where systemd-logind tells it"
    if "GNOME" in environ.get("XDG_CURRENT_DESKTOP", "").upper().split(":"):
        return f"start GNOME Shell, which serves org.gnome.ScreenSaver, {session}"
    return f"run a screen locker that serves org.freedesktop.ScreenSaver, {session}"


SYSTEM_BUS = "unix:path=/run/dbus/system_bus_socket"
IDLE_WATCH_AFTER = 60.0  # seconds without input before an event-driven idle source says so
IDLE_TIMEOUT = 5.0  # seconds: the Wayland sources' "idle" timeout, the shortest break allowed


def activity_source(
    environ: Mapping[str, str],
    platform: str = sys.platform,
    *,
    idle_after: float = IDLE_WATCH_AFTER,
    idle_timeout: float = IDLE_TIMEOUT,
    retry_after: float | None = None,
    listener: Listener | None = None,
) -> ActivitySource:
    """Idle time from the first candidate that answers; lock and sleep from every one that does."""
    # idle_after: how long without input an event-driven idle source waits before it wakes the
    # daemon (the daemon's away time is a good value). idle_timeout: how soon the Wayland
    # sources, which read 0 until then, say "idle". retry_after: the first wait before a
    # source that does not work is tried again. The last two are scaled by --speed.
    from ergo_daemon.activity.combined import RETRY_AFTER, CombinedActivity

    idle, status = _activity_candidates(environ, platform, idle_after, idle_timeout, listener)
    source = CombinedActivity(idle, status, retry_after=retry_after or RETRY_AFTER)
    if source.idle_name is None and not source.status_names:
        from ergo_daemon.activity.null import UnknownActivity

        log.warning("activity: no idle source for this session; counting clock time instead")
        return UnknownActivity()
    if source.idle_name is None:
        log.warning(
            "activity: no idle source for this session; counting clock time instead (%s)",
            _lock_and_sleep(source),
        )
    else:
        log.info("activity: idle time from %s; %s", source.idle_name, _lock_and_sleep(source))
    return source


def _lock_and_sleep(source: CombinedActivity) -> str:
    """Where the lock and a coming sleep are seen, as ``doctor`` reports them."""
    lock, sleep = ", ".join(source.lock_names), ", ".join(source.sleep_names)
    return (
        f"screen lock from {lock or 'nowhere (unknown)'}; a coming sleep from "
        f"{sleep or 'nowhere'} (a sleep is always seen afterwards from the clocks)"
    )


def _activity_candidates(
    environ: Mapping[str, str],
    platform: str,
    idle_after: float,
    idle_timeout: float = IDLE_TIMEOUT,
    listener: Listener | None = None,
) -> tuple[list[Candidate], list[Candidate]]:
    """What may tell idle time, and lock or sleep, in this session: best first, one line each."""
    idle: list[Candidate] = []
    status: list[Candidate] = []
    from ergo_daemon.activity.combined import Candidate

    if platform == "darwin":
        from ergo_daemon.activity.macos import MacActivity

        return [Candidate(MacActivity.name, MacActivity)], status
    if platform == "win32":
        from ergo_daemon.activity.windows import WindowsActivity

        return [Candidate(WindowsActivity.name, WindowsActivity)], status
    if not platform.startswith("linux"):
        return idle, status
    import shutil
    from functools import partial

    from ergo_daemon.activity.bus import Listener
    from ergo_daemon.activity.logind import Logind
    from ergo_daemon.activity.mutter import MutterIdle
    from ergo_daemon.activity.screensaver import (
        FREEDESKTOP_SCREEN_SAVER,
        GNOME_SCREEN_SAVER,
        ScreenSaverLock,
    )
    from ergo_daemon.activity.x11 import X11Idle

    session_bus = environ.get("DBUS_SESSION_BUS_ADDRESS")
    system_bus = environ.get("DBUS_SYSTEM_BUS_ADDRESS") or SYSTEM_BUS
    display = environ.get("DISPLAY")
    wayland = bool(environ.get("WAYLAND_DISPLAY")) or environ.get("XDG_SESSION_TYPE") == "wayland"
    gnome = "GNOME" in environ.get("XDG_CURRENT_DESKTOP", "").upper().split(":")
    listener = listener or Listener()  # one thread receives signals for every D-Bus source
    if gnome and session_bus:
        mutter = partial(MutterIdle.connect, listener, session_bus, idle_after=idle_after)
        idle.append(Candidate(MutterIdle.name, mutter))
    if wayland and not gnome:  # KDE, sway, Hyprland: the idle protocols, then swayidle
        from ergo_daemon.activity.swayidle import SwayIdle
        from ergo_daemon.activity.wayland import WaylandIdle

        wayland_idle = partial(
            WaylandIdle,
            environ.get("WAYLAND_DISPLAY", ""),
            environ.get("XDG_RUNTIME_DIR", ""),
            timeout=idle_timeout,
        )
        idle.append(Candidate(WaylandIdle.name, wayland_idle))
        if shutil.which("swayidle"):  # started only while the protocols above do not work
            sway = partial(SwayIdle, environ, timeout=idle_timeout)
            idle.append(Candidate(SwayIdle.name, sway))
    if display and not wayland:
        idle.append(Candidate(X11Idle.name, partial(X11Idle, display)))
    if session_bus:
        savers = [GNOME_SCREEN_SAVER, FREEDESKTOP_SCREEN_SAVER]
        if not gnome:
            savers.reverse()
        screen_saver = partial(ScreenSaverLock.connect, listener, session_bus, savers)
        status.append(Candidate("screen saver", screen_saver))
    status.append(Candidate("systemd-logind", partial(Logind.connect, listener, system_bus)))
    return idle, status


def organisation_stores(platform: str = sys.platform) -> list[OrganisationStore]:
    """Machine-wide places an organisation deploys settings to; none follow user variables."""
    from ergo_daemon.settings.organisation import OrganisationFiles

    if platform == "win32":
        from functools import partial

        from ergo_daemon.settings.org_registry import (
            RegistryPolicies,
            WindowsRegistry,
            owner_sid,
            program_data,
        )
        from ergo_daemon.settings.organisation import windows_untrusted

        untrusted = partial(windows_untrusted, owner_sid=owner_sid)
        folder = OrganisationFiles(
            paths.windows_organisation_dir(program_data()), untrusted=untrusted
        )
        return [folder, RegistryPolicies(WindowsRegistry())]
    if platform == "darwin":
        import os
        import pwd

        from ergo_daemon.settings.org_managed import ManagedPreferences, managed_paths

        user = pwd.getpwuid(os.getuid()).pw_name  # not $USER: that would be redirectable
        folder = OrganisationFiles(paths.macos_organisation_dir())
        return [folder, ManagedPreferences(managed_paths(user))]
    return [OrganisationFiles(paths.linux_organisation_dir())]


def autostart(environ: Mapping[str, str], platform: str = sys.platform) -> Autostart:
    """The Run key on Windows, a LaunchAgent on macOS, XDG autostart (and systemd) elsewhere."""
    from pathlib import Path

    if platform == "win32":
        from ergo_daemon.autostart.registry import RegistryAutostart, WindowsRegistry, is_admin

        return RegistryAutostart(WindowsRegistry(), sys.executable, is_admin)
    from ergo_daemon.autostart import is_root

    home = Path(environ.get("HOME") or Path.home())
    if platform == "darwin":
        from ergo_daemon.autostart.launchd import LaunchdAutostart

        return LaunchdAutostart(home, sys.executable, is_root)
    from ergo_daemon.autostart.xdg import XdgAutostart, XdgPaths

    paths = XdgPaths.from_environ(environ, home)
    return XdgAutostart(paths, sys.executable, is_admin=is_root, environ=environ)


def control_endpoint(platform: str = sys.platform) -> Endpoint:
    """A named pipe on Windows; a Unix socket in the user's runtime folder elsewhere."""
    runtime_dir = paths.runtime_dir()
    if platform == "win32":
        from ergo_daemon.control import windows

        return windows.endpoint(runtime_dir)
    from ergo_daemon.control import posix

    return posix.endpoint(runtime_dir)


def quiet_signals(
    quiet: Quiet, tz: ZoneInfo, environ: Mapping[str, str], platform: str = sys.platform
) -> QuietSignals:
    """The signs of a call, a film or Do Not Disturb that work here, each on in ``[quiet]``."""
    from ergo_daemon.quiet import QuietSignals

    signals: list[QuietSignal] = []
    for candidate in quiet_candidates(quiet, tz, environ, platform):
        if not candidate.enabled:
            continue
        try:
            signals.append(candidate.build())
        except Exception as exc:  # a signal that cannot start here is left out, said once
            log.info("quiet: no %s here (%s)", candidate.name, exc)
    if signals:
        log.info("quiet: prompts wait for %s", ", ".join(s.name for s in signals))
    return QuietSignals(signals)


def quiet_candidates(
    quiet: Quiet, tz: ZoneInfo, environ: Mapping[str, str], platform: str = sys.platform
) -> list[QuietCandidate]:
    """Every quiet signal for this platform and desktop, cheapest first (doctor lists them)."""
    from ergo_daemon.quiet import candidates

    found = candidates.everywhere(quiet, tz)
    if platform == "darwin":
        return found + candidates.macos(quiet, environ)
    if platform == "win32":
        return found + candidates.windows(quiet)
    if platform.startswith("linux"):
        wayland = (
            bool(environ.get("WAYLAND_DISPLAY")) or environ.get("XDG_SESSION_TYPE") == "wayland"
        )
        session = candidates.LinuxSession(
            session_bus=environ.get("DBUS_SESSION_BUS_ADDRESS"),
            system_bus=environ.get("DBUS_SYSTEM_BUS_ADDRESS") or SYSTEM_BUS,
            x11_display=None if wayland else environ.get("DISPLAY"),
            wayland=wayland,
            desktops=frozenset(environ.get("XDG_CURRENT_DESKTOP", "").upper().split(":")),
            sound_socket=_sound_socket(environ),
        )
        return found + candidates.linux(quiet, session)
    return found


def _sound_socket(environ: Mapping[str, str]) -> Path | None:
    """Where PulseAudio or pipewire-pulse listens; None when PULSE_SERVER names it (any form)."""
    from pathlib import Path

    if environ.get("PULSE_SERVER") or not environ.get("XDG_RUNTIME_DIR"):
        return None
    return Path(environ["XDG_RUNTIME_DIR"]) / "pulse" / "native"
