"""Lock, idle hint and imminent sleep from systemd-logind, on the system bus."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ergo_daemon.activity.bus import PROPERTIES, CallFailed, Link, Listener, ServiceSource
from ergo_daemon.ports import Reading

if TYPE_CHECKING:
    from jeepney import Message

log = logging.getLogger(__name__)
BUS_NAME = "org.freedesktop.login1"
MANAGER_PATH = "/org/freedesktop/login1"
MANAGER = "org.freedesktop.login1.Manager"
SESSION = "org.freedesktop.login1.Session"
USER = "org.freedesktop.login1.User"
FOLLOWED = frozenset({"IdleHint", "IdleSinceHint", "IdleSinceHintMonotonic", "LockedHint"})
WAKING = frozenset({"IdleHint", "LockedHint"})  # IdleSince* only ever change along with IdleHint


def _call(
    path: str, interface: str, method: str, signature: str | None = None, *body: Any
) -> Message:
    from jeepney import DBusAddress, new_method_call

    address = DBusAddress(path, bus_name=BUS_NAME, interface=interface)
    return new_method_call(address, method, signature, body)


class Logind(ServiceSource):
    """``Logind.connect(listener, system_bus)``: the session's lock and idle hints, and sleep."""

    tells_sleep = True  # PrepareForSleep, in a session or not

    # Everything is followed by signal (PropertiesChanged on the session, PrepareForSleep on
    # the manager), so ``read`` costs no call. The idle hint is coarse (the desktop sets it
    # after its own idle delay), so it only stands in when no idle source works.

    def __init__(self, link: Link, *, uid: int) -> None:
        super().__init__()
        self._link = link
        self._stale = False
        self._properties: Mapping[str, Any] = {}
        self._follow(link, BUS_NAME, who="systemd-logind", bus="system bus")
        link.subscribe(
            self._prepare_for_sleep,
            interface=MANAGER,
            member="PrepareForSleep",
            path=MANAGER_PATH,
            sender=BUS_NAME,
        )
        self._sleeping = bool(self._get(MANAGER_PATH, MANAGER, "PreparingForSleep"))
        self._session = self._find_session(uid)
        self.tells_lock = self._session is not None  # LockedHint is a session's
        if self._session is None:
            self.name = "systemd-logind (sleep only: not in a session)"
            return
        self.name = "systemd-logind"
        link.subscribe(
            self._session_changed,
            interface=PROPERTIES,
            member="PropertiesChanged",
            path=self._session,
            sender=BUS_NAME,
            arg0=SESSION,
        )
        self._refresh()

    @classmethod
    def connect(cls, listener: Listener, address: str, *, uid: int | None = None) -> Logind:
        """Connect to the system bus at ``address``; ActivityError when logind does not answer."""
        link = listener.connect(address)
        try:
            return cls(link, uid=os.getuid() if uid is None else uid)
        except BaseException:
            link.close()
            raise

    def read(self) -> Reading:
        self._check()
        if self._stale:  # logind sent only the names of what changed
            self._refresh()
        hints = self._properties
        return Reading(
            idle=_idle_from_hints(hints),
            locked=bool(hints.get("LockedHint")),
            sleeping=self._sleeping,
        )

    def close(self) -> None:
        self._link.close()

    def _find_session(self, uid: int) -> str | None:
        """The real session path (signals come only there), else the user's display session."""
        # A systemd --user service is in no session, so GetSession("auto") fails there.
        try:
            (path,) = self._link.call(_call(MANAGER_PATH, MANAGER, "GetSession", "s", "auto"))
            return str(path)
        except CallFailed as exc:
            reason = exc
        try:
            (user,) = self._link.call(_call(MANAGER_PATH, MANAGER, "GetUser", "u", uid))
            _id, path = self._get(user, USER, "Display")
        except CallFailed as exc:
            log.info("systemd-logind: not in a session (%s; %s)", reason, exc)
            return None
        if path == "/":
            log.info("systemd-logind: not in a session (%s) and no display session", reason)
            return None
        return str(path)

    def _get(self, path: str, interface: str, name: str) -> Any:
        (variant,) = self._link.call(_call(path, PROPERTIES, "Get", "ss", interface, name))
        return variant[1]

    def _refresh(self) -> None:
        self._stale = False
        if self._session is None:
            return
        (values,) = self._link.call(_call(self._session, PROPERTIES, "GetAll", "s", SESSION))
        self._properties = {k: v[1] for k, v in values.items() if k in FOLLOWED}

    def _prepare_for_sleep(self, signal: Message) -> None:
        (self._sleeping,) = signal.body
        self._changed()

    def _session_changed(self, signal: Message) -> None:
        _interface, changed, invalidated = signal.body
        names = set(changed) | set(invalidated)
        # A new mapping, never an update in place: read() may be looking at the old one.
        self._properties = {**self._properties, **{k: v[1] for k, v in changed.items()}}
        if FOLLOWED & set(invalidated):
            self._stale = True
        if names & WAKING:
            self._changed()


def _idle_from_hints(hints: Mapping[str, Any]) -> float | None:
    """Seconds since the desktop declared the session idle; None while it is not."""
    if not hints.get("IdleHint"):
        return None
    if since := hints.get("IdleSinceHintMonotonic"):
        return max(0.0, time.monotonic() - float(since) / 1e6)
    if since := hints.get("IdleSinceHint"):
        return max(0.0, time.time() - float(since) / 1e6)
    return 0.0
