"""The control channel: a server thread in the daemon, and the client the commands use.

multiprocessing.connection gives Unix sockets and Windows named pipes with an HMAC challenge
both ways; only ``send_bytes``/``recv_bytes`` are used (``recv`` would unpickle).
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from multiprocessing import AuthenticationError
from multiprocessing.connection import (
    Client,
    Connection,
    Listener,
    answer_challenge,
    deliver_challenge,
)
from pathlib import Path

from ergo_daemon.control.endpoint import Endpoint, Foreign

log = logging.getLogger(__name__)

READ_TIMEOUT = 2.0
MAX_CLIENTS = 8
MAX_BYTES = 64 * 1024  # far above any real request; anything longer is refused unread


class NotRunning(Exception):
    """No daemon answers on this user's control channel."""


class ControlServer:
    """Answers requests with ``handle(raw) -> reply`` on its own threads until ``close()``.

    One thread waits in accept(); each client gets a short-lived thread, at most MAX_CLIENTS at
    once, so a slow or hostile client never holds up the daemon or the next client.
    """

    def __init__(self, endpoint: Endpoint, handle: Callable[[bytes], bytes]) -> None:
        self._endpoint = endpoint
        self._handle = handle
        self._key = secrets.token_bytes(32)
        self._slots = threading.BoundedSemaphore(MAX_CLIENTS)
        self._listener: Listener | None = None

    def start(self) -> None:
        """Listen (replacing a dead daemon's socket: the caller holds the instance lock)."""
        endpoint = self._endpoint
        if endpoint.family == "AF_UNIX":
            Path(endpoint.address).unlink(missing_ok=True)
        _write_private(endpoint.key_file, self._key)
        old_umask = os.umask(0o177)  # the socket is created owner-only, with no window
        try:
            self._listener = Listener(endpoint.address, endpoint.family)
        finally:
            os.umask(old_umask)
        threading.Thread(target=self._serve, name="control", daemon=True).start()

    def close(self, wait: float = 2.0) -> None:
        """Stop listening, and give replies still being written ``wait`` seconds to finish."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()  # removes the socket file
        deadline = time.monotonic() + wait
        for _ in range(MAX_CLIENTS):
            if not self._slots.acquire(timeout=max(0.0, deadline - time.monotonic())):
                break
        with suppress(OSError):
            self._endpoint.key_file.unlink()

    def _serve(self) -> None:
        while (listener := self._listener) is not None:
            try:
                conn = listener.accept()
            except OSError as exc:
                if self._listener is not None:
                    log.warning("control channel: accept failed: %s", exc)
                continue
            if not self._slots.acquire(blocking=False):
                conn.close()  # too many at once: the client sees the connection close
                continue
            threading.Thread(target=self._talk, args=(conn,), daemon=True).start()

    def _talk(self, conn: Connection) -> None:
        try:
            self._endpoint.vet(conn, READ_TIMEOUT)
            deliver_challenge(conn, self._key)
            answer_challenge(conn, self._key)
            if conn.poll(READ_TIMEOUT):
                conn.send_bytes(self._handle(conn.recv_bytes(MAX_BYTES)))
        except (Foreign, AuthenticationError) as exc:
            log.warning("control channel: refused a connection: %s", exc or "wrong key")
        except (OSError, EOFError) as exc:  # timeouts, oversized or truncated messages
            log.info("control channel: dropped a connection: %s", exc or type(exc).__name__)
        except Exception:  # whatever arrived, the channel keeps serving
            log.exception("control channel: a request failed")
        finally:
            conn.close()
            self._slots.release()


def call(endpoint: Endpoint, request: bytes, timeout: float = 10.0) -> bytes:
    """Send one request and return the reply; raises NotRunning or TimeoutError."""
    try:
        key = endpoint.key_file.read_bytes()
    except FileNotFoundError:
        raise NotRunning("ergo-daemon is not running") from None
    except OSError as exc:
        raise NotRunning(f"cannot read {endpoint.key_file}: {exc}") from None
    outcome: list[bytes | BaseException] = []

    def talk() -> None:
        try:
            with Client(endpoint.address, endpoint.family, authkey=key) as conn:
                conn.send_bytes(request)
                outcome.append(conn.recv_bytes(MAX_BYTES))
        except BaseException as exc:  # handed to the caller's thread
            outcome.append(exc)

    worker = threading.Thread(target=talk, daemon=True)
    worker.start()
    worker.join(timeout)
    if not outcome:
        raise TimeoutError(f"ergo-daemon did not answer within {timeout:g} s")
    result = outcome[0]
    if isinstance(result, (FileNotFoundError, ConnectionRefusedError, EOFError)):
        raise NotRunning("ergo-daemon is not running") from None
    if isinstance(result, AuthenticationError):
        raise NotRunning("the running ergo-daemon did not accept this user's key") from None
    if isinstance(result, BaseException):
        raise result
    return result


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to a fresh owner-only file (readable by this user alone from the start)."""
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
