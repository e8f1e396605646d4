"""Answers for real: the daemon through dunst's menu, the notifier over a stand-in server."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import DaemonProcess
from support import dbus_services as services
from support.cli import cli, status
from support.configs import schedule, toml
from support.desktop import Desktop
from support.notifiers import BREAK as BREAK_NOTICE
from support.waiting import eventually

from ergo_daemon import kinds
from ergo_daemon.activity.bus import Listener
from ergo_daemon.notify.answers import Answer
from ergo_daemon.notify.freedesktop import FreedesktopNotifier

SPEED = "120"
# At 120x: a break every 5 s of activity (2.5 s idle takes it), a snooze lasts 2.5 s, away
# after 1 s. Nothing else is on.
BREAK = {"every": "10m", "duration": "5m", "heads_up": "0s", "remind_after": "0s"}
BREAKS_ONLY = toml(schedule({"break": BREAK}))
EVERY = 5.0
SNOOZE = 2.5


def start(desktop: Desktop, start_daemon: Any, tmp_path: Path) -> DaemonProcess:
    config = tmp_path / "config.toml"
    config.write_text(BREAKS_ONLY)
    daemon: DaemonProcess = start_daemon(desktop.env, "--speed", SPEED, "--config", str(config))
    return daemon


def breaks_cell(env: dict[str, str]) -> str:
    """Today's "taken/prompted" under Breaks in ``ergo-daemon report --days 1``."""
    done = cli(env, "report", "--days", "1")
    assert done.returncode == 0, done.stderr
    header, today = done.stdout.splitlines()[2:4]
    column = header.index("Breaks") + len("Breaks")
    return today[:column].split()[-1]


def break_times(desktop: Desktop) -> list[float]:
    return [n.at for n in desktop.notifications() if n.summary.startswith("Break time")]


def test_snooze_skip_and_done_from_dunsts_menu_reach_the_daemon(
    desktop: Desktop, start_daemon: Any, tmp_path: Path
) -> None:
    daemon = start(desktop, start_daemon, tmp_path)
    with desktop.keep_active():
        desktop.wait_for_notifications(lambda ns: len(break_times(desktop)) == 1, 15)
        offered = desktop.choose_action(r"^#Snooze \(Break time")
        pressed = time.time()
        assert re.findall(r"#(\w+) \(Break time", offered) == ["Done", "Snooze", "Skip"]
        daemon.wait_for_log("answered break: snoozed break")
        desktop.wait_for_notifications(lambda ns: len(break_times(desktop)) == 2, 10)
        back_after = break_times(desktop)[1] - pressed
        assert SNOOZE - 0.5 <= back_after < EVERY - 0.5, f"back after {back_after:.1f} s"

        desktop.choose_action(r"^#Skip \(Break time")
        daemon.wait_for_log("answered break: skipped break")
        planned = status(desktop.env)["next"]["break"]
        desktop.wait_for_notifications(lambda ns: len(break_times(desktop)) == 3, 10)
        gap = break_times(desktop)[2] - break_times(desktop)[1]
        assert gap >= EVERY - 0.5, f"a skipped break restarts the full interval: {gap:.1f} s"
        assert planned is not None

        desktop.choose_action(r"^#Done \(Break time")
        daemon.wait_for_log("answered break: break done")
    assert daemon.stop() == 0
    shown = len(break_times(desktop))
    assert breaks_cell(desktop.env) == f"1/{shown}", "one break taken, by the Done button"
    log = daemon.log()
    assert log.count("answered break") == 3, log


def test_the_daemon_answers_signals_from_the_server_it_showed_the_notice_on(
    desktop: Desktop, start_daemon: Any, tmp_path: Path
) -> None:
    desktop.stop_notification_server()
    address = desktop.env["DBUS_SESSION_BUS_ADDRESS"]
    with services.NotificationServer(address) as server:
        daemon = start(desktop, start_daemon, tmp_path)
        with desktop.keep_active():
            eventually(lambda: len(server.notices) == 1, "a break shown", 15)
            shown = server.notices[0]
            assert shown["summary"].startswith("Break time")
            assert shown["actions"][::2] == ["done", "snooze", "skip"]
            server.press(shown["id"], "done")
            daemon.wait_for_log("answered break: break done")
            eventually(lambda: shown["id"] in server.closed_by_client, "the notice closed")
            eventually(lambda: len(server.notices) == 2, "the next break shown", 15)
            server.close(server.notices[1]["id"], 2)
            daemon.wait_for_log("answered break: dismissed")
        assert daemon.stop() == 0
    assert breaks_cell(desktop.env) == f"1/{len(server.notices)}"
    export = tmp_path / "stats.csv"
    assert cli(desktop.env, "stats", "export", "--csv", str(export)).returncode == 0
    outcomes = re.findall(r",break,(\w+)", export.read_text())
    assert outcomes.count("done") == 1 and outcomes.count("dismissed") == 1, outcomes


FOLLOW_UPS = toml(schedule({"break": {**BREAK, "heads_up": "1m", "remind_after": "4m"}}))


