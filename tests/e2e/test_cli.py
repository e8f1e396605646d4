"""The command line, run as a user runs it: a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from support.cli import ROOT, ergo


def test_preview_json_lists_a_working_day_with_offsets() -> None:
    result = ergo(
        "preview",
        "--date",
        "2026-11-23",
        "--json",
        env={"ERGO_WORK_HOURS__TIMEZONE": "Europe/Berlin"},
    )
    assert result.returncode == 0, result.stderr
    notices = json.loads(result.stdout)
    kinds = {n["kind"] for n in notices}
    assert {"eyes", "stretch", "break", "posture", "hydration"} <= kinds
    first = datetime.fromisoformat(notices[0]["at"])
    assert first.utcoffset() is not None and first.isoformat().endswith("+01:00")
    assert all(n["title"] and n["message"] for n in notices)
    times = [datetime.fromisoformat(n["at"]) for n in notices]
    assert times == sorted(times)
    assert times[0].strftime("%H:%M") >= "08:00" and times[-1].strftime("%H:%M") < "18:00"


def test_preview_of_a_weekend_says_so() -> None:
    result = ergo("preview", "--date", "2026-11-21")
    assert result.returncode == 0
    assert "not a working day" in result.stdout


def test_preview_follows_the_preset() -> None:
    gentle = json.loads(
        ergo("preview", "--date", "2026-11-23", "--json", "--preset", "gentle").stdout
    )
    office = json.loads(ergo("preview", "--date", "2026-11-23", "--json").stdout)
    assert len(gentle) < len(office)
    assert not any(n["kind"] == "eyes" for n in gentle)


def test_presets_lists_each_with_a_description() -> None:
    lines = ergo("presets").stdout.splitlines()
    names = [line.split()[0] for line in lines]
    assert names == ["gentle", "office", "standing-desk"]
    assert all(len(line.split(maxsplit=1)[1]) > 20 for line in lines)


def test_a_broken_config_stops_preview_with_file_line_and_key(tmp_path: Path) -> None:
    # `run` goes on with the last good settings instead: see test_reload_e2e.py.
    config = tmp_path / "config.toml"
    config.write_text('[stretch]\nevery = "half an hour"\n')
    result = ergo("preview", "--config", str(config))
    assert result.returncode == 2
    assert f"{config}:2: stretch.every = 'half an hour': expected a duration" in result.stderr
    assert "Traceback" not in result.stderr


def test_python_dash_m_and_version() -> None:
    result = ergo("--version")
    assert result.returncode == 0 and result.stdout.startswith("ergo-daemon ")


def test_the_control_commands_load_no_pydantic(tmp_path: Path) -> None:
    """``stop`` took 2 s on a busy machine, nearly all of it importing pydantic for nothing."""
    code = (
        "import sys\nfrom ergo_daemon import cli\n"
        "for command in ('stop', 'status', 'pause'):\n    cli.main([command])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'pydantic')[:3])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=ROOT,
        env={**os.environ, "XDG_RUNTIME_DIR": str(tmp_path)},  # no daemon runs here
    )
    assert "is not running" in done.stderr
    assert done.stdout.strip() == "[]", "a client only sends JSON and prints the answer"
