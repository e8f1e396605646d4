"""What runs when the configuration is broken at start: saved settings, valid layers, defaults."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ergo_daemon import fallback
from ergo_daemon.settings.errors import ConfigError
from ergo_daemon.settings.layers import Loaded
from ergo_daemon.settings.load import load_settings
from ergo_daemon.settings.models import Settings
from ergo_daemon.settings.organisation import OrganisationFiles


def _loader(
    tmp_path: Path, user: str, policy: str
) -> tuple[Callable[[frozenset[str]], Loaded], OrganisationFiles]:
    folder = tmp_path / "etc"
    folder.mkdir()
    (folder / "policy.toml").write_text(policy)
    store = OrganisationFiles(folder, untrusted=lambda _path: None)
    config, empty = tmp_path / "config.toml", tmp_path / "empty.toml"
    config.write_text(user)
    empty.write_text("")

    def load_without(parts: frozenset[str]) -> Loaded:
        return load_settings(
            environ={},
            config_path=empty if "your config file" in parts else config,
            stores=[] if "organisation files" in parts else [store],
        )

    return load_without, store


def test_an_admins_typo_in_the_policy_leaves_the_users_own_settings_running(
    tmp_path: Path,
) -> None:
    load_without, store = _loader(tmp_path, '[eyes]\nevery = "25m"\n', '[break]\nevry = "1h"\n')
    with pytest.raises(ConfigError) as broken:
        load_settings(environ={}, config_path=tmp_path / "config.toml", stores=[store])
    loaded, in_use = fallback.recover(
        broken.value,
        tmp_path / "none.json",
        load_without,
        [tmp_path / "config.toml"],
    )
    assert loaded.settings.eyes.every == timedelta(minutes=25), "the user's file still applies"
    assert in_use.choice == "valid layers" and in_use.detail.endswith("without organisation files")
    assert "policy" in (in_use.problem or "") and "evry" in (in_use.problem or "")
    assert loaded.files == (tmp_path / "config.toml",), "still watched, to notice the fix"


def test_saved_settings_come_first_and_an_unusable_save_is_passed_over(tmp_path: Path) -> None:
    saved = tmp_path / "state" / "last-good-settings.json"
    good = Settings.model_validate({"eyes": {"every": "40m"}})
    fallback.save(saved, good, datetime(2026, 11, 23, 9, 30, tzinfo=UTC))

    def nothing_valid(_parts: frozenset[str]) -> Loaded:
        raise ConfigError("x.toml:1: everything is broken")

    loaded, in_use = fallback.recover(ConfigError("x.toml:1: bad"), saved, nothing_valid, [])
    assert loaded.settings == good
    assert (in_use.choice, in_use.detail) == (
        "last good",
        "the last good settings, saved 2026-11-23 09:30",
    )
    saved.write_text("{not json")
    loaded, in_use = fallback.recover(ConfigError("x.toml:1: bad"), saved, nothing_valid, [])
    assert loaded.settings == Settings() and in_use.choice == "built-in defaults"
    assert fallback.notice_text(in_use) == (
        "x.toml:1: bad\nUntil it is fixed, reminders follow the built-in defaults."
    )
