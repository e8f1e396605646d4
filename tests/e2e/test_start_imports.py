"""What the real daemon loads by the time it is ready: heavy modules it does not need stay out."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from support.cli import status
from support.desktop import Desktop

# Python prints "import time: self | cumulative | name" for every import to stderr, which the
# daemon's log shares, so the log holds every module loaded before and after "ready".
IMPORT_LINE = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)$", re.MULTILINE)
# Each of these is loaded only when used: a control request, a config error, a report, another
# platform's or a fallback backend. Measured costs are in the README's footprint section.
NOT_AT_START = (
    "ergo_daemon.control.handler",  # with the first control request
    "ergo_daemon.control.messages",
    "difflib",  # "did you mean" for an unknown key
    "ergo_daemon.simulate",  # `preview`
    "ergo_daemon.stats.report",  # `stats`
    "ergo_daemon.stats.html",
    "ergo_daemon.stats.text",
    "ergo_daemon.notify.plyer_backend",
    "plyer",  # only without a session bus, or on macOS/Windows
    "pywayland",  # tests only
    "ergo_daemon.activity.wayland",  # no Wayland display here
    "ergo_daemon.activity.windows",
    "ergo_daemon.activity.macos",
    "winreg",
    "ergo_daemon.settings.org_registry",
    "ergo_daemon.settings.org_managed",
    "yaml",  # pydantic-settings' optional file formats
    "tomli_w",
    "boto3",
)
QUIET = '[work_hours]\ndays = "mon-sun"\nhours = ["00:00-24:00"]\n'


def _imported(text: str) -> list[str]:
    return IMPORT_LINE.findall(text)


def test_the_daemon_starts_without_the_modules_it_loads_on_demand(
    desktop: Desktop, start_daemon: Any, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(QUIET)
    env = {**desktop.env, "PYTHONPROFILEIMPORTTIME": "1"}
    daemon = start_daemon(env, "--config", str(config))
    at_start = _imported(daemon.log().split(" ready ", 1)[0])
    assert "ergo_daemon.daemon" in at_start, "the import log is read"
    assert "pydantic_settings" in at_start, "settings are built by pydantic-settings"
    loaded = [name for name in NOT_AT_START if name in at_start]
    assert loaded == [], f"loaded at start: {loaded}"

    assert status(desktop.env)["status"], "a control request is answered"
    later = _imported(daemon.log().split(" ready ", 1)[1])
    assert "ergo_daemon.control.handler" in later, "the first request loads the handler"
    assert daemon.stop() == 0
