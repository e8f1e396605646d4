"""The running daemon's lifecycle: logging, the instance lock, signals, the control server.

Each part is undone in reverse order when the block ends, also when the start fails halfway::

    with Lifecycle(endpoint) as life:  # logs, holds the lock, handles SIGTERM/SIGINT/SIGHUP
        daemon, wakeups = app.build(...)
        life.on_exit(daemon.close)
        life.serve(answer)  # the control channel, closed before the daemon
        life.run(wakeups, daemon.tick, reload=daemon.request_reload)  # until stopped

Signals are handled from the moment the lock is held, so a stop that lands while the daemon
is still starting ends it as cleanly (exit 0) as one that lands while it runs.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from contextlib import ExitStack
from typing import TYPE_CHECKING

from ergo_daemon import logs
from ergo_daemon.control.channel import ControlServer
from ergo_daemon.control.instance import AlreadyRunning, InstanceLock

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path
    from types import FrameType, TracebackType

    from ergo_daemon.control.endpoint import Endpoint
    from ergo_daemon.wakeup import Wakeups

log = logging.getLogger("ergo_daemon")
STOP_SIGNALS = ("SIGINT", "SIGTERM")
RELOAD_SIGNAL = "SIGHUP"  # POSIX only


class Lifecycle:
    """Owns what the running daemon holds, from ``with`` to its end; see the module's example."""

    def __init__(self, endpoint: Endpoint, *, verbose: bool = False) -> None:
        self._endpoint = endpoint
        self._verbose = verbose
        self._stack = ExitStack()
        self._wakeups: Wakeups | None = None
        self._reload: Callable[[], None] | None = None
        self._stop_asked = False
        self._reload_asked = False
        self.log_file: Path | None = None

    def __enter__(self) -> Lifecycle:
        with ExitStack() as stack:  # undoes what was done should a later step fail
            self.log_file = stack.enter_context(logs.configured(verbose=self._verbose))
            lock = InstanceLock(self._endpoint)
            try:
                lock.acquire()
            except AlreadyRunning as exc:
                log.error("%s; not starting a second one", exc)
                raise
            stack.callback(lock.release)
            stack.callback(log.info, "stopped")
            self._handle_signals(stack)
            self._stack = stack.pop_all()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stack.close()

    def on_exit(self, close: Callable[[], None]) -> None:
        """Call ``close`` at the end, before whatever was set up earlier is undone."""
        self._stack.callback(close)

    def serve(self, answer: Callable[[bytes], bytes]) -> None:
        """Answer control requests with ``answer`` until the end (the first thing closed)."""
        server = ControlServer(self._endpoint, answer)
        self._stack.callback(server.close)  # before start(): a half-started one leaves no key
        server.start()

    def run(
        self, wakeups: Wakeups, tick: Callable[[], datetime], *, reload: Callable[[], None]
    ) -> None:
        """Run ``tick`` at each of ``wakeups`` until stopped; at once back if stopped at start."""
        self._reload = reload
        self._wakeups = wakeups  # before reading the flags, so a signal in between is not lost
        if self._stop_asked:
            wakeups.stop()
        if self._reload_asked:
            reload()
        wakeups.run(tick)

    def stop(self) -> None:
        """End ``run()``, or make it return at once if it has not begun (safe in a handler)."""
        self._stop_asked = True
        if self._wakeups is not None:
            # A handler interrupts the main thread, which may hold the lock the scheduler's
            # wake-up takes: so wake it from a thread of its own.
            threading.Thread(target=self._wakeups.stop, daemon=True).start()

    def _reload_now(self) -> None:
        self._reload_asked = True
        if self._reload is not None and self._wakeups is not None:
            self._reload()
            threading.Thread(target=self._wakeups.wake_now, daemon=True).start()

    def _handle_signals(self, stack: ExitStack) -> None:
        def stop(_signum: int, _frame: FrameType | None) -> None:
            self.stop()

        def reload(_signum: int, _frame: FrameType | None) -> None:
            self._reload_now()

        handlers = [(name, stop) for name in STOP_SIGNALS] + [(RELOAD_SIGNAL, reload)]
        for name, handler in handlers:
            signum = getattr(signal, name, None)
            if signum is not None:  # Windows has no SIGHUP
                previous = signal.signal(signum, handler)
                stack.callback(signal.signal, signum, previous)
