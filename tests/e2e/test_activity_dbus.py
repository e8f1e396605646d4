"""The D-Bus activity sources, and the daemon, against stand-in services on a private bus."""

# The stand-ins (tests/support/dbus_services.py) speak the real interfaces of Mutter's idle monitor,
# systemd-logind and the screen savers; the client code is the daemon's own.

from __future__ import annotations

import json
import logging
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from support import dbus_services as services
from support.cli import cli
from support.configs import schedule, toml
from support.desktop import Desktop, private_bus
from support.waiting import eventually

from ergo_daemon.activity.bus import Listener
from ergo_daemon.activity.combined import Candidate, CombinedActivity
from ergo_daemon.activity.logind import Logind
from ergo_daemon.activity.mutter import MutterIdle
from ergo_daemon.activity.screensaver import (
    FREEDESKTOP_SCREEN_SAVER,
    GNOME_SCREEN_SAVER,
    ScreenSaverLock,
)
from ergo_daemon.activity.x11 import X11Idle
from ergo_daemon.ports import ActivityError, Reading

TIMEOUT = 5.0


class Wakes:
    """Stands in for the daemon's wake-up: counts ``changed()`` calls from any thread."""

    def __init__(self) -> None:
        self.count = 0
        self._condition = threading.Condition()

    def __call__(self) -> None:
        with self._condition:
            self.count += 1
            self._condition.notify_all()

    def wait(self, count: int) -> None:
        with self._condition:
            woke = self._condition.wait_for(lambda: self.count >= count, TIMEOUT)
        assert woke, f"changed() called {self.count} times, expected {count}"


@pytest.fixture
def bus(desktop: Desktop) -> str:
    """The address of the desktop's private session bus."""
    return desktop.env["DBUS_SESSION_BUS_ADDRESS"]


@pytest.fixture
def listener() -> Iterator[Listener]:
    listener = Listener()
    yield listener
    # Every source closed: the thread must not outlive its last connection.
    eventually(lambda: listener.thread is None, "the listener thread gone")


def test_mutter_idle_time_and_wake_ups_on_going_idle_and_coming_back(
    bus: str, listener: Listener
) -> None:
    with (
        services.MutterIdleMonitor(bus) as mutter,
        closing(MutterIdle.connect(listener, bus, idle_after=1.0)) as source,
    ):
        wakes = Wakes()
        source.watch(wakes)
        mutter.set_idle(0.25)
        assert source.read().idle == 0.25
        mutter.set_idle(5.0)  # past idle_after: the idle watch fires
        wakes.wait(1)
        assert source.read().idle == 5.0
        eventually(lambda: mutter.user_active_watches() == 1, "a user-active watch armed")
        mutter.set_idle(0.0)  # input again: the user-active watch fires
        wakes.wait(2)
        assert source.read().idle == 0.0
        mutter.set_idle(0.0)  # more typing: no watch armed, so no wake-up
        mutter.set_idle(3.0)
        wakes.wait(3)
        assert wakes.count == 3, "typing woke the daemon"


def test_logind_lock_unlock_sleep_and_idle_hint(bus: str, listener: Listener) -> None:
    with services.Logind(bus) as logind, closing(Logind.connect(listener, bus)) as source:
        wakes = Wakes()
        source.watch(wakes)
        assert source.read() == Reading(idle=None)
        logind.lock()
        wakes.wait(1)
        assert source.read().locked
        logind.unlock()
        wakes.wait(2)
        assert not source.read().locked
        logind.prepare_for_sleep(True)
        wakes.wait(3)
        assert source.read().sleeping
        logind.prepare_for_sleep(False)
        wakes.wait(4)
        assert not source.read().sleeping
        logind.set_idle_hint(True, since=time.monotonic() - 30)
        wakes.wait(5)
        idle = source.read().idle
        assert idle is not None and 30 <= idle < 35
        logind.set_idle_hint(False)
        wakes.wait(6)
        assert source.read().idle is None
        assert "GetSession" in logind.calls and "GetUser" not in logind.calls


