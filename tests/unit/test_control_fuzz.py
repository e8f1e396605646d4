"""The control channel refuses another user's process."""

from __future__ import annotations

import os
import socket

import pytest

from ergo_daemon.control import posix
from ergo_daemon.control.endpoint import Foreign


def test_another_users_process_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """The peer check itself: a socket pair whose peer claims another uid is Foreign."""
    left, right = socket.socketpair(socket.AF_UNIX)
    with left, right:
        assert posix.peer_uid(left) == os.getuid()
        from multiprocessing.connection import Connection

        conn = Connection(os.dup(left.fileno()))
        monkeypatch.setattr(os, "getuid", lambda: os.geteuid() + 1)
        with pytest.raises(Foreign):
            posix.vet(conn, 1.0)
        conn.close()
