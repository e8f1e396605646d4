"""The ``ext-idle-notify-v1`` idle source and the swayidle command line, against a small compositor.

Debian 12's sway 1.7 offers ``org_kde_kwin_idle`` only; ``ext-idle-notify-v1`` (sway 1.8+,
Hyprland, KDE) is checked against a small compositor (tests/support/wayland_compositor.py) that
decodes every request with the protocol definitions pywayland ships, and refuses what a real one
would refuse.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support.wayland_compositor import NOT_KNOWN_YET, Changes, Compositor, idle_of

from ergo_daemon.activity.swayidle import swayidle_argv
from ergo_daemon.activity.wayland import WaylandIdle, socket_path
from ergo_daemon.ports import ActivityError, Reading


@pytest.fixture
def compositor_at(tmp_path: Path) -> Iterator[Callable[[dict[str, int]], Compositor]]:
    """``compositor_at(globals)`` starts a checking compositor at ``tmp_path / "wl"``."""
    started: list[Compositor] = []

    def start(globals_: dict[str, int]) -> Compositor:
        started.append(Compositor(tmp_path / "wl", globals_))
        return started[-1]

    yield start
    for compositor in started:
        compositor.close()


def test_ext_idle_notify_v2_tracks_input_only_and_reports_idle_then_resumed(
    compositor_at: Callable[[dict[str, int]], Compositor], tmp_path: Path
) -> None:
    compositor = compositor_at({"wl_seat": 7, "ext_idle_notifier_v1": 2})
    source = WaylandIdle("wl", str(tmp_path), timeout=20)
    changes = Changes()
    source.watch(changes)
    try:
        made = [r for r in compositor.requests if r[0] == "ext_idle_notifier_v1"]
        # Input only: a playing video's idle inhibitor must not hide that nobody is typing.
        assert [(name, args[1]) for _, name, args in made] == [
            ("get_input_idle_notification", 20_000)
        ]
        assert source.read() == NOT_KNOWN_YET, "the compositor's timer has only just started"
        compositor.notify("idled")
        changes.wait("idled")
        assert 20.0 <= idle_of(source.read()) < 21.0
        compositor.notify("resumed")
        changes.wait("resumed")
        assert source.read().idle == 0.0
    finally:
        source.close()


def test_idle_is_not_known_during_the_first_timeout_then_known_without_an_event(
    compositor_at: Callable[[dict[str, int]], Compositor], tmp_path: Path
) -> None:
    """A person idle for minutes is told "idle" only a timeout after the subscription."""
    compositor_at({"wl_seat": 7, "ext_idle_notifier_v1": 2})
    source = WaylandIdle("wl", str(tmp_path), timeout=0.3)
    changes = Changes()
    source.watch(changes)
    try:
        assert source.read() == NOT_KNOWN_YET
        # No "idled" came within the timeout, so there was input: the daemon is told to look.
        changes.wait("idle known once the first timeout is over")
        assert source.read() == Reading(idle=0.0)
    finally:
        source.close()


def test_ext_idle_notify_v1_uses_the_original_request(
    compositor_at: Callable[[dict[str, int]], Compositor], tmp_path: Path
) -> None:
    compositor = compositor_at({"wl_seat": 1, "ext_idle_notifier_v1": 1})
    source = WaylandIdle(str(tmp_path / "wl"), "", timeout=5)
    try:
        made = [(r[1], r[2][1]) for r in compositor.requests if r[0] == "ext_idle_notifier_v1"]
        assert made == [("get_idle_notification", 5_000)]
        assert "ext-idle-notify-v1 version 1" in source.name
    finally:
        source.close()


def test_compositor_without_an_idle_protocol_is_an_activity_error(
    compositor_at: Callable[[dict[str, int]], Compositor], tmp_path: Path
) -> None:
    compositor_at({"wl_seat": 7})  # GNOME's Mutter, for one
    with pytest.raises(ActivityError, match="no idle protocol"):
        WaylandIdle("wl", str(tmp_path))


def test_protocol_error_later_wakes_the_daemon_and_fails_reads(
    compositor_at: Callable[[dict[str, int]], Compositor], tmp_path: Path
) -> None:
    compositor = compositor_at({"wl_seat": 7, "ext_idle_notifier_v1": 2})
    source = WaylandIdle("wl", str(tmp_path))
    changes = Changes()
    source.watch(changes)
    try:
        compositor.protocol_error("seat went away")
        changes.wait("protocol error")
        with pytest.raises(ActivityError, match="seat went away"):
            source.read()
    finally:
        source.close()


def test_missing_socket_or_runtime_dir_is_an_activity_error(tmp_path: Path) -> None:
    with pytest.raises(ActivityError, match="cannot talk to the Wayland compositor"):
        WaylandIdle("wayland-9", str(tmp_path))
    with pytest.raises(ActivityError, match="XDG_RUNTIME_DIR"):
        socket_path("wayland-0", "")
    assert socket_path("/run/w/sock", "/ignored") == Path("/run/w/sock")


def test_swayidle_command_line_prints_every_event() -> None:
    argv = swayidle_argv("swayidle", 5)
    assert argv[:6] == ["swayidle", "-w", "-C", os.devnull, "timeout", "5"]
    events = argv[5::2]
    assert events == ["5", "resume", "lock", "unlock", "before-sleep", "after-resume"]
