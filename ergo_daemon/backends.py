"""Choose the adapter for each port: the one place that looks at the platform and desktop.

Each function imports only the module it picks, so every module imports on every OS.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ergo_daemon.control.endpoint import Endpoint
from ergo_daemon.ports import ActivitySource, DeliveryError, Notifier, QuietSignal
from ergo_daemon.settings.organisation import OrganisationStore

if TYPE_CHECKING:
    from pathlib import Path
    from zoneinfo import ZoneInfo

    from ergo_daemon.activity.combined import Candidate
    from ergo_daemon.autostart import Autostart
    from ergo_daemon.quiet import QuietSignals
    from ergo_daemon.quiet.candidates import QuietCandidate
    from ergo_daemon.settings.models import Quiet

log = logging.getLogger(__name__)


def notifier(environ: Mapping[str, str], platform: str = sys.platform) -> Notifier:
    """D-Bus on Linux (the log while the bus is gone); plyer elsewhere; the log if none works."""
    from ergo_daemon.notify.log import LogNotifier

    if platform.startswith("linux"):
        bus_address = environ.get("DBUS_SESSION_BUS_ADDRESS")
        if not bus_address:  # every Linux notification server is reached over the session bus
            log.warning("notifications: no session bus; reminders go to the log only")
            return LogNotifier("no session bus (DBUS_SESSION_BUS_ADDRESS is not set)")
        from ergo_daemon.notify.fallback import FallbackNotifier
        from ergo_daemon.notify.freedesktop import FreedesktopNotifier

        dbus = FreedesktopNotifier(bus_address)
        try:
            log.info("notifications: %s, server %s", dbus.name, dbus.check())
        except DeliveryError as exc:
            log.warning(
                "notifications: %s, but no server answers yet (%s); will retry", dbus.name, exc
            )
        return FallbackNotifier(dbus, LogNotifier("the session bus is gone"))
    from ergo_daemon.notify.plyer_backend import PlyerNotifier, PlyerUnavailable, plyer_backend

    try:
        chosen = PlyerNotifier(plyer_backend())
    except PlyerUnavailable as exc:
        log.warning("notifications: none work (%s); reminders go to the log only", exc)
        return LogNotifier(str(exc))
    log.info("notifications: %s", chosen.name)
    return chosen


def notification_hint(environ: Mapping[str, str], platform: str = sys.platform) -> str:
    """What to install or change when notifications do not work here."""
    if platform.startswith("linux"):
        if not environ.get("DBUS_SESSION_BUS_ADDRESS"):
            return "run ergo-daemon inside your desktop session (no session bus is set)"
        return "start a notification server (your desktop's own, or e.g. dunst or mako)"
    if platform == "darwin":
        return "allow notifications for Python in System Settings > Notifications"
    return "turn on notifications in Settings > System > Notifications"


def activity_hint(environ: Mapping[str, str], platform: str = sys.platform) -> str:
    """What to install or change when idle time cannot be read here."""
    if not platform.startswith("linux"):
        return ""
    if environ.get("WAYLAND_DISPLAY"):
        return "install swayidle (KDE, sway, Hyprland), or use GNOME (Mutter reports idle time)"
    if environ.get("DISPLAY"):
        return "install libxss1 (the X screen-saver extension library)"
    return "run ergo-daemon inside your desktop session (no display is set)"


SYSTEM_BUS = "unix:path=/run/dbus/system_bus_socket"
IDLE_WATCH_AFTER = 60.0  # seconds without input before an event-driven idle source says so


def activity_source(
    environ: Mapping[str, str],
    platform: str = sys.platform,
    *,
    idle_after: float = IDLE_WATCH_AFTER,
) -> ActivitySource:
    """Idle time from the first candidate that answers; lock and sleep from every one that does."""
    # idle_after: how long without input an event-driven idle source waits before it wakes the
    # daemon (the daemon's away time is a good value).
    from ergo_daemon.activity.combined import CombinedActivity

    idle, status = _activity_candidates(environ, platform, idle_after)
    source = CombinedActivity(idle, status)
    if source.idle_name is None and not source.status_names:
        from ergo_daemon.activity.null import UnknownActivity

        log.warning("activity: no idle source for this session; counting clock time instead")
        return UnknownActivity()
    status_names = ", ".join(source.status_names) or "none"
    if source.idle_name is None:
        log.warning(
            "activity: no idle source for this session; counting clock time instead "
            "(lock and sleep from %s)",
            status_names,
        )
    else:
        log.info(
            "activity: idle time from %s; lock and sleep from %s", source.idle_name, status_names
        )
    return source


def _activity_candidates(
    environ: Mapping[str, str], platform: str, idle_after: float
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
    listener = Listener()  # one thread receives signals for every D-Bus source
    if gnome and session_bus:
        mutter = partial(MutterIdle.connect, listener, session_bus, idle_after=idle_after)
        idle.append(Candidate(MutterIdle.name, mutter))
    if wayland and not gnome:  # KDE, sway, Hyprland: the idle protocols, then swayidle
        from ergo_daemon.activity.swayidle import SwayIdle
        from ergo_daemon.activity.wayland import WaylandIdle

        wayland_idle = partial(
            WaylandIdle, environ.get("WAYLAND_DISPLAY", ""), environ.get("XDG_RUNTIME_DIR", "")
        )
        idle.append(Candidate(WaylandIdle.name, wayland_idle))
        if shutil.which("swayidle"):
            idle.append(Candidate(SwayIdle.name, partial(SwayIdle, environ)))
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
    from pathlib import Path

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
        folder = OrganisationFiles(program_data() / "ergo-daemon", untrusted=untrusted)
        return [folder, RegistryPolicies(WindowsRegistry())]
    if platform == "darwin":
        import os
        import pwd

        from ergo_daemon.settings.org_managed import ManagedPreferences, managed_paths

        user = pwd.getpwuid(os.getuid()).pw_name  # not $USER: that would be redirectable
        folder = OrganisationFiles(Path("/Library/Application Support/ergo-daemon"))
        return [folder, ManagedPreferences(managed_paths(user))]
    return [OrganisationFiles(Path("/etc/ergo-daemon"))]


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
    import warnings
    from pathlib import Path

    import platformdirs

    with warnings.catch_warnings():  # without XDG_RUNTIME_DIR it picks a /tmp folder: fine
        warnings.simplefilter("ignore")
        runtime_dir = Path(platformdirs.user_runtime_dir("ergo-daemon", appauthor=False))
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
