"""What the notification server says the person did with a notice: a button, or dismissing it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from ergo_daemon.notify.answers import Answer, dismissal, from_key

if TYPE_CHECKING:
    from jeepney import Message

    from ergo_daemon.activity.bus import Link
    from ergo_daemon.ports import Notice

log = logging.getLogger(__name__)
BUS_NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
DISMISSED = 2  # NotificationClosed's reason when the person closed it (1: it expired)
KEEP = 16  # notices followed at most: older ones have long left the screen


class NoticeAnswers:
    """Follows notices by their server id; calls the handler for each button press or dismissal.

    Signals arrive on the bus listener's thread, so the handler must only hand the answer on.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._on_screen: dict[int, Notice] = {}
        self._handler: Callable[[Answer], None] | None = None
        self._link: Link | None = None

    def listen(self, handler: Callable[[Answer], None]) -> None:
        self._handler = handler

    def follow(self, link: Link) -> None:
        """Subscribe to the server's ActionInvoked and NotificationClosed signals on ``link``."""
        self._link = link
        for member, handler in (
            ("ActionInvoked", self._action),
            ("NotificationClosed", self._closed),
        ):
            link.subscribe(handler, interface=BUS_NAME, member=member, path=PATH, sender=BUS_NAME)

    def shown(self, notification_id: int, notice: Notice) -> None:
        with self._lock:
            self._on_screen[notification_id] = notice
            while len(self._on_screen) > KEEP:
                del self._on_screen[next(iter(self._on_screen))]

    def _action(self, signal: Message) -> None:
        notification_id, key = signal.body
        with self._lock:
            notice = self._on_screen.pop(notification_id, None)
        answer = None if notice is None else from_key(notice, key)
        if answer is None:
            log.debug("ignoring action %r on notification %s", key, notification_id)
            return
        self._hand_on(answer)
        self._close(notification_id)

    def _close(self, notification_id: int) -> None:
        """Take an answered notice off the screen: dunst leaves that to the client."""
        from jeepney import DBusAddress, new_method_call

        if self._link is None:
            return
        address = DBusAddress(PATH, bus_name=BUS_NAME, interface=BUS_NAME)
        # send, not call: this runs on the thread that would have to read the reply
        self._link.send(new_method_call(address, "CloseNotification", "u", (notification_id,)))

    def _closed(self, signal: Message) -> None:
        notification_id, reason = signal.body
        with self._lock:
            notice = self._on_screen.pop(notification_id, None)
        if notice is not None and reason == DISMISSED and (answer := dismissal(notice)):
            self._hand_on(answer)

    def _hand_on(self, answer: Answer) -> None:
        if self._handler is None:
            log.info("%s %s: nobody listens for answers", answer.kind, answer.action)
        else:
            self._handler(answer)
