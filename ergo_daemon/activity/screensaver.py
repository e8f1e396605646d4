"""Screen lock from the desktop's screen saver service (GNOME's or freedesktop's), over D-Bus."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ergo_daemon.activity.bus import CallFailed, Link, Listener
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
    return new_method_call(address, "GetActive")


def _ignore() -> None:
    pass


class ScreenSaverLock:
    """``ScreenSaverLock.connect(listener, address, services)``: lock from the first answering."""

    # ActiveChanged keeps the state, so ``read`` costs no call; NameOwnerChanged tells when the
    # service leaves the bus.

    def __init__(self, link: Link, services: Sequence[ScreenSaverService]) -> None:
        self._link = link
        self._changed: Callable[[], None] = _ignore
        self._broken: str | None = None
        refused: list[str] = []
        for service in services:
            try:
                link.call(_get_active(service))
            except CallFailed as exc:
                refused.append(f"{service.bus_name}: {exc}")
                continue
            self._service = service
            break
        else:
            raise ActivityError("no screen saver answers (" + "; ".join(refused) + ")")
        self.name = f"screen saver ({service.bus_name})"
        link.on_lost(self._lost)
        link.watch_owner(service.bus_name, self._owner_changed)
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
        link = listener.connect(address)
        try:
            return cls(link, services)
        except BaseException:
            link.close()
            raise

    def read(self) -> Reading:
        if self._broken is not None:
            raise ActivityError(self._broken)
        return Reading(idle=None, locked=bool(self._active))

    def watch(self, changed: Callable[[], None]) -> None:
        self._changed = changed

    def close(self) -> None:
        self._link.close()

    def _active_changed(self, signal: Message) -> None:
        (self._active,) = signal.body
        self._changed()

    def _owner_changed(self, owner: str) -> None:
        # A new owner starts unlocked or not: we cannot ask from here, so be rebuilt.
        self._broken = f"{self._service.bus_name} {'restarted' if owner else 'left the bus'}"
        self._changed()

    def _lost(self, reason: str) -> None:
        self._broken = reason
        self._changed()
