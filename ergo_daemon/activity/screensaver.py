"""Screen lock from the desktop's screen saver service (GNOME's or freedesktop's), over D-Bus."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ergo_daemon.activity.bus import (
    Caller,
    CallFailed,
    Link,
    Listener,
    ServiceSource,
    running_only,
)
from ergo_daemon.ports import ActivityError, Reading

if TYPE_CHECKING:
    from jeepney import Message


@dataclass(frozen=True)
class ScreenSaverService:
    """Where one screen saver interface lives, e.g. ``GNOME_SCREEN_SAVER``."""

    bus_name: str
    path: str

    @property
    def interface(self) -> str:
        return self.bus_name


GNOME_SCREEN_SAVER = ScreenSaverService("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver")
# KDE, Xfce and others; KDE also serves it at /ScreenSaver, but both paths answer.
FREEDESKTOP_SCREEN_SAVER = ScreenSaverService(
    "org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver"
)


def _get_active(service: ScreenSaverService) -> Message:
    from jeepney import DBusAddress, new_method_call

    address = DBusAddress(service.path, bus_name=service.bus_name, interface=service.interface)
    return running_only(new_method_call(address, "GetActive"))


class ScreenSaverLock(ServiceSource):
    """``ScreenSaverLock.connect(listener, address, services)``: lock from the first answering."""

    # ActiveChanged keeps the state, so ``read`` costs no call; NameOwnerChanged tells when the
    # service leaves the bus.

    tells_lock = True
    tells_sleep = False

    def __init__(self, link: Link, services: Sequence[ScreenSaverService]) -> None:
        super().__init__()
        self._link = link
        service = _first_answering(link, services)
        self.name = f"screen saver ({service.bus_name})"
        # A new owner may start locked or not: breaking (see ServiceSource) has it asked again.
        self._follow(link, service.bus_name, who=service.bus_name)
        link.subscribe(
            self._active_changed,
            interface=service.interface,
            member="ActiveChanged",
            sender=service.bus_name,
        )
        (self._active,) = link.call(_get_active(service))  # again: a change may have slipped by

    @classmethod
    def connect(
        cls, listener: Listener, address: str, services: Sequence[ScreenSaverService]
    ) -> ScreenSaverLock:
        """Connect to the session bus at ``address``; ActivityError when no service answers."""
        # Most desktops without one never get one, and this is retried for the whole session:
        # ask on a plain connection first, which costs a third of the wake-ups of a Link.
        caller = Caller(address)
        try:
            _first_answering(caller, services)
        finally:
            caller.close()
        link = listener.connect(address)
        try:
            return cls(link, services)
        except BaseException:
            link.close()
            raise

    def read(self) -> Reading:
        self._check()
        return Reading(idle=None, locked=bool(self._active))

    def close(self) -> None:
        self._link.close()

    def _active_changed(self, signal: Message) -> None:
        (self._active,) = signal.body
        self._changed()


def _first_answering(
    bus: Caller | Link, services: Sequence[ScreenSaverService]
) -> ScreenSaverService:
    refused: list[str] = []
    for service in services:
        try:
            bus.call(_get_active(service))
        except CallFailed as exc:
            refused.append(f"{service.bus_name}: {exc}")
            continue
        return service
    raise ActivityError("no screen saver answers (" + "; ".join(refused) + ")")
