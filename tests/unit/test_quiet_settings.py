"""The ``[quiet]`` table: each signal on or off, max_hold, quiet windows, apps; lockable."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from ergo_daemon.settings.layers import ConfigError
from ergo_daemon.settings.load import load_settings
from ergo_daemon.settings.models import Settings, time_scaled
from ergo_daemon.settings.organisation import OrganisationFiles


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_every_signal_is_on_by_default_and_a_hold_ends_after_three_hours() -> None:
    quiet = Settings().quiet
    assert quiet.camera and quiet.microphone and quiet.fullscreen
    assert quiet.do_not_disturb and quiet.inhibitors
    assert quiet.max_hold == timedelta(hours=3)
    assert quiet.windows == [] and quiet.apps == []


def test_quiet_table_reads_windows_and_apps(tmp_path: Path) -> None:
    text = (
        '[quiet]\ncamera = false\nmax_hold = "90m"\napps = ["zoom", "obs"]\n'
        '[[quiet.windows]]\ndays = "mon-fri"\nhours = ["09:30-09:45"]\n'
    )
    quiet = load_settings(environ={}, config_path=_file(tmp_path, text)).settings.quiet
    assert not quiet.camera and quiet.microphone
    assert quiet.max_hold == timedelta(minutes=90)
    assert quiet.apps == ["zoom", "obs"]
    assert quiet.windows[0].days == ["mon", "tue", "wed", "thu", "fri"]
    assert quiet.windows[0].hours == [(570, 585)]


def test_apps_from_an_environment_variable() -> None:
    loaded = load_settings(environ={"ERGO_QUIET__APPS": "zoom, teams"})
    assert loaded.settings.quiet.apps == ["zoom", "teams"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[quiet]\nmax_hold = "10s"\n', r"config.toml:2: .*'max_hold' must be between 1m and 24h"),
        ('[quiet]\nmicrophone = "sometimes"\n', r"quiet.microphone = 'sometimes'"),
        ("[quiet]\ncamra = false\n", r"unknown key 'quiet.camra'; did you mean 'camera'"),
        ('[[quiet.windows]]\nhours = ["10:00-10:00"]\n', r"starts and ends at once"),
    ],
)
def test_bad_quiet_values_are_clear_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(environ={}, config_path=_file(tmp_path, text))


def test_an_organisation_can_lock_a_signal_on(tmp_path: Path) -> None:
    folder = tmp_path / "etc-ergo-daemon"
    folder.mkdir()
    (folder / "policy.toml").write_text('[quiet]\nmicrophone = true\nmax_hold = "1h"\n')
    loaded = load_settings(
        environ={"ERGO_QUIET__MICROPHONE": "false"},
        overrides=["quiet.max_hold=5h"],
        stores=[OrganisationFiles(folder, untrusted=lambda _p: None)],
    )
    assert loaded.settings.quiet.microphone
    assert loaded.settings.quiet.max_hold == timedelta(hours=1)
    assert len(loaded.overruled) == 2


def test_speed_shortens_max_hold_but_not_the_windows(tmp_path: Path) -> None:
    text = '[quiet]\nmax_hold = "3h"\n[[quiet.windows]]\nhours = ["09:30-09:45"]\n'
    settings = load_settings(environ={}, config_path=_file(tmp_path, text)).settings
    fast = time_scaled(settings, 60)
    assert fast.quiet.max_hold == timedelta(minutes=3)
    assert fast.quiet.windows[0].hours == [(570, 585)]
