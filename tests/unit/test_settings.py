"""Configuration: durations, layers and their precedence, presets, and errors people can act on."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from ergo_daemon.durations import format_duration, parse_duration
from ergo_daemon.settings.layers import ConfigError, read_toml, validate
from ergo_daemon.settings.load import load_settings
from ergo_daemon.settings.models import Settings, time_scaled
from ergo_daemon.settings.presets import load_preset, shipped_presets


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20m", timedelta(minutes=20)),
        ("90s", timedelta(seconds=90)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("2h", timedelta(hours=2)),
    ],
)
def test_durations_read_like_people_write_them(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected
    assert parse_duration(format_duration(expected)) == expected


@pytest.mark.parametrize("text", ["20 minutes", "", "m", "1.5h", "-5m", "20"])
def test_other_duration_spellings_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="duration like 20s, 20m"):
        parse_duration(text)


def _write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_built_in_defaults_need_no_file(tmp_path: Path) -> None:
    loaded = load_settings(environ={}, config_path=None, preset=None)
    assert loaded.settings.eyes.every == timedelta(minutes=20)
    assert loaded.settings.work_hours.days == ["mon", "tue", "wed", "thu", "fri"]


def test_layers_user_file_over_preset_env_over_file_flag_picks_preset(tmp_path: Path) -> None:
    config = _write(tmp_path, 'preset = "gentle"\n[stretch]\nevery = "45m"\n[eyes]\nevery="25m"\n')
    loaded = load_settings(environ={"ERGO_EYES__EVERY": "30m"}, config_path=config)
    s = loaded.settings
    assert s.rest_break.every == timedelta(minutes=100), "from the gentle preset"
    assert s.stretch.every == timedelta(minutes=45), "the user file beats the preset"
    assert s.eyes.every == timedelta(minutes=30), "the environment beats the user file"
    assert loaded.sources["eyes.every"] == "environment (ERGO_*)"
    assert loaded.sources["stretch.every"] == str(config)
    assert loaded.sources["break.every"].startswith("preset gentle")
    flagged = load_settings(environ={}, config_path=config, preset="office").settings
    assert flagged.rest_break.every == timedelta(hours=1), "--preset beats preset = in the file"


def test_environment_sets_lists_from_plain_text() -> None:
    env = {
        "ERGO_WORK_HOURS__DAYS": "mon-wed,fri",
        "ERGO_WORK_HOURS__HOURS": "09:00-12:00,13:00-17:30",
        "ERGO_BREAK__EVERY": "50m",
    }
    s = load_settings(environ=env).settings
    assert s.work_hours.days == ["mon", "tue", "wed", "fri"]
    assert s.work_hours.hours == [(540, 720), (780, 1050)]
    assert s.rest_break.every == timedelta(minutes=50)


def test_office_preset_file_is_exactly_the_built_in_defaults() -> None:
    office = validate([load_preset("office").layer]).settings
    assert office == Settings.model_validate({})


def test_every_shipped_preset_loads_and_describes_itself() -> None:
    presets = {p.name: p for p in shipped_presets()}
    assert {"office", "standing-desk", "gentle"} <= presets.keys()
    for preset in presets.values():
        assert preset.description
        validate([preset.layer])


def test_unknown_preset_lists_the_choices() -> None:
    with pytest.raises(ConfigError, match="choose one of gentle, office, standing-desk"):
        load_settings(environ={}, preset="nope")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[eyes]\nevery = "20 minutes"\n',
            r"config.toml:2: eyes.every = '20 minutes': expected a duration",
        ),
        (
            '[stretch]\nevry = "30m"\n',
            r"config.toml:2: unknown key 'stretch.evry'; did you mean 'every'",
        ),
        ('[eyse]\nevery = "30m"\n', r"unknown key 'eyse'; did you mean 'eyes'"),
        ("[eyes\n", r"config.toml:1:6: TOML syntax error"),
        (
            '[work_hours]\ndays = ["mon", "funday"]\n',
            r"work_hours.days.1 = 'funday': Input should be 'mon'",
        ),
        ('[work_hours]\nhours = ["08:00-08:00"]\n', r"'08:00-08:00' starts and ends at once"),
        ('[eyes]\nevery = "10s"\n', r"config.toml:2: eyes.every = '10s': must be at least 5m"),
        ("[eyes]\nevery = 90\n", r'config.toml:2: eyes.every = 90: .*like "90s" or "20m"'),
        ("[hydration]\nevery = 0\n", r"config.toml:2: hydration.every = 0: a bare number"),
        ('[hydration]\nevery = "0s"\n', r"hydration.every = '0s': must be at least 15m"),
        ('[hydration]\nevery = "10s"\n', r"hydration.every = '10s': must be at least 15m"),
        ('[stretch]\nevery = "9m"\n', r"stretch.every = '9m': must be at least 10m"),
        ('[break]\nevery = "5m"\n', r"break.every = '5m': must be at least 10m"),
        (
            '[stretch]\nevery = "10m"\nduration = "12m"\n',
            r"config.toml:3: stretch.duration = '12m': must be shorter than 'every' \(10m\)",
        ),
        ("[timing]\naway_after = 120\n", r"timing.away_after = 120: a bare number has no unit"),
        (
            '[[custom]]\nname = "walk"\ntitle = "Walk"\nevery = "2m"\n',
            r"config.toml:4: custom.0.every = '2m': must be at least 5m",
        ),
        ('[eyes]\nenabled = "maybe"\n', r"eyes.enabled = 'maybe'"),
        ('[[custom]]\nname = "walk"\ntitle = "Walk"\n', r"set exactly one of 'every'"),
        ('[work_hours]\ntimezone = "Mars/Olympus"\n', r"unknown time zone 'Mars/Olympus'"),
    ],
)
def test_broken_files_name_file_line_key_and_what_is_allowed(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(environ={}, config_path=_write(tmp_path, text))


def test_binary_and_missing_files_are_clear_errors(tmp_path: Path) -> None:
    binary = tmp_path / "config.toml"
    binary.write_bytes(b"\x00\xff\xfe binary")
    with pytest.raises(ConfigError, match="not UTF-8 text"):
        read_toml(binary)
    with pytest.raises(ConfigError, match="no such config file"):
        load_settings(environ={}, config_path=tmp_path / "missing.toml")


def test_unknown_environment_variable_is_an_error_not_silence() -> None:
    with pytest.raises(ConfigError, match=r"environment \(ERGO_\*\): unknown key 'eyse'"):
        load_settings(environ={"ERGO_EYSE__EVERY": "3m"})


def test_the_break_table_has_one_name_however_it_is_spelt() -> None:
    loaded = load_settings(
        environ={"ERGO_REST_BREAK__EVERY": "50m"}, overrides=["break.duration=6m"]
    )
    assert loaded.settings.rest_break.every == timedelta(minutes=50)
    assert loaded.settings.rest_break.duration == timedelta(minutes=6)
    assert loaded.sources["break.every"] == "environment (ERGO_*)", "shown under [break]"
    assert loaded.sources["break.duration"] == "command line"


def test_settings_read_no_variables_a_load_did_not_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ERGO_EYES__EVERY", "33m")
    monkeypatch.setenv("EYES", '{"every": "34m"}')
    assert Settings().eyes.every == timedelta(minutes=20)


def test_speed_divides_durations_but_not_times_of_day() -> None:
    s = Settings.model_validate({"custom": [{"name": "walk", "title": "Walk", "at": "12:30"}]})
    fast = time_scaled(s, 60)
    assert fast.eyes.every == timedelta(seconds=20)
    assert fast.timing.sample_every == timedelta(seconds=0.5)
    assert fast.custom[0].at == [12 * 60 + 30]
    assert fast.work_hours == s.work_hours


def test_floors_apply_to_the_configured_value_not_the_speed_scaled_one() -> None:
    s = Settings.model_validate({"eyes": {"every": "5m"}, "hydration": {"every": "15m"}})
    fast = time_scaled(s, 300)
    assert fast.eyes.every == timedelta(seconds=1), "a demo at 300x may prompt every second"
    assert fast.hydration.every == timedelta(seconds=3)
