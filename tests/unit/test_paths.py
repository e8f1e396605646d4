"""Every place the daemon keeps things follows the XDG variables as they are when asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from ergo_daemon import paths


def test_each_place_follows_the_variables_set_after_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    state = tmp_path / "state" / "ergo-daemon"
    assert paths.config_file() == tmp_path / "config" / "ergo-daemon" / "config.toml"
    assert paths.state_dir() == state
    assert paths.state_file() == state / "state.json"
    assert paths.rotation_file() == state / "rotation.json"
    assert paths.last_good_settings() == state / "last-good-settings.json"
    assert paths.stats_database() == state / "stats.sqlite3"
    assert paths.log_file() == state / "ergo-daemon.log"
    assert paths.runtime_dir() == tmp_path / "run" / "ergo-daemon"


def test_the_organisation_folders_are_machine_wide() -> None:
    assert paths.linux_organisation_dir() == Path("/etc/ergo-daemon")
    assert paths.macos_organisation_dir() == Path("/Library/Application Support/ergo-daemon")
    assert paths.windows_organisation_dir(Path("C:/ProgramData")).name == "ergo-daemon"
