"""Desktop Do Not Disturb, idle inhibitors: asked over D-Bus or of the desktop's own tool."""

from __future__ import annotations

import os
from datetime import datetime

from ergo_daemon.quiet.bus import BusReader, NoSuchThing
from ergo_daemon.quiet.command import Run, run

NOTIFICATIONS = "org.freedesktop.Notifications"
NOTIFICATIONS_PATH = "/org/freedesktop/Notifications"
DUNST = "org.dunstproject.cmd0"
LOGIND = "org.freedesktop.login1"
GNOME_SESSION = "org.gnome.SessionManager"
INHIBIT_IDLE = 8  # GsmInhibitorFlag: "the session may not be marked idle"


class NotificationServerPaused:
    """Do Not Disturb of the notification server itself: dunst ``paused``, KDE ``Inhibited``.

    A server with neither property (or none at all) is simply not muted.
    """

    name = "Do Not Disturb (notification server)"

    def __init__(self, session_bus: str) -> None:
        self._bus = BusReader(session_bus)

    def read(self, now: datetime) -> str | None:
        for interface, prop, who in ((DUNST, "paused", "dunst"), (NOTIFICATIONS, "Inhibited", "")):
            try:
                if self._bus.get(NOTIFICATIONS, NOTIFICATIONS_PATH, interface, prop):
                    return f"Do Not Disturb is on{f' ({who})' if who else ''}"
                return None
            except NoSuchThing:
                continue
        return None

    def close(self) -> None:
        self._bus.close()


class CommandDoNotDisturb:
    """Do Not Disturb told by a desktop's tool: ``GnomeBanners``, ``MakoMode``, ``XfceNotifyd``."""

    name = ""
    argv: tuple[str, ...] = ()

    def __init__(self, command: Run = run) -> None:
        self._run = command

    def read(self, now: datetime) -> str | None:
        return "Do Not Disturb is on" if self.muted(self._run(self.argv)) else None

    def muted(self, output: str) -> bool:
        raise NotImplementedError

    def close(self) -> None:
        pass


class GnomeBanners(CommandDoNotDisturb):
    name = "Do Not Disturb (GNOME show-banners)"
    argv = ("gsettings", "get", "org.gnome.desktop.notifications", "show-banners")

    def muted(self, output: str) -> bool:
        return output.strip() == "false"


class MakoMode(CommandDoNotDisturb):
    name = "Do Not Disturb (mako mode)"
    argv = ("makoctl", "mode")

    def muted(self, output: str) -> bool:
        # Mode names are the user's own; "do-not-disturb" is the one mako's manual uses.
        return any(line.strip() in ("do-not-disturb", "dnd") for line in output.splitlines())


class XfceNotifyd(CommandDoNotDisturb):
    name = "Do Not Disturb (xfce4-notifyd)"
    argv = ("xfconf-query", "-c", "xfce4-notifyd", "-p", "/do-not-disturb")

    def muted(self, output: str) -> bool:
        return output.strip() == "true"


class LogindIdleInhibitors:
    """A program blocks idle through logind (``ListInhibitors``: ``idle`` and ``block``).

    Video players and call apps do this to say someone is watching. Only this user's count.
    """

    name = "idle inhibitors (systemd-logind)"

    def __init__(self, system_bus: str, *, uid: int | None = None) -> None:
        self._bus = BusReader(system_bus)
        self._uid = os.getuid() if uid is None else uid

    def read(self, now: datetime) -> str | None:
        path, manager = "/org/freedesktop/login1", "org.freedesktop.login1.Manager"
        (inhibitors,) = self._bus.call(LOGIND, path, manager, "ListInhibitors")
        for what, who, why, mode, uid, _pid in inhibitors:
            if "idle" in what.split(":") and mode == "block" and uid == self._uid:
                return f"{who} keeps the screen awake" + (f" ({why})" if why else "")
        return None

    def close(self) -> None:
        self._bus.close()


class GnomeIdleInhibitors:
    """GNOME's session manager: ``InhibitedActions`` has the idle bit (8) set."""

    name = "idle inhibitors (GNOME session)"

    def __init__(self, session_bus: str) -> None:
        self._bus = BusReader(session_bus)

    def read(self, now: datetime) -> str | None:
        path = "/org/gnome/SessionManager"
        actions = self._bus.get(GNOME_SESSION, path, GNOME_SESSION, "InhibitedActions")
        return "an application keeps the session awake" if actions & INHIBIT_IDLE else None

    def close(self) -> None:
        self._bus.close()
