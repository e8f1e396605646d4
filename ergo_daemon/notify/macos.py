"""macOS notifications through ``osascript -e 'display notification ...'``.

Used instead of plyer: plyer's macOS backend needs pyobjus and NSUserNotificationCenter, which
shows nothing for a process outside an app bundle. osascript ships with every macOS and posts
to Notification Center as "Script Editor", whatever process runs it.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ergo_daemon.notify import clamp
from ergo_daemon.notify.answers import with_hint
from ergo_daemon.ports import DeliveryError, Notifier

if TYPE_CHECKING:
    from ergo_daemon.ports import Notice

OSASCRIPT = "/usr/bin/osascript"
TIMEOUT = 10.0  # seconds; osascript answers in well under one unless the system hangs
MAX_TITLE = 120
MAX_MESSAGE = 500
ALLOW_HINT = (
    "allow notifications for Script Editor in System Settings > Notifications "
    "(macOS lists the notices osascript shows under Script Editor)"
)

Runner = Callable[..., "subprocess.CompletedProcess[Any]"]

# Inside an AppleScript string literal only the backslash and the double quote are special;
# line breaks and tabs are written as escapes so the script stays one line, and other control
# characters are dropped.
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def applescript_string(text: str) -> str:
    """``text`` as an AppleScript string literal: ``applescript_string('a"b')`` -> ``"a\\"b"``."""
    text = text.replace("\r\n", "\n")
    out = [_ESCAPES.get(c, c) for c in text if c in _ESCAPES or c.isprintable()]
    return '"' + "".join(out) + '"'


def one_line(text: str) -> str:
    """A title shows on one line: breaks and tabs become spaces."""
    return " ".join(text.split())


def osascript_argv(notice: Notice, osascript: str = OSASCRIPT) -> list[str]:
    """The command that shows ``notice``, e.g. ``[osascript, "-e", 'display notification ...']``."""
    message = applescript_string(with_hint(notice, MAX_MESSAGE))  # no buttons: say what to type
    title = applescript_string(clamp(one_line(notice.title), MAX_TITLE))
    return [osascript, "-e", f"display notification {message} with title {title}"]


class OsascriptNotifier(Notifier):
    """``OsascriptNotifier().send(notice)``; ``run`` is the seam tests replace (subprocess.run)."""

    name = "macOS Notification Center (osascript)"
    allow = ALLOW_HINT  # what the person may have to allow before notices show

    def __init__(self, run: Runner = subprocess.run, osascript: str = OSASCRIPT) -> None:
        self._run = run
        self._osascript = osascript

    def check(self) -> str:
        """osascript answers; whether notices show is up to System Settings (see ALLOW_HINT)."""
        self._osascript_call(["-e", "return 1"])
        return f"{self._osascript} answers; notices show if {ALLOW_HINT}"

    def send(self, notice: Notice) -> None:
        self._osascript_call(osascript_argv(notice, self._osascript)[1:])

    def _osascript_call(self, args: Sequence[str]) -> None:
        argv = [self._osascript, *args]
        try:
            done = self._run(argv, capture_output=True, text=True, timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired as exc:
            raise DeliveryError(f"osascript did not finish within {TIMEOUT:.0f} s") from exc
        except OSError as exc:
            raise DeliveryError(f"cannot run {self._osascript}: {exc}") from exc
        if done.returncode != 0:
            said = (done.stderr or "").strip() or "no message"
            raise DeliveryError(f"osascript exited with status {done.returncode}: {said}")
