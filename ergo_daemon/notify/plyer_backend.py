"""Desktop notifications through plyer: the default on macOS and Windows."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from ergo_daemon.notify import APP_NAME, clamp, display_seconds
from ergo_daemon.notify.answers import with_hint
from ergo_daemon.notify.sound import Chime
from ergo_daemon.ports import DeliveryError, Notifier

if TYPE_CHECKING:
    from ergo_daemon.ports import Notice


# The tightest limits of plyer's backends (Windows tray balloons raise beyond 64/256 characters).
MAX_TITLE = 64
MAX_MESSAGE = 256


class PlyerUnavailable(Exception):
    """plyer has no working notification backend on this machine."""


def plyer_backend() -> Any:
    """plyer's platform implementation; raise PlyerUnavailable for its do-nothing stub."""
    from plyer import facades, notification

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # plyer warns about dbus-python it does not need
        backend = object.__getattribute__(notification, "_ensure_obj")()
    if type(backend) is facades.Notification:
        raise PlyerUnavailable("plyer found no notification backend")
    return backend


class PlyerNotifier(Notifier):
    """Notices through plyer, e.g. ``PlyerNotifier(plyer_backend()).send(notice)``."""

    def __init__(self, backend: Any, *, chime: Chime | None = None) -> None:
        self._backend = backend
        self._chime = chime  # plyer plays no sound of its own

    @property
    def name(self) -> str:
        return f"plyer ({type(self._backend).__name__})"

    def check(self) -> str:
        return "plyer reports no errors before a notice is sent: try doctor --notify"

    def send(self, notice: Notice) -> None:
        try:
            self._backend.notify(
                title=clamp(notice.title, MAX_TITLE),
                message=with_hint(notice, MAX_MESSAGE),  # plyer draws no buttons
                app_name=APP_NAME,
                timeout=display_seconds(notice),
            )
        except Exception as exc:  # plyer raises anything from ctypes to NotImplementedError
            raise DeliveryError(f"{self.name}: {type(exc).__name__}: {exc}") from exc
        if notice.sound and self._chime is not None:
            self._chime.play(notice.sound)
