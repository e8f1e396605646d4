"""What people read at the command line when they get something wrong: plain words, no internals."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from support.cli import ROOT, ergo

# Words that belong to Python or a library, never to a message for people.
INTERNALS = ("_positive_float", "fromisoformat", "String should match", "Input should", "Input tag")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("pause", "until", "25:00"), "from 00:00 to 23:59, or 'tomorrow'"),
        (("pause", "0s"), "more than 0s and at most 7 days"),
        (("pause", "ten"), "'ten' is not a length of time; expected a duration like 20s"),
        (("snooze", "eyes", "5x"), "expected a duration like 20s"),
    ],
)
def test_the_control_commands_check_what_they_send_before_asking_the_daemon(
    args: tuple[str, ...], expected: str, tmp_path: Path
) -> None:
    # No daemon runs here (a fresh runtime folder): the answer comes from the command itself.
    done = ergo(*args, env={"XDG_RUNTIME_DIR": str(tmp_path)})
    assert done.returncode == 2, done.stdout + done.stderr
    assert expected in done.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("run", "--speed", "fast"), "--speed: 'fast' is not a number above 0, e.g. 1, 60 or 0.5"),
        (("run", "--speed", "0"), "--speed: '0' is not a number above 0"),
        (("preview", "--date", "2026-13-01"), "--date: '2026-13-01' is not a date; expected YYYY"),
    ],
)
def test_bad_option_values_are_named_without_python_function_names(
    args: tuple[str, ...], expected: str
) -> None:
    done = ergo(*args)
    assert done.returncode == 2
    assert expected in done.stderr
    assert not any(word in done.stderr for word in INTERNALS), done.stderr


@pytest.mark.parametrize(
    ("custom", "expected"),
    [
        (
            '[[custom]]\nname = "walk"\ntitle = "A"\nevery = "20m"\n'
            '[[custom]]\nname = "walk"\ntitle = "B"\nevery = "30m"\n',
            "custom.1.name = 'walk': 'walk' names another [[custom]] reminder already",
        ),
        (
            '[[custom]]\nname = "eyes"\ntitle = "A"\nevery = "20m"\n',
            "custom.0.name = 'eyes': 'eyes' is a built-in reminder",
        ),
        (
            '[[custom]]\nname = "Lunch Walk"\ntitle = "A"\nevery = "20m"\n',
            "custom.0.name = 'Lunch Walk': expected a short name: lower-case letters, digits",
        ),
    ],
)
def test_a_bad_custom_name_is_reported_at_its_file_line_and_key(
    custom: str, expected: str, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(custom)
    done = ergo("config", "validate", str(config))
    assert done.returncode == 1
    assert f"{config}:2: {expected}" in done.stderr
    assert ": :" not in done.stderr and "settings:" not in done.stderr
    assert not any(word in done.stderr for word in INTERNALS), done.stderr


def test_preview_into_a_closed_pipe_stops_quietly() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "ergo_daemon", "preview", "--date", "2026-11-23"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # like `| head` that has read enough: every write now fails
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=30) == 0, stderr
    assert stderr == ""
