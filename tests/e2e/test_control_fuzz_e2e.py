"""A real daemon's control channel under abuse: garbage, oversized, truncated, wrong keys."""

from __future__ import annotations

import contextlib
import json
import os
import random
import socket
import struct
import tempfile
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client
from pathlib import Path
from typing import Any

import pytest

from ergo_daemon.control import posix
from ergo_daemon.control.channel import call
from ergo_daemon.control.messages import encode_request, parse_reply

ROUNDS = 1200


@pytest.fixture
def quiet_env(tmp_path: Path) -> dict[str, str]:
    """A session with no display and no bus, its own home and a short runtime folder."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS")}
    runtime = Path(tempfile.mkdtemp(prefix="ergo-rt-"))
    env.update(HOME=str(tmp_path), XDG_RUNTIME_DIR=str(runtime))
    for var, sub in (("XDG_CONFIG_HOME", ".config"), ("XDG_STATE_HOME", ".local/state")):
        env[var] = str(tmp_path / sub)
    return env


def _payloads(rng: random.Random) -> list[bytes]:
    valid = json.loads(encode_request("snooze", kind="eyes", seconds=60))
    wrong: list[Any] = [
        {**valid, "v": 2},
        {**valid, "v": "1"},
        {**valid, "command": "format-disk"},
        {**valid, "kind": "../../etc/passwd"},
        {**valid, "seconds": -5},
        {**valid, "seconds": 1e300},
        {**valid, "seconds": "10m"},
        {**valid, "extra": True},
        {"v": 1},
        {"v": 1, "command": "done"},
        {"v": 1, "command": "pause", "until": "25:99"},
        {"v": 1, "command": ["status"]},
        [1, 2, 3],
        "status",
        None,
        {"__class__": "os.system", "args": ["rm -rf /"]},
    ]
    out = [json.dumps(item).encode() for item in wrong]
    text = json.dumps(valid).encode()
    out += [text[: rng.randrange(len(text))] for _ in range(20)]  # truncated
    out += [rng.randbytes(rng.randrange(1, 200)) for _ in range(20)]  # noise
    out += [b"\xff\xfe" + text, b"", b"{" * 10_000, b"[" * 50_000]
    return out


def _raw_socket(address: str, data: bytes) -> None:
    """A client that skips the handshake: garbage, lying length headers, early hang-ups."""
    with socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(5)
        sock.connect(address)
        sock.sendall(data)
        with contextlib.suppress(TimeoutError, ConnectionResetError):
            sock.recv(1024)


def test_a_thousand_bad_requests_leave_the_daemon_up_and_answering(
    start_daemon: Any, quiet_env: dict[str, str]
) -> None:
    daemon = start_daemon(quiet_env, "--set", "work_hours.hours=00:00-24:00")
    runtime = Path(quiet_env["XDG_RUNTIME_DIR"]) / "ergo-daemon"
    endpoint = posix.endpoint(runtime)
    key = endpoint.key_file.read_bytes()
    assert endpoint.key_file.stat().st_mode & 0o777 == 0o600
    assert Path(endpoint.address).stat().st_mode & 0o077 == 0
    rng = random.Random(7)
    payloads = _payloads(rng)
    answered = dropped = foreign = 0
    for round_ in range(ROUNDS):
        style = round_ % 4
        if style == 0:  # the right key, a bad request: an error reply
            reply = _exchange(endpoint.address, key, rng.choice(payloads))
            assert reply is not None
            ok, message, _ = parse_reply(reply)
            assert not ok and message
            answered += 1
        elif style == 1:  # the right key, too long: dropped unread
            assert _exchange(endpoint.address, key, b"x" * (70_000 + round_)) is None
            dropped += 1
        elif style == 2:  # the wrong key
            with pytest.raises((AuthenticationError, EOFError, ConnectionError)):
                _exchange(endpoint.address, rng.randbytes(32), b"{}")
            foreign += 1
        else:  # no handshake at all
            junk = [b"\x00" * 3, struct.pack("!i", 2**31 - 1) + b"x", rng.randbytes(64), b""]
            _raw_socket(endpoint.address, rng.choice(junk))
    assert answered + dropped + foreign >= 900
    assert daemon.process.poll() is None, daemon.log()
    ok, message, data = parse_reply(call(endpoint, encode_request("status")))
    assert ok and data["running"] is True, message
    assert "Traceback" not in daemon.log()


def _exchange(address: str, key: bytes, payload: bytes) -> bytes | None:
    """One request with ``key``; None when the daemon hangs up instead of answering."""
    with Client(address, "AF_UNIX", authkey=key) as conn:
        try:
            conn.send_bytes(payload)
            return conn.recv_bytes()
        except (EOFError, BrokenPipeError, ConnectionResetError):
            return None
