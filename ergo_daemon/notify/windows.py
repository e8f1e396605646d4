"""Windows notifications: toasts (windows-toasts) where installed, else plyer's tray balloon.

plyer shows its balloon from a thread of its own, so every error stays in that thread and the
daemon believes the notice was shown. Both adapters here wait for the outcome and raise
DeliveryError, which the daemon logs and retries.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ergo_daemon.notify import APP_NAME, clamp, display_seconds
from ergo_daemon.notify.answers import Answer, with_hint
from ergo_daemon.notify.toast_answers import button_toast, interactive_toaster
from ergo_daemon.ports import DeliveryError, Notifier

if TYPE_CHECKING:
    from ergo_daemon.ports import Notice

# Windows reports a toast it could not show through a Failed event shortly after show(); a
# toast that raised nothing by then counts as shown.
FAILED_WAIT = 0.5
SHOW_WAIT = 5.0  # seconds for the balloon's window and tray icon to be set up
MAX_TITLE, MAX_MESSAGE = 64, 256  # the balloon raises ValueError beyond these
ALLOW_HINT = (
    "turn on notifications in Settings > System > Notifications, for ergo-daemon too, "
    "and check that Do not disturb or Focus is off"
)
# ToastNotifier.Setting (Windows.UI.Notifications.NotificationSetting), by value.
_SETTINGS = {
    1: "notifications are turned off for ergo-daemon in Settings > System > Notifications",
    2: "notifications are turned off for this user in Settings > System > Notifications",
    3: "notifications are turned off by Group Policy",
    4: "notifications are turned off for this program by its manifest",
}


class ToastNotifier(Notifier):
    """Toasts through windows-toasts: ``ToastNotifier(windows_toasts).send(notice)``.

    ``toasts`` is the imported ``windows_toasts`` module, the seam tests replace.
    """

    name = "Windows toast (windows-toasts)"
    allow = ALLOW_HINT  # what the person may have to allow before notices show

    def __init__(self, toasts: Any, *, failed_wait: float = FAILED_WAIT) -> None:
        self._toasts = toasts
        self._failed_wait = failed_wait
        self._answer: Callable[[Answer], None] | None = None
        try:
            self._toaster = interactive_toaster(toasts)  # the plain WindowsToaster drops buttons
        except Exception as exc:  # WinRT raises OSError subclasses and its own errors
            raise DeliveryError(f"cannot set up toasts: {type(exc).__name__}: {exc}") from exc

    def listen(self, handler: Callable[[Answer], None]) -> None:
        """Call ``handler`` (on Windows' thread) for each button clicked or toast closed."""
        self._answer = handler

    def buttons(self) -> bool:
        return True

    def check(self) -> str:
        self._refuse_if_turned_off()
        return "toasts are turned on"

    def send(self, notice: Notice) -> None:
        self._refuse_if_turned_off()
        failures: queue.SimpleQueue[Any] = queue.SimpleQueue()
        text = [clamp(notice.title, MAX_TITLE), clamp(notice.message, MAX_MESSAGE)]
        try:
            if notice.actions and self._answer is not None:
                toast = button_toast(
                    self._toasts, notice, text, self._answer, on_failed=failures.put
                )
            else:
                toast = self._toasts.Toast(text_fields=text, on_failed=failures.put)
            self._toaster.show_toast(toast)
        except Exception as exc:  # anything from WinRT: a delivery that did not happen
            raise DeliveryError(f"toast: {type(exc).__name__}: {exc}") from exc
        try:
            failed = failures.get(timeout=self._failed_wait)
        except queue.Empty:
            return
        code = getattr(failed, "error_code", failed)
        raise DeliveryError(f"Windows could not show the toast (error {code})")

    def _refuse_if_turned_off(self) -> None:
        try:
            setting = int(self._toaster.toastNotifier.setting)
        except Exception:  # an unregistered app id cannot be asked: try showing instead
            return
        if setting in _SETTINGS:
            raise DeliveryError(_SETTINGS[setting])


class BalloonNotifier(Notifier):
    """plyer's tray balloon, shown from a thread whose outcome ``send`` waits for.

    ``balloon_class`` is plyer's ``WindowsBalloonTip`` (tests give it a fake ``win_api_defs``).
    """

    name = "Windows tray balloon (plyer)"
    allow = ALLOW_HINT  # what the person may have to allow before notices show

    def __init__(self, balloon_class: type[Any], *, show_wait: float = SHOW_WAIT) -> None:
        self._balloon_class = balloon_class
        self._show_wait = show_wait

    def check(self) -> str:
        return "tray balloons report errors only when a notice is sent: try doctor --notify"

    def send(self, notice: Notice) -> None:
        kwargs = {
            "title": clamp(notice.title, MAX_TITLE),
            "message": with_hint(notice, MAX_MESSAGE),  # a balloon has no buttons
            "app_name": APP_NAME,
            "timeout": display_seconds(notice),
        }
        outcome: queue.SimpleQueue[BaseException | None] = queue.SimpleQueue()
        thread = threading.Thread(
            target=self._show, args=(kwargs, outcome), name="ergo-balloon", daemon=True
        )
        thread.start()
        try:
            error = outcome.get(timeout=self._show_wait)
        except queue.Empty:
            raise DeliveryError(
                f"the tray balloon was not shown within {self._show_wait:.0f} s"
            ) from None
        if error is not None:
            raise DeliveryError(f"tray balloon: {type(error).__name__}: {error}") from error

    def _show(
        self, kwargs: dict[str, Any], outcome: queue.SimpleQueue[BaseException | None]
    ) -> None:
        """Build the balloon (it stays up for ``timeout`` seconds), saying when it is shown."""

        base: Any = self._balloon_class

        class Watched(base):  # type: ignore[misc]
            def notify(self, title: str, message: str, app_name: str) -> None:
                super().notify(title, message, app_name)
                outcome.put(None)

        try:
            balloon = Watched(**kwargs)
        except Exception as exc:  # plyer raises bare Exception for every Win32 failure
            outcome.put(exc)
            return
        # plyer keeps every balloon alive until exit (atexit), so its tray icons would pile up
        # over a working day: take this one's icon away once its time is over.
        try:
            balloon.remove_notify()
        except Exception:  # nothing left to tell anyone: the notice was shown
            return