def test_logind_outside_a_session_follows_the_users_display_session(
    bus: str, listener: Listener
) -> None:
    """A systemd --user service is in no session: GetSession("auto") fails there."""
    with (
        services.Logind(bus, in_session=False) as logind,
        closing(Logind.connect(listener, bus)) as source,
    ):
        wakes = Wakes()
        source.watch(wakes)
        logind.lock()
        wakes.wait(1)
        assert source.read().locked
        assert "GetUser" in logind.calls


def test_logind_with_no_session_at_all_still_follows_sleep(bus: str, listener: Listener) -> None:
    with (
        services.Logind(bus, in_session=False, display_session=False) as logind,
        closing(Logind.connect(listener, bus)) as source,
    ):
        assert "sleep only" in source.name
        wakes = Wakes()
        source.watch(wakes)
        logind.prepare_for_sleep(True)
        wakes.wait(1)
        assert source.read().sleeping


def test_screen_saver_prefers_the_first_service_that_answers(bus: str, listener: Listener) -> None:
    gnome = services.ScreenSaver(bus, gnome=True)
    freedesktop = services.ScreenSaver(bus)
    freedesktop.active = True  # locked before the daemon starts
    with services.running(freedesktop):
        with closing(
            ScreenSaverLock.connect(listener, bus, [GNOME_SCREEN_SAVER, FREEDESKTOP_SCREEN_SAVER])
        ) as only:
            assert "org.freedesktop.ScreenSaver" in only.name
            assert only.read().locked
        with (
            services.running(gnome),
            closing(
                ScreenSaverLock.connect(
                    listener, bus, [GNOME_SCREEN_SAVER, FREEDESKTOP_SCREEN_SAVER]
                )
            ) as source,
        ):
            assert "org.gnome.ScreenSaver" in source.name
            wakes = Wakes()
            source.watch(wakes)
            assert not source.read().locked
            gnome.set_active(True)
            wakes.wait(1)
            assert source.read().locked
            gnome.set_active(False)
            wakes.wait(2)
            assert not source.read().locked


def test_a_source_whose_service_is_missing_is_refused_at_construction(
    bus: str, listener: Listener
) -> None:
    with pytest.raises(ActivityError, match="NameHasNoOwner"):  # asked without activation
        MutterIdle.connect(listener, bus, idle_after=1.0)
    with pytest.raises(ActivityError, match="no screen saver answers"):
        ScreenSaverLock.connect(listener, bus, [GNOME_SCREEN_SAVER, FREEDESKTOP_SCREEN_SAVER])
    # It is asked again all session long: without a service, no thread is started to listen.
    eventually(lambda: listener.thread is None, "back to no listener thread")
    threads = threading.active_count()
    with pytest.raises(ActivityError, match="no screen saver answers"):
        ScreenSaverLock.connect(listener, bus, [GNOME_SCREEN_SAVER, FREEDESKTOP_SCREEN_SAVER])
    assert listener.thread is None and threading.active_count() == threads
    with pytest.raises(ActivityError, match="cannot connect"):
        Logind.connect(listener, "unix:path=/nonexistent/system_bus_socket")


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


