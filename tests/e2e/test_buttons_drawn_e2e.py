"""Buttons drawn by a real notification server (GNOME's notification-daemon), clicked with the
mouse: each click reaches the real daemon."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.desktop import Desktop, unavailable
from support.waiting import eventually
from test_answers_e2e import BREAKS_ONLY, SPEED, breaks_cell
from test_screen_e2e import Screenshot, click, needs_imagemagick

SERVER = Path("/usr/lib/notification-daemon/notification-daemon")


@pytest.fixture
def drawing_server(desktop: Desktop) -> Iterator[Desktop]:
    """The session with notification-daemon in dunst's place."""
    if not SERVER.exists():
        message = f"no {SERVER} (apt-get install notification-daemon)"
        unavailable(message)
    needs_imagemagick()
    desktop.stop_notification_server()
    with (desktop.log_dir / "notification-daemon.log").open("wb") as log:
        server = subprocess.Popen([str(SERVER)], env=desktop.env, stderr=log, stdout=log)
    try:
        eventually(desktop._name_has_owner, "notification-daemon on the bus", 10)
        yield desktop
    finally:
        server.terminate()
        server.wait(5)


def notice_windows(desktop: Desktop) -> list[tuple[int, int, int, int]]:
    """(x, y, width, height) of each notification on screen."""
    found = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--name", "^Notification$"],
        env=desktop.env,
        capture_output=True,
        text=True,
    ).stdout.split()
    boxes = []
    for window in found:
        shape = subprocess.run(
            ["xdotool", "getwindowgeometry", "--shell", window],
            env=desktop.env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        values = dict(line.split("=") for line in shape.split())
        boxes.append(
            (int(values["X"]), int(values["Y"]), int(values["WIDTH"]), int(values["HEIGHT"]))
        )
    return boxes


def button_centres(shot: Screenshot, box: tuple[int, int, int, int]) -> list[tuple[int, int]]:
    """The labels of the lowest row of text in the notice, left to right: its buttons."""
    x0, y0, width, height = box

    def dark(x: int, y: int) -> bool:
        return 60 < sum(shot.at(x, y)) < 3 * 110  # text, not the black beyond rounded corners

    inside = range(x0 + 16, x0 + width - 40)  # not the border, nor the close button
    rows = [y for y in range(y0 + 16, y0 + height - 16) if any(dark(x, y) for x in inside)]
    bottom = rows[-1]
    band = [y for y in rows if bottom - y < 14]
    columns = [x for x in range(x0 + 16, x0 + width - 16) if any(dark(x, y) for y in band)]
    labels: list[list[int]] = []
    for x in columns:  # a gap of 8 px or more ends a label
        if labels and x - labels[-1][-1] < 8:
            labels[-1].append(x)
        else:
            labels.append([x])
    middle = (band[0] + band[-1]) // 2
    return [((xs[0] + xs[-1]) // 2, middle) for xs in labels]


def test_clicking_done_and_skip_on_drawn_buttons_reaches_the_daemon(
    drawing_server: Desktop, start_daemon: Any, tmp_path: Path
) -> None:
    desktop = drawing_server
    config = tmp_path / "config.toml"
    config.write_text(BREAKS_ONLY)
    daemon = start_daemon(desktop.env, "--speed", SPEED, "--config", str(config))
    for press, label, logged in ((0, "Done", "break done"), (2, "Skip", "skipped break")):
        with desktop.keep_active():
            eventually(lambda: bool(notice_windows(desktop)), "a notice on screen", 15)
        time.sleep(0.5)  # drawn
        box = notice_windows(desktop)[0]
        shot = Screenshot(desktop, tmp_path / f"{label}.png")
        buttons = button_centres(shot, box)
        assert len(buttons) == 3, f"Done, Snooze, Skip drawn at {buttons} in {box}"
        click(desktop, *buttons[press])
        daemon.wait_for_log(f"answered break: {logged}")
        eventually(lambda: not notice_windows(desktop), "the answered notice closed", 10)
    assert daemon.stop() == 0
    assert breaks_cell(desktop.env) == "1/2", "one of two breaks taken, by its Done button"
