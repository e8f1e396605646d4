"""The optional break screen, run in a child process so the daemon itself never loads Tk.

``BreakScreen(sys.executable).show(notice, seconds=300, mode="window", postpone="5 min")``
starts ``python -m ergo_daemon.screen.window`` and waits (a few seconds at most) until it says
its window is up; False means the notice must be shown instead.
"""

from __future__ import annotations

import json
import logging
import os
import select
from dataclasses import dataclass
from importlib.util import find_spec
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import subprocess

    from ergo_daemon.ports import Notice

log = logging.getLogger(__name__)
Mode = Literal["window", "strict"]
SHOWN = b"shown\n"  # the child's first line once its window is drawn
OPEN_TIMEOUT = 5.0  # seconds: Tk starts in a fraction of that; a hung display must not hold us
INSTALL_TK = (
    "install python3-tk (Debian, Ubuntu), python3-tkinter (Fedora) or tk (Arch); a Python "
    "built from source (pyenv) needs the Tk headers (tk-dev) before it is built"
)
MISSING_TK = f"Python's Tk support (tkinter) is missing: {INSTALL_TK}"


@dataclass(frozen=True)
class Request:
    """What the window shows: handed to the child as JSON on its standard input."""

    title: str
    message: str
    seconds: float
    mode: Mode
    postpone: str  # the snooze length in words, e.g. "5 min"

    def encode(self) -> bytes:
        return json.dumps(self.__dict__).encode()


def missing() -> str | None:
    """Why no window can be drawn by this Python (None: tkinter is there), without loading Tk."""
    return None if find_spec("_tkinter") is not None else MISSING_TK


class BreakScreen:
    """Starts the break window; at most one at a time."""

    def __init__(self, python: str) -> None:
        self._python = python
        self._child: subprocess.Popen[bytes] | None = None

    def show(self, notice: Notice, *, seconds: float, mode: Mode, postpone: str) -> bool:
        """Open the window for ``notice``; False (and logged) when it cannot be opened."""
        import subprocess

        if (why := missing()) is not None:
            log.warning("break screen: %s; showing the notice instead", why)
            return False
        self.close()  # an old window still up belongs to a break that is over
        request = Request(notice.title, notice.message, seconds, mode, postpone)
        try:
            child = subprocess.Popen(
                [self._python, "-m", "ergo_daemon.screen.window"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
        except OSError as exc:
            log.warning("break screen: cannot start %s (%s); showing the notice", self._python, exc)
            return False
        assert child.stdin is not None and child.stdout is not None
        try:
            child.stdin.write(request.encode())
            child.stdin.close()
        except OSError:  # it died at once; the answer below says so
            pass
        ready, _, _ = select.select([child.stdout], [], [], OPEN_TIMEOUT)
        first = os.read(child.stdout.fileno(), len(SHOWN)) if ready else b""
        if first != SHOWN:
            log.warning("break screen: no window opened; showing the notice instead")
            self._child = child
            self.close()
            return False
        self._child = child
        return True

    def reap(self) -> None:
        """Collect a window that has closed (so no zombie process waits)."""
        if self._child is not None and self._child.poll() is not None:
            self._finish()

    def close(self) -> None:
        """Close a window still up (on a new break, and on stop)."""
        if self._child is None:
            return
        if self._child.poll() is None:
            self._child.terminate()
            try:
                self._child.wait(timeout=2)
            except Exception:  # subprocess.TimeoutExpired: it ignores SIGTERM
                self._child.kill()
                self._child.wait()
        self._finish()

    def _finish(self) -> None:
        if self._child is not None and self._child.stdout is not None:
            self._child.stdout.close()
        self._child = None
