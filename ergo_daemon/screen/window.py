"""The break window: ``python -m ergo_daemon.screen.window`` with a Request as JSON on stdin.

It shows the break, counts its length down while nobody types, and answers through the control
channel (Postpone is ``snooze break``, Skip is ``skip break``), as the commands do. A "break
over" notice ends it. Exit status 3: no window could be opened (the daemon shows the notice).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ergo_daemon.paths import APP

if TYPE_CHECKING:
    import tkinter as tk

    from ergo_daemon.ports import ActivitySource

NO_WINDOW = 3
TYPING = 1.5  # seconds since the last input below which the person counts as typing
STEP_MS = 250
FONT = "Helvetica"


def remaining_text(seconds: float) -> str:
    """``"4:05"``: minutes and seconds left, rounded up so 0:00 means over."""
    whole = max(0, int(-(-seconds // 1)))
    return f"{whole // 60}:{whole % 60:02d}"


def ask_daemon(command: str) -> tuple[bool, str]:
    """Send ``command`` for the break to the running daemon; (ok, its answer)."""
    from ergo_daemon import backends
    from ergo_daemon.control.channel import NotRunning, call
    from ergo_daemon.control.messages import BadRequest, encode_request, parse_reply
    from ergo_daemon.kinds import BREAK

    try:
        raw = call(backends.control_endpoint(), encode_request(command, kind=BREAK.name))
        ok, message, _ = parse_reply(raw)
    except (NotRunning, OSError, TimeoutError, BadRequest) as exc:
        return False, str(exc)
    return ok, message


def tell(title: str, message: str) -> None:
    """A desktop notice from the window's own process (the daemon's notifier, chosen alike)."""
    from datetime import UTC, datetime

    from ergo_daemon import backends
    from ergo_daemon.ports import Notice

    try:
        notice = Notice.about_itself("info", title, message, datetime.now(UTC))
        backends.notifier(os.environ).send(notice)
    except Exception as exc:  # the window closes either way
        print(f"ergo-daemon break screen: could not say the break is over: {exc}", file=sys.stderr)


class BreakWindow:
    """The window's content and countdown; ``idle()`` is seconds since input (None: unknown)."""

    def __init__(
        self,
        root: tk.Tk,
        request: dict[str, Any],
        *,
        idle: Callable[[], float | None],
        ask: Callable[[str], tuple[bool, str]] = ask_daemon,
        over: Callable[[str, str], None] = tell,
    ) -> None:
        import tkinter as tk

        self._root = root
        self._left = float(request["seconds"])
        self._idle = idle
        self._ask = ask
        self._over = over
        self._last = time.monotonic()
        self._done = False
        strict = request["mode"] == "strict"
        root.title(f"{APP}: {request['title']}")
        root.configure(background="#1d3b2f", padx=40, pady=30)
        root.attributes("-topmost", True)
        if strict:  # the whole screen, no window manager decorations, no way to close it
            root.overrideredirect(True)
            root.geometry(f"{root.winfo_screenwidth()}x{root.winfo_screenheight()}+0+0")
            root.configure(pady=root.winfo_screenheight() // 4)
            root.protocol("WM_DELETE_WINDOW", lambda: None)
        else:
            root.geometry(f"+{root.winfo_screenwidth() // 4}+{root.winfo_screenheight() // 4}")
        colours: dict[str, Any] = {"background": "#1d3b2f", "foreground": "#f4f1e8"}
        tk.Label(root, text=request["title"], font=(FONT, 20, "bold"), **colours).pack(pady=8)
        tk.Label(
            root,
            text=request["message"],
            font=(FONT, 12),
            wraplength=560,
            justify="left",
            **colours,
        ).pack(pady=8)
        self._countdown = tk.Label(
            root, text=remaining_text(self._left), font=(FONT, 40), **colours
        )
        self._countdown.pack(pady=8)
        self._status = tk.Label(root, text="", font=(FONT, 11), **colours)
        self._status.pack(pady=4)
        self.buttons: dict[str, tk.Button] = {}
        if not strict:
            row = tk.Frame(root, background="#1d3b2f")
            row.pack(pady=12)
            for key, label in (("snooze", f"Postpone {request['postpone']}"), ("skip", "Skip")):
                button = tk.Button(row, text=label, font=(FONT, 12), command=self._answerer(key))
                button.pack(side="left", padx=12)
                self.buttons[key] = button
        root.after(STEP_MS, self._step)

    def layout(self) -> str:
        """Where the buttons are on the screen, for the log: ``Skip at 700,455``."""
        parts = []
        for button in self.buttons.values():
            x = button.winfo_rootx() + button.winfo_width() // 2
            y = button.winfo_rooty() + button.winfo_height() // 2
            parts.append(f"{button.cget('text')} at {x},{y}")
        return "; ".join(parts) or "no buttons"

    def _step(self) -> None:
        if self._done:
            return
        now = time.monotonic()
        elapsed, self._last = now - self._last, now
        idle = self._idle()
        typing = idle is not None and idle < TYPING
        if not typing:
            self._left -= elapsed
        self._countdown.configure(text=remaining_text(self._left))
        if self._left <= 0:
            self._finish()
            return
        if typing:
            self._status.configure(text="The countdown waits while you type.")
        elif self._status.cget("text").startswith("The countdown"):
            self._status.configure(text="")
        self._root.after(STEP_MS, self._step)

    def _finish(self) -> None:
        self._done = True
        self._status.configure(text="Break over.")
        self._over("Break over", "Welcome back.")
        self._root.after(800, self._root.destroy)

    def _answerer(self, key: str) -> Callable[[], None]:
        def answer() -> None:
            ok, message = self._ask(key)
            if ok:
                self._done = True
                self._root.destroy()
            else:  # e.g. no snoozes left today: the break goes on
                self._status.configure(text=message)

        return answer


def main() -> int:
    request = json.loads(sys.stdin.read())
    try:
        import tkinter as tk

        root = tk.Tk(className=APP)
    except Exception as exc:  # ImportError, or TclError when there is no display
        print(f"ergo-daemon break screen: no window: {exc}", file=sys.stderr)
        return NO_WINDOW
    source = _activity()
    window = BreakWindow(root, request, idle=lambda: _read_idle(source))
    root.update()
    print(f"ergo-daemon break screen: {window.layout()}", file=sys.stderr, flush=True)
    sys.stdout.write("shown\n")
    sys.stdout.flush()
    root.mainloop()
    source.close()
    return 0


def _activity() -> ActivitySource:
    import logging

    from ergo_daemon import backends

    logging.getLogger("ergo_daemon").setLevel(logging.ERROR)  # the daemon already said which
    return backends.activity_source(os.environ)


def _read_idle(source: ActivitySource) -> float | None:
    try:
        return source.read().idle
    except Exception:  # a broken source: count the break down as if nobody typed
        return None


if __name__ == "__main__":
    sys.exit(main())
