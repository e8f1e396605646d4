"""Linux desktop notifications over D-Bus (org.freedesktop.Notifications), with jeepney.

Used instead of plyer on Linux: plyer 2.1 shells out to notify-send with "-t 0" (notices never
expire) and ignores its exit status, so a missing notification server would go unnoticed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ergo_daemon.activity.bus import CallFailed, Link, Listener
from ergo_daemon.notify import APP_NAME, answers, clamp, display_seconds
from ergo_daemon.notify.freedesktop_answers import NoticeAnswers
from ergo_daemon.notify.sound import Chime
from ergo_daemon.ports import REMINDER, ActivityError, BackendGone, DeliveryError, Notifier

if TYPE_CHECKING:
    from ergo_daemon.ports import Notice

log = logging.getLogger(__name__)
REPLY_TIMEOUT = 5.0
MAX_TITLE = 120
MAX_MESSAGE = 1000


class FreedesktopNotifier(Notifier):
    """``FreedesktopNotifier(bus_address).send(notice)``; reconnects to the bus as needed.

    Its connection is read by ``listener``'s thread (shared with the activity sources), which
    also receives the server's signals: the buttons pressed and the notices dismissed.
    """

    name = "freedesktop D-Bus"

    def __init__(
        self, bus_address: str, *, listener: Listener | None = None, chime: Chime | None = None
    ) -> None:
        self._bus_address = bus_address
        self._listener = listener or Listener()
        self._chime = chime  # plays the sound where the server does not
        self._connection: Link | None = None
        self._answers = NoticeAnswers()
        # Our notices still on screen, by slot: each new one replaces its slot's last (no
        # pile-up of stale reminders), and a reminder can be closed once it is stale.
        self._ids: dict[str, int] = {}

    def listen(self, handler: Callable[[answers.Answer], None]) -> None:
        """Call ``handler`` (on the bus thread) for each button pressed or notice dismissed."""
        self._answers.listen(handler)

    def buttons(self) -> bool:
        """Whether the server draws the notices' buttons (DeliveryError: no server answers)."""
        return "actions" in self.capabilities()

    def capabilities(self) -> frozenset[str]:
        """What the server can do, e.g. ``{"actions", "body", "sound"}``."""
        (found,) = self._call("GetCapabilities", "", ())
        return frozenset(found)

    def _capabilities_for_send(self) -> frozenset[str]:
        """``capabilities()``, or none where the server refuses to say (Notify may still work)."""
        # Asked on every notice: another server may have taken over the name since the last
        # (notices are minutes apart, and it costs one local call).
        try:
            return self.capabilities()
        except (BackendGone, NoReply):  # a hung server would make Notify wait as long again
            raise
        except DeliveryError as exc:
            if self._connection is None:  # the connection broke: Notify would fail too
                raise
            log.debug("notification server refused GetCapabilities (%s): assumed none", exc)
            return frozenset()

    def check(self) -> str:
        """The notification server's name and version, e.g. ``"dunst 1.9.0"``."""
        name, vendor, version, _spec = self._call("GetServerInformation", "", ())
        return f"{name} {version} ({vendor})"

    def send(self, notice: Notice) -> None:
        hints = {"urgency": ("y", 1), "category": ("s", f"x-{APP_NAME}.reminder")}
        can = self._capabilities_for_send()
        buttons, message = self._answer_options(notice, can)
        message = clamp(message, MAX_MESSAGE)
        # Texts come from the configuration too (custom reminders, the person's own content,
        # error messages), so "Tea & <biscuits>" must show as written, not as markup.
        if "body-markup" in can:
            message = escape_markup(message)
        if notice.sound and "sound" in can:
            hints["sound-name"] = ("s", notice.sound)
        if notice.image and {"icon-static", "icon-multi"} & can:
            hints["image-path"] = ("s", Path(notice.image).as_uri())
        slot = notice.slot
        (notification_id,) = self._call(
            "Notify",
            "susssasa{sv}i",
            (
                APP_NAME,
                self._ids.get(slot, 0),
                "",
                clamp(notice.title, MAX_TITLE),
                message,
                buttons,
                hints,
                display_seconds(notice) * 1000,
            ),
        )
        self._ids[slot] = notification_id
        if notice.actions:
            self._answers.shown(notification_id, notice)
        if notice.sound and "sound" not in can and self._chime is not None:
            self._chime.play(notice.sound)

    def _answer_options(self, notice: Notice, can: frozenset[str]) -> tuple[list[str], str]:
        """Buttons where the server draws them; else the commands to type, in the message."""
        if not notice.actions:
            return [], notice.message
        if "actions" in can:
            return answers.button_list(notice), notice.message
        return [], answers.with_hint(notice, MAX_MESSAGE)

    def withdraw(self) -> None:
        """Close the reminder still on screen, if any (``CloseNotification``)."""
        if (shown := self._ids.pop(REMINDER, None)) is not None:
            self._call("CloseNotification", "u", (shown,))

    def _call(self, method: str, signature: str, body: tuple[Any, ...]) -> tuple[Any, ...]:
        from jeepney import DBusAddress, new_method_call

        address = DBusAddress(
            "/org/freedesktop/Notifications",
            bus_name="org.freedesktop.Notifications",
            interface="org.freedesktop.Notifications",
        )
        connection = self._connect()
        message = new_method_call(address, method, signature or None, body)
        try:
            return connection.call(message, timeout=REPLY_TIMEOUT)
        except CallFailed as exc:
            if exc.error_name is None:
                raise NoReply(f"notification server: {exc}") from exc
            said = str(exc).removeprefix(exc.error_name).removeprefix(": ")
            raise DeliveryError(_refusal(exc.error_name, said)) from exc
        except ActivityError as exc:
            self.close()
            raise DeliveryError(f"session bus connection lost: {exc}") from exc

    def _connect(self) -> Link:
        """The open connection, or a new one (BackendGone: not even the bus answers)."""
        if self._connection is not None and self._connection.lost is None:
            return self._connection
        self.close()
        try:
            connection = self._listener.connect(self._bus_address)
        except ActivityError as exc:
            raise BackendGone(f"session bus unavailable: {exc}") from exc
        try:
            self._answers.follow(connection)
        except ActivityError as exc:
            connection.close()
            raise DeliveryError(f"session bus connection lost: {exc}") from exc
        self._connection = connection
        return connection

    def close(self) -> None:
        self._ids.clear()  # ids belong to the server we were connected to
        if self._connection is not None:
            try:
                self._connection.close()
            finally:
                self._connection = None


class NoReply(DeliveryError):
    """The notification server did not answer in time (it hangs, or is stopped)."""


# D-Bus errors that mean nobody on the session bus shows notifications.
NO_SERVER = frozenset(
    {"org.freedesktop.DBus.Error.ServiceUnknown", "org.freedesktop.DBus.Error.NameHasNoOwner"}
)


def _refusal(name: str, said: str) -> str:
    """A D-Bus error reply in plain words, e.g. "no notification server is running ..."."""
    if name in NO_SERVER:
        return "no notification server is running on the session bus"
    short = name.rsplit(".", 1)[-1]
    return f"the notification server refused the notice ({short}{': ' + said if said else ''})"


def escape_markup(text: str) -> str:
    """Plain text as notification markup: ``"5 < 6 & 7"`` -> ``"5 &lt; 6 &amp; 7"``."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
