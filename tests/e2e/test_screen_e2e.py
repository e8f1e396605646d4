"""The break screen: the real Tk window of the real daemon under Xvfb, seen and clicked, and its
child without a display."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import DaemonProcess
from support.cli import cli
from support.configs import schedule, toml
from support.desktop import Desktop, unavailable
from support.waiting import eventually

from ergo_daemon import kinds
from ergo_daemon.ports import Notice
from ergo_daemon.screen import BreakScreen

SPEED = "120"


# At 120x: a break every 10.5 s of activity, a 10 s countdown, a snooze of 2.5 s.
def screen_config(mode: str) -> str:
    """A break every 21 m, on the break screen in ``mode``; nothing else on."""
    table = {"every": "21m", "duration": "20m", "screen": mode, "heads_up": "0s"}
    return toml(schedule({"break": {**table, "remind_after": "0s"}}))


GREEN = (0x1D, 0x3B, 0x2F)  # the window's background
BUTTON_GREY = (0xD9, 0xD9, 0xD9)  # Tk's default button face
LAYOUT = re.compile(r"ergo-daemon break screen: (.*)")


class Screenshot:
    """The whole X screen, read with ImageMagick's ``import`` (saved as PNG beside it)."""

    def __init__(self, desktop: Desktop, path: Path) -> None:
        subprocess.run(["import", "-window", "root", str(path)], env=desktop.env, check=True)
        ppm = subprocess.run(
            ["convert", str(path), "ppm:-"], check=True, capture_output=True
        ).stdout
        magic, width, height, _depth, self.pixels = ppm.split(maxsplit=4)
        assert magic == b"P6"
        self.width, self.height = int(width), int(height)

    def at(self, x: int, y: int) -> tuple[int, int, int]:
        i = 3 * (y * self.width + x)
        return self.pixels[i], self.pixels[i + 1], self.pixels[i + 2]

    def around(self, x: int, y: int, colour: tuple[int, int, int]) -> float:
        """The fraction of the 9x9 pixels around x, y in ``colour`` (a label's text aside)."""
        box = [self.at(x + dx, y + dy) for dx in range(-4, 5) for dy in range(-4, 5)]
        return box.count(colour) / len(box)

    def share(self, colour: tuple[int, int, int]) -> float:
        """The fraction of the screen in exactly ``colour``."""
        wanted = bytes(colour)
        hits = sum(1 for i in range(0, len(self.pixels), 3) if self.pixels[i : i + 3] == wanted)
        return hits / (self.width * self.height)


def needs_imagemagick() -> None:
    import shutil

    if shutil.which("import") is None:
        message = "no ImageMagick for screenshots (apt-get install imagemagick)"
        unavailable(message)


def start(desktop: Desktop, start_daemon: Any, tmp_path: Path, mode: str) -> DaemonProcess:
    needs_imagemagick()
    config = tmp_path / "config.toml"
    config.write_text(screen_config(mode))
    daemon: DaemonProcess = start_daemon(desktop.env, "--speed", SPEED, "--config", str(config))
    return daemon


def wait_for_window(daemon: DaemonProcess, desktop: Desktop, count: int) -> str:
    """Type until the ``count``-th break window is up; where its buttons are."""
    with desktop.keep_active():
        eventually(lambda: len(LAYOUT.findall(daemon.log())) >= count, "a break window", 20)
    return str(LAYOUT.findall(daemon.log())[count - 1])


def buttons(layout: str) -> dict[str, tuple[int, int]]:
    return {m[1]: (int(m[2]), int(m[3])) for m in re.finditer(r"(\w+)[^;]* at (\d+),(\d+)", layout)}


def click(desktop: Desktop, x: int, y: int) -> None:
    subprocess.run(
        ["xdotool", "mousemove", "--sync", str(x), str(y), "click", "1"],
        env=desktop.env,
        check=True,
        timeout=5,
    )


def window_up(desktop: Desktop) -> bool:
    found = subprocess.run(
        ["xdotool", "search", "--name", "^ergo-daemon: Break time"],
        env=desktop.env,
        capture_output=True,
        timeout=5,
    )
    return found.returncode == 0


def outcomes(desktop: Desktop, tmp_path: Path) -> list[str]:
    export = tmp_path / "stats.csv"
    assert cli(desktop.env, "stats", "export", "--csv", str(export)).returncode == 0
    return re.findall(r",break,(\w+)", export.read_text())


def test_the_window_counts_down_and_its_buttons_postpone_and_skip_the_break(
    desktop: Desktop, start_daemon: Any, tmp_path: Path
) -> None:
    daemon = start(desktop, start_daemon, tmp_path, "window")
    where = buttons(wait_for_window(daemon, desktop, 1))
    assert set(where) == {"Postpone", "Skip"}
    time.sleep(2)  # nobody types: the countdown runs
    first = Screenshot(desktop, tmp_path / "window-1.png")
    time.sleep(1.5)
    second = Screenshot(desktop, tmp_path / "window-2.png")
    assert 0.1 < first.share(GREEN) < 0.5, "a window, not the whole screen"
    grey = {name: first.around(x, y, BUTTON_GREY) for name, (x, y) in where.items()}
    assert min(grey.values()) > 0.25, f"buttons at {where}: {grey}"
    assert first.pixels != second.pixels, "the countdown moved"
    with desktop.keep_active():
        time.sleep(1)  # the window sees the typing (and says the countdown waits)
        typing = Screenshot(desktop, tmp_path / "typing-1.png")
        time.sleep(2)
        still = Screenshot(desktop, tmp_path / "typing-2.png")
    assert typing.pixels == still.pixels, "the countdown waits while the person types"
    assert typing.pixels != second.pixels
    assert desktop.notifications() == [], "the window replaces the notice"

    click(desktop, *where["Postpone"])
    eventually(lambda: not window_up(desktop), "the window closed")
    assert outcomes(desktop, tmp_path) == ["shown", "snoozed"]
    # The postponed break comes back after the snooze length (2.5 s of activity), as a window.
    where = buttons(wait_for_window(daemon, desktop, 2))
    click(desktop, *where["Skip"])
    eventually(lambda: not window_up(desktop), "the window closed")
    assert outcomes(desktop, tmp_path) == ["shown", "snoozed", "shown", "skipped"]
    assert daemon.stop() == 0


def test_strict_mode_covers_the_screen_without_buttons_and_ends_with_a_notice(
    desktop: Desktop, start_daemon: Any, tmp_path: Path
) -> None:
    daemon = start(desktop, start_daemon, tmp_path, "strict")
    assert wait_for_window(daemon, desktop, 1) == "no buttons"
    time.sleep(2)
    shot = Screenshot(desktop, tmp_path / "strict.png")
    assert shot.share(GREEN) > 0.8, "the whole screen"
    assert shot.share(BUTTON_GREY) < 0.001, "no buttons"
    # Nobody types: the 10 s countdown ends with a notice, and the window goes.
    notices = desktop.wait_for_notifications(lambda ns: len(ns) == 1, 20)
    assert notices[0].summary == "Break over"
    eventually(lambda: not window_up(desktop), "the window closed")
    assert daemon.stop() == 0


BREAK = Notice(kinds.BREAK, "Break time", "Step away.", datetime.now(UTC), actions=("done", "skip"))


def test_without_a_display_the_child_says_so_and_the_notice_is_used(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    with caplog.at_level(logging.WARNING):
        shown = BreakScreen(sys.executable).show(BREAK, seconds=5, mode="window", postpone="5 min")
    assert not shown
    assert "no window opened; showing the notice instead" in caplog.text