def test_combined_drops_a_vanished_service_once_falls_back_and_takes_it_back(
    desktop: Desktop, bus: str, listener: Listener, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="ergo_daemon")
    now = [0.0]
    mutter, logind = services.MutterIdleMonitor(bus), services.Logind(bus)
    idle = [
        Candidate(MutterIdle.name, partial(MutterIdle.connect, listener, bus, idle_after=60.0)),
        Candidate(X11Idle.name, partial(X11Idle, desktop.env["DISPLAY"])),
    ]
    status = [Candidate("systemd-logind", partial(Logind.connect, listener, bus))]
    with (
        services.running(mutter, logind),
        closing(CombinedActivity(idle, status, retry_after=10.0, clock=lambda: now[0])) as combined,
    ):
        wakes = Wakes()
        combined.watch(wakes)
        assert combined.idle_name == MutterIdle.name
        mutter.set_idle(42.0)
        logind.lock()
        wakes.wait(1)
        assert combined.read() == Reading(idle=42.0, locked=True)

        mutter.stop()  # GNOME Shell goes away: the daemon hears of it at once
        wakes.wait(2)
        desktop.touch_input()
        first = combined.read()
        assert first.idle is not None and first.idle < 5, "idle time now from the X server"
        assert first.locked
        assert combined.idle_name == X11Idle.name
        combined.read()
        dropped = [w for w in warnings(caplog) if "stopped working" in w]
        assert len(dropped) == 1, dropped
        assert MutterIdle.name in dropped[0] and "left the session bus" in dropped[0]

        back = services.MutterIdleMonitor(bus)
        with services.running(back):
            back.set_idle(7.0)
            assert combined.read().idle != 7.0, "not tried again before its time"
            now[0] = 11.0
            assert combined.read().idle == 7.0
            assert combined.idle_name == MutterIdle.name
            assert any("works again" in r.getMessage() for r in caplog.records)

            logind.stop()
            wakes.wait(3)
            reading = combined.read()
            assert reading == Reading(idle=7.0), "lock from logind is gone, idle still works"
            assert combined.status_names == ()
    assert len([w for w in warnings(caplog) if "stopped working" in w]) == 2


def test_combined_with_nothing_left_says_idle_pending_and_takes_a_source_back(
    bus: str, listener: Listener
) -> None:
    now = [0.0]
    mutter, logind = services.MutterIdleMonitor(bus), services.Logind(bus)
    idle = [Candidate(MutterIdle.name, partial(MutterIdle.connect, listener, bus, idle_after=60.0))]
    status = [Candidate("systemd-logind", partial(Logind.connect, listener, bus))]
    with (
        services.running(mutter, logind),
        closing(CombinedActivity(idle, status, retry_after=10.0, clock=lambda: now[0])) as combined,
    ):
        logind.set_idle_hint(True, since=time.monotonic() - 100)
        mutter.set_idle(3.0)
        assert combined.read().idle == 3.0
        mutter.stop()
        # No idle source left: logind's idle hint stands in.
        eventually(lambda: (combined.read().idle or 0) >= 100, "idle from logind's hint")
        logind.stop()
        # Nothing left: idle is unknown for now, not "no idle source here"; no error.
        eventually(lambda: combined.read().idle is None, "logind dropped")
        assert combined.status_names == ()
        assert combined.read() == Reading(idle=None, idle_pending=True)
        back = services.MutterIdleMonitor(bus)
        with services.running(back):
            back.set_idle(8.0)
            assert combined.read() == Reading(idle=None, idle_pending=True), "not before its time"
            now[0] = 11.0
            assert combined.read() == Reading(idle=8.0)


# At 600x: eyes every 0.5 s of activity, away after 1 s without input; nothing else shows.
EYES_ONLY = toml(
    schedule(
        {
            "timing": {"away_after": "10m", "merge_within": "10m", "sample_every": "2m30s"},
            "eyes": {"every": "5m", "duration": "1m40s"},
        }
    )
)
QUIET_FOR = 1.2  # seconds without prompts that prove a state holds them back (eyes: 0.5 s)