def test_postpone_on_the_heads_up_and_an_ignored_break_asked_again_once(
    desktop: Desktop, start_daemon: Any, tmp_path: Path
) -> None:
    # At 120x: the heads-up 0.5 s before a break, asked again after 2 s more of typing.
    config = tmp_path / "config.toml"
    config.write_text(FOLLOW_UPS)
    daemon = start_daemon(desktop.env, "--speed", SPEED, "--config", str(config))

    def titles() -> list[str]:
        return [n.summary for n in desktop.notifications()]

    with desktop.keep_active():
        desktop.wait_for_notifications(lambda ns: titles() == ["Break in 1 minute"], 15)
        offered = desktop.choose_action(r"^#Postpone 5 minutes \(Break in")
        pressed = time.time()
        assert re.findall(r"#([\w ]+) \(Break in", offered) == ["Postpone 5 minutes", "Skip"]
        daemon.wait_for_log("answered break: snoozed break")
        desktop.wait_for_notifications(lambda ns: len(break_times(desktop)) == 1, 10)
        assert break_times(desktop)[0] - pressed >= SNOOZE - 0.5, "put off by the snooze length"
        assert titles()[:2] == ["Break in 1 minute", "Break in 1 minute"], "warned again"
        # Nobody answers the break and the typing goes on: asked once more, in other words.
        desktop.wait_for_notifications(lambda ns: len(ns) == 4, 10)
        assert titles()[3] == "Still going? Step away for 5 minutes now"
        time.sleep(1.5)  # the next break is 3 s away: nothing else comes before it
        assert len(titles()) == 4, titles()
    assert daemon.stop() == 0


class Answers:
    """Collects what the notifier hands on, from the bus thread."""

    def __init__(self) -> None:
        self.got: list[Answer] = []
        self.threads: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, answer: Answer) -> None:
        with self._lock:
            self.got.append(answer)
            self.threads.add(threading.current_thread().name)


@pytest.fixture
def server(desktop: Desktop) -> Iterator[services.NotificationServer]:
    desktop.stop_notification_server()  # the stand-in takes dunst's name
    with services.NotificationServer(desktop.env["DBUS_SESSION_BUS_ADDRESS"]) as stand_in:
        yield stand_in


def notifier_for(server: services.NotificationServer) -> tuple[FreedesktopNotifier, Answers]:
    notifier = FreedesktopNotifier(server.address, listener=Listener())
    answers = Answers()
    notifier.listen(answers)
    return notifier, answers


def test_each_button_reaches_the_handler_on_the_bus_thread_and_closes_the_notice(
    server: services.NotificationServer,
) -> None:
    notifier, answers = notifier_for(server)
    for key in ("done", "snooze", "skip"):
        notifier.send(BREAK_NOTICE)
        shown = server.notices[-1]
        assert shown["actions"] == ["done", "Done", "snooze", "Snooze", "skip", "Skip"]
        assert "ergo-daemon done" not in shown["body"], "buttons: no commands to type"
        server.press(shown["id"], key)
        eventually(lambda: len(answers.got) == len(server.notices), f"{key} handed on")
        assert answers.got[-1] == Answer(kinds.BREAK, key, (kinds.EYES,))
        closed = shown["id"]
        eventually(lambda: closed in server.closed_by_client, "the notice closed")  # noqa: B023
    assert answers.threads == {"ergo-dbus"}, "signals are read by the one listener thread"
    notifier.close()


def test_dismissing_counts_once_and_expiring_or_unknown_keys_not_at_all(
    server: services.NotificationServer,
) -> None:
    notifier, answers = notifier_for(server)
    notifier.send(BREAK_NOTICE)
    first = server.notices[-1]["id"]
    server.close(first, 2)  # the person closed it
    eventually(lambda: len(answers.got) == 1, "dismissal handed on")
    assert answers.got == [Answer(kinds.BREAK, "dismissed", (kinds.EYES,))]
    server.close(first, 2)  # said again: already gone
    notifier.send(BREAK_NOTICE)
    second = server.notices[-1]["id"]
    server.press(second, "default")  # a key this notice never offered
    server.close(second, 1)  # expired: not an answer
    notifier.send(BREAK_NOTICE)
    third = server.notices[-1]["id"]
    server.press(third, "skip")  # a marker: every earlier signal has been read by now
    eventually(lambda: len(answers.got) == 2, "the skip handed on")
    assert answers.got[1].action == "skip"
    notifier.close()


def test_a_server_without_buttons_gets_the_commands_to_type(desktop: Desktop) -> None:
    desktop.stop_notification_server()
    address = desktop.env["DBUS_SESSION_BUS_ADDRESS"]
    with services.NotificationServer(address, capabilities=("body",)) as server:
        notifier = FreedesktopNotifier(address, listener=Listener())
        notifier.send(BREAK_NOTICE)
        shown = server.notices[-1]
        assert shown["actions"] == []
        assert shown["body"] == (
            "Step away from the desk.\nAnswer: ergo-daemon done break (or snooze, skip)"
        )
        notifier.close()
