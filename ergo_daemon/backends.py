"""Choose the adapter for each port: the one place that looks at the platform and desktop.

Each function imports only the module it picks, so every module imports on every OS.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping

from ergo_daemon.autostart import Autostart
from ergo_daemon.ports import ActivityError, ActivitySource, DeliveryError, Notifier
from ergo_daemon.settings.organisation import OrganisationStore

log = logging.getLogger(__name__)


def notifier(environ: Mapping[str, str], platform: str = sys.platform) -> Notifier:
    """D-Bus on Linux with a session bus; plyer elsewhere; the log when nothing works."""
    bus_address = environ.get("DBUS_SESSION_BUS_ADDRESS")
    if platform.startswith("linux") and bus_address:
        from ergo_daemon.notify.freedesktop import FreedesktopNotifier

        dbus = FreedesktopNotifier(bus_address)
        try:
            log.info("notifications: %s, server %s", dbus.name, dbus.server())
        except DeliveryError as exc:
            log.warning(
                "notifications: %s, but no server answers yet (%s); will retry", dbus.name, exc
            )
        return dbus
    from ergo_daemon.notify.plyer_backend import PlyerNotifier, PlyerUnavailable, plyer_backend

    try:
        chosen = PlyerNotifier(plyer_backend())
    except PlyerUnavailable as exc:
        from ergo_daemon.notify.log import LogNotifier

        log.warning("notifications: none work (%s); reminders go to the log only", exc)
        return LogNotifier()
    log.info("notifications: %s", chosen.name)
    return chosen


def activity_source(environ: Mapping[str, str], platform: str = sys.platform) -> ActivitySource:
    """X11 idle time where an X display is the session; otherwise activity is unknown."""
    display = environ.get("DISPLAY")
    if platform.startswith("linux") and display and not environ.get("WAYLAND_DISPLAY"):
        from ergo_daemon.activity.x11 import X11Idle

        try:
            source: ActivitySource = X11Idle(display)
        except ActivityError as exc:
            log.warning("activity: X11 idle time unavailable: %s", exc)
        else:
            log.info("activity: %s", source.name)
            return source
    from ergo_daemon.activity.null import UnknownActivity

    source = UnknownActivity()
    log.warning("activity: no idle source for this session; counting clock time instead")
    return source


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