def test_the_daemon_follows_gnome_idle_lock_and_sleep(
    desktop: Desktop, bus: str, start_daemon: Any, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(EYES_ONLY)
    env = {**desktop.env, "XDG_CURRENT_DESKTOP": "GNOME", "DBUS_SYSTEM_BUS_ADDRESS": bus}
    mutter, logind = services.MutterIdleMonitor(bus), services.Logind(bus)
    saver = services.ScreenSaver(bus, gnome=True)
    with services.running(mutter, logind, saver):
        daemon = start_daemon(env, "--speed", "600", "--config", str(config))
        assert "idle time from GNOME Mutter idle monitor" in daemon.log()

        def shown() -> int:
            return int(daemon.log().count("shown eyes"))

        def status(word: str, times: int) -> None:
            eventually(lambda: daemon.log().count(f"now {word}") >= times, f"{times}x now {word}")

        def held_back() -> None:
            before = shown()
            time.sleep(QUIET_FOR)
            assert shown() == before, "a prompt while nobody could see it"

        def prompting() -> None:
            before = shown()
            eventually(lambda: shown() > before, "prompting again")

        eventually(lambda: shown() >= 1, "an eye prompt")  # the stand-in says: input just now
        logind.lock()
        status("locked", 1)
        held_back()
        logind.unlock()
        status("active", 2)
        prompting()
        mutter.set_idle(30.0)  # no input for 30 s: away, at 600x
        status("away", 1)
        held_back()
        mutter.set_idle(0.0)
        status("active", 3)
        prompting()
        logind.prepare_for_sleep(True)
        status("locked", 2)
        held_back()
        logind.prepare_for_sleep(False)
        status("active", 4)
        prompting()
        saver.set_active(True)
        status("locked", 3)
        saver.set_active(False)
        status("active", 5)
        assert daemon.stop() == 0
    assert "stopped working" not in daemon.log()


def test_the_daemon_wakes_at_once_on_lock_sleep_and_return(
    desktop: Desktop, bus: str, start_daemon: Any, tmp_path: Path
) -> None:
    """At real speed the daemon samples every 15 s; signals must not wait for that."""
    config = tmp_path / "config.toml"
    config.write_text('[work_hours]\ndays = "mon-sun"\nhours = ["00:00-24:00"]\n')
    env = {**desktop.env, "XDG_CURRENT_DESKTOP": "GNOME", "DBUS_SYSTEM_BUS_ADDRESS": bus}
    mutter, logind = services.MutterIdleMonitor(bus), services.Logind(bus)
    with services.running(mutter, logind):
        daemon = start_daemon(env, "--config", str(config))
        eventually(lambda: "now active" in daemon.log(), "active")

        def noticed(word: str, times: int) -> None:
            # Back-to-back 3-s waits: a daemon that only samples every 15 s cannot meet them.
            eventually(lambda: daemon.log().count(f"now {word}") >= times, f"now {word}", 3.0)

        logind.lock()
        noticed("locked", 1)
        logind.unlock()
        noticed("active", 2)
        logind.prepare_for_sleep(True)
        noticed("locked", 2)
        logind.prepare_for_sleep(False)
        noticed("active", 3)
        mutter.set_idle(200.0)  # Mutter's idle watch (60 s) fires; away is 2 min
        noticed("away", 1)
        mutter.set_idle(0.0)  # the user-active watch fires on the first input
        noticed("active", 4)
        assert daemon.stop() == 0


def _status_word(env: dict[str, str]) -> str:
    """What ``ergo-daemon status`` says the person is doing now."""
    done = cli(env, "status", "--json")
    assert done.returncode == 0, done.stderr
    return str(json.loads(done.stdout)["status"])


def test_idle_detection_comes_back_after_gnome_shell_restarts(
    desktop: Desktop, bus: str, start_daemon: Any, tmp_path: Path
) -> None:
    """Mutter and the screen saver leave together, no logind answers; then GNOME Shell is back."""
    config = tmp_path / "config.toml"
    config.write_text(EYES_ONLY)
    env = {
        **desktop.env,
        "XDG_CURRENT_DESKTOP": "GNOME",
        "XDG_SESSION_TYPE": "wayland",  # so no X server stands in for Mutter
        "DBUS_SYSTEM_BUS_ADDRESS": "unix:path=/nonexistent/system_bus_socket",
    }
    mutter, saver = services.MutterIdleMonitor(bus), services.ScreenSaver(bus, gnome=True)
    with services.running(mutter, saver):
        daemon = start_daemon(env, "--speed", "120", "--config", str(config))
        assert "idle time from GNOME Mutter idle monitor" in daemon.log()

        def shown() -> int:
            return int(daemon.log().count("shown eyes"))

        def status(word: str, times: int) -> None:
            eventually(lambda: daemon.log().count(f"now {word}") >= times, f"{times}x now {word}")

        eventually(lambda: shown() >= 1, "an eye prompt")
        mutter.set_idle(30.0)
        status("away", 1)
        assert _status_word(env) == "away"
        mutter.set_idle(0.0)
        status("active", 2)

        mutter.stop()  # GNOME Shell is killed: both of its services leave the bus
        saver.stop()
        status("idle-unknown", 1)
        assert _status_word(env) == "idle-unknown"
        before = shown()
        time.sleep(QUIET_FOR)
        assert shown() == before, "a prompt while nobody can tell if the person is there"

        back = services.MutterIdleMonitor(bus)  # GNOME Shell is back, the person away
        back.set_idle(30.0)
        with services.running(back):
            status("away", 2)
            assert _status_word(env) == "away"
            back.set_idle(0.0)
            status("active", 3)
            eventually(lambda: shown() > before, "prompting again")
            assert daemon.stop() == 0
    log = daemon.log()
    assert "GNOME Mutter idle monitor works again" in log
    assert "no activity source works any more" not in log


@pytest.fixture
def activating_bus(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A session bus that can start org.gnome.ScreenSaver, as where GNOME is installed.

    Yields the bus address and a file that the service's program writes to when started.
    """
    services_dir, started = tmp_path / "services", tmp_path / "screensaver-started"
    services_dir.mkdir()
    program = tmp_path / "gnome-screensaver-helper"
    program.write_text(f"#!/bin/sh\necho started >> {started}\nexit 1\n")
    program.chmod(0o755)
    (services_dir / "org.gnome.ScreenSaver.service").write_text(
        f"[D-BUS Service]\nName=org.gnome.ScreenSaver\nExec={program}\n"
    )
    with private_bus(services_dir) as address:
        yield address, started


def test_asking_for_a_screen_saver_never_starts_one_outside_gnome(
    desktop: Desktop, activating_bus: tuple[str, Path], start_daemon: Any, tmp_path: Path
) -> None:
    address, started = activating_bus
    env = {
        **desktop.env,
        "DBUS_SESSION_BUS_ADDRESS": address,
        "XDG_CURRENT_DESKTOP": "KDE",
        "DBUS_SYSTEM_BUS_ADDRESS": "unix:path=/nonexistent/system_bus_socket",
    }
    # The fixture's own check: asking with auto-start allowed does start the program.
    ask = ["dbus-send", f"--bus={address}", "--print-reply", "--dest=org.gnome.ScreenSaver"]
    probe = subprocess.run(
        [*ask, "/org/gnome/ScreenSaver", "org.gnome.ScreenSaver.GetActive"],
        capture_output=True,
        timeout=30,
    )
    assert probe.returncode != 0  # the program exits without taking the name
    eventually(started.exists, "the stand-in program started by the bus")
    started.unlink()

    doctor = cli(env, "doctor", "--json", timeout=60)
    assert "lock" in doctor.stdout, doctor.stderr
    assert not started.exists(), "doctor started GNOME's screen saver helper"
    config = tmp_path / "config.toml"
    config.write_text(EYES_ONLY)
    daemon = start_daemon(env, "--speed", "120", "--config", str(config))
    # At 120x the screen saver is asked again after 0.5 s, 1 s, 2 s: three retries.
    time.sleep(4.0)
    assert daemon.stop() == 0
    assert "screen saver" in daemon.log()
    assert not started.exists(), "asking for org.gnome.ScreenSaver started GNOME's helper"
