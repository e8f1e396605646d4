"""The daemon's lifecycle with its real parts: a flock, a Unix socket, signals, a log file."""

from __future__ import annotations

import logging
import signal
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ergo_daemon.control import posix
from ergo_daemon.control.channel import call
from ergo_daemon.control.endpoint import Endpoint
from ergo_daemon.control.instance import AlreadyRunning, InstanceLock
from ergo_daemon.lifecycle import Lifecycle
from ergo_daemon.wakeup import Wakeups


@pytest.fixture
def endpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Endpoint:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return posix.endpoint(tmp_path / "run")


def _log(tmp_path: Path) -> str:
    return (tmp_path / "state" / "ergo-daemon" / "ergo-daemon.log").read_text()


def _lock_is_free(endpoint: Endpoint) -> bool:
    other = InstanceLock(endpoint)  # a flock on a second open file: as another process would
    try:
        other.acquire()
    except AlreadyRunning:
        return False
    other.release()
    return True


def _handlers() -> list[object]:
    return [signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)]


def _echo(request: bytes) -> bytes:
    return request


def test_the_end_undoes_each_part_in_reverse_order(endpoint: Endpoint, tmp_path: Path) -> None:
    before = (_handlers(), list(logging.getLogger().handlers))
    seen: dict[str, bool] = {}

    def close_daemon() -> None:  # the daemon saves its state here: the lock must still be held
        seen["server closed"] = not Path(endpoint.address).exists()
        seen["lock held"] = not _lock_is_free(endpoint)
        logging.getLogger("ergo_daemon").info("daemon closed")

    with Lifecycle(endpoint) as life:
        life.on_exit(close_daemon)
        life.serve(_echo)
        assert call(endpoint, b"ping") == b"ping"
        assert not _lock_is_free(endpoint)
        assert _handlers() != before[0]

    assert seen == {"server closed": True, "lock held": True}
    assert _lock_is_free(endpoint)
    assert not Path(endpoint.address).exists()
    assert not endpoint.key_file.exists()
    assert (_handlers(), logging.getLogger().handlers) == before
    log = _log(tmp_path)
    assert log.index("daemon closed") < log.index("stopped")


def test_a_start_that_fails_halfway_undoes_what_it_did(endpoint: Endpoint, tmp_path: Path) -> None:
    before = (_handlers(), list(logging.getLogger().handlers))
    with pytest.raises(RuntimeError, match="no adapter"), Lifecycle(endpoint) as life:
        life.serve(_echo)
        raise RuntimeError("no adapter")  # as app.build would, after the server started

    assert _lock_is_free(endpoint)
    assert not Path(endpoint.address).exists()
    assert not endpoint.key_file.exists()
    assert (_handlers(), logging.getLogger().handlers) == before
    assert "stopped" in _log(tmp_path)


def test_a_second_daemon_is_refused_and_the_first_keeps_everything(
    endpoint: Endpoint, tmp_path: Path
) -> None:
    with Lifecycle(endpoint) as first:
        first.serve(_echo)
        handlers = _handlers()
        with pytest.raises(AlreadyRunning), Lifecycle(endpoint):
            pass
        assert not _lock_is_free(endpoint)
        assert _handlers() == handlers
        assert call(endpoint, b"still here") == b"still here"
    assert "already running (pid " in _log(tmp_path)
    assert "not starting a second one" in _log(tmp_path)


class _Ticks:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> datetime:
        self.count += 1
        return datetime.now(UTC) + timedelta(hours=1)


def test_signals_that_land_during_the_start_are_kept_for_the_run(endpoint: Endpoint) -> None:
    """SIGTERM after 'ready' but before the scheduler runs: the run ends at once, no wake."""
    reloads: list[bool] = []
    ticks = _Ticks()
    with Lifecycle(endpoint) as life:
        signal.raise_signal(signal.SIGHUP)  # handled at once, on this thread
        signal.raise_signal(signal.SIGTERM)
        wakeups = Wakeups(30.0, ZoneInfo("UTC"))
        started = time.monotonic()
        life.run(wakeups, ticks, reload=lambda: reloads.append(True))
        assert time.monotonic() - started < 2.0
    assert ticks.count == 0
    assert reloads == [True]


def test_signals_reload_and_stop_a_running_daemon(endpoint: Endpoint) -> None:
    reloads: list[bool] = []
    ticks = _Ticks()
    with Lifecycle(endpoint) as life:
        wakeups = Wakeups(30.0, ZoneInfo("UTC"))
        runner = threading.Thread(
            target=life.run, args=(wakeups, ticks), kwargs={"reload": lambda: reloads.append(True)}
        )
        runner.start()
        deadline = time.monotonic() + 5
        while ticks.count < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        signal.raise_signal(signal.SIGHUP)
        while ticks.count < 2 and time.monotonic() < deadline:  # the reload wakes it
            time.sleep(0.01)
        signal.raise_signal(signal.SIGTERM)
        runner.join(timeout=2)
        assert not runner.is_alive()
    assert reloads == [True]
    assert ticks.count == 2
