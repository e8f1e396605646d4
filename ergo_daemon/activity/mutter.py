"""GNOME idle time (X11 and Wayland) from Mutter's org.gnome.Mutter.IdleMonitor, over D-Bus."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ergo_daemon.activity.bus import Caller, Link, Listener, ServiceSource, running_only
from ergo_daemon.ports import Reading

if TYPE_CHECKING:
    from jeepney import Message

BUS_NAME = "org.gnome.Mutter.IdleMonitor"
PATH = "/org/gnome/Mutter/IdleMonitor/Core"
INTERFACE = "org.gnome.Mutter.IdleMonitor"


def _method(name: str, signature: str | None = None, body: tuple[Any, ...] = ()) -> Message:
    from jeepney import DBusAddress, new_method_call

    address = DBusAddress(PATH, bus_name=BUS_NAME, interface=INTERFACE)
    return running_only(new_method_call(address, name, signature, body))


class MutterIdle(ServiceSource):
    """``MutterIdle.connect(listener, bus_address, idle_after=60.0)``: idle seconds from GNOME."""

    # ``read`` asks GetIdletime over a Caller, answered in the daemon's thread. Two watches wake
    # the daemon: an idle watch once input stops for ``idle_after`` seconds, then a one-shot
    # user-active watch, armed only then, for the next input. So an idle spell costs two
    # wake-ups and typing costs none.

    name = "GNOME Mutter idle monitor"
    tells_lock = False
    tells_sleep = False

    def __init__(self, link: Link, caller: Caller, *, idle_after: float) -> None:
        super().__init__()
        self._link, self._caller = link, caller
        self._idle_watch: int | None = None
        # A restarted GNOME Shell has forgotten the watches; being rebuilt re-adds them.
        self._follow(link, BUS_NAME, who="GNOME Shell", bus="session bus")
        self.read()  # the probe: raises where GNOME Shell is not running
        link.subscribe(
            self._fired, interface=INTERFACE, member="WatchFired", path=PATH, sender=BUS_NAME
        )
        (self._idle_watch,) = link.call(
            _method("AddIdleWatch", "t", (max(1, round(idle_after * 1000)),))
        )

    @classmethod
    def connect(cls, listener: Listener, address: str, *, idle_after: float) -> MutterIdle:
        """Open both connections on the session bus at ``address``; ActivityError if no answer."""
        caller = Caller(address)
        try:
            link = listener.connect(address)
        except BaseException:
            caller.close()
            raise
        try:
            return cls(link, caller, idle_after=idle_after)
        except BaseException:
            link.close()
            caller.close()
            raise

    def read(self) -> Reading:
        self._check()
        (milliseconds,) = self._caller.call(_method("GetIdletime"))
        return Reading(idle=milliseconds / 1000.0)

    def close(self) -> None:
        # Mutter drops a client's watches when its connection goes: no RemoveWatch needed.
        self._link.close()
        self._caller.close()

    def _fired(self, signal: Message) -> None:
        (watch_id,) = signal.body
        if watch_id == self._idle_watch:
            # One-shot, fired by the next input: arming it while typing would wake on every key.
            self._link.send(_method("AddUserActiveWatch"))
        self._changed()
