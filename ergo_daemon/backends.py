"""Choose the adapter for each port: the one place that looks at the platform and desktop.

Each function imports only the module it picks, so every module imports on every OS.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping

from ergo_daemon.ports import ActivityError, ActivitySource, DeliveryError, Notifier

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
