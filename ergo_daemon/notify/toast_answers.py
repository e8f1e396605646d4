"""Buttons on Windows toasts (windows-toasts): the notice's answers, and what was clicked.

``button_toast(windows_toasts, notice, text_fields, handler)`` builds the Toast; show it with
``interactive_toaster(windows_toasts)``, since the plain WindowsToaster drops buttons. Windows
calls back on a thread of its own: the handler only hands the answer on (``Daemon.answer``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ergo_daemon.notify import APP_NAME
from ergo_daemon.notify.answers import LABELS, Answer, dismissal, from_key

if TYPE_CHECKING:
    from ergo_daemon.ports import Notice

log = logging.getLogger(__name__)
USER_CANCELED = 0  # ToastDismissalReason: the person closed it (1: the app hid it, 2: timed out)


def interactive_toaster(toasts: Any) -> Any:
    """The toaster that shows buttons and reports clicks (under the Command Prompt's app id,
    which Windows knows without an installer registering one)."""
    return toasts.InteractableWindowsToaster(APP_NAME)


def button_toast(
    toasts: Any,
    notice: Notice,
    text_fields: Sequence[str],
    handler: Callable[[Answer], None],
    *,
    on_failed: Callable[[Any], None] | None = None,
) -> Any:
    """A ``windows_toasts.Toast`` with one button per answer the notice offers."""
    labels = notice.labels or tuple(LABELS[key] for key in notice.actions)
    buttons = [
        toasts.ToastButton(label, arguments=key)
        for key, label in zip(notice.actions, labels, strict=True)
    ]

    def activated(event: Any) -> None:
        answer = from_key(notice, getattr(event, "arguments", None) or "")
        if answer is None:  # the toast's body, not a button: nothing to answer
            return
        _hand_on(handler, answer)

    def dismissed(event: Any) -> None:
        reason = getattr(event, "reason", None)
        if reason is not None and int(reason) == USER_CANCELED and (answer := dismissal(notice)):
            _hand_on(handler, answer)

    return toasts.Toast(
        text_fields=list(text_fields),
        actions=buttons,
        on_activated=activated,
        on_dismissed=dismissed,
        on_failed=on_failed,
    )


def _hand_on(handler: Callable[[Answer], None], answer: Answer) -> None:
    try:
        handler(answer)
    except Exception:  # on Windows' thread: nobody else would see it
        log.exception("answering %s with %s failed", answer.kind, answer.action)
