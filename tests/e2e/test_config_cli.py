"""``ergo-daemon config ...`` as an admin or a user runs it: a real subprocess."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from support.cli import ergo

BROKEN = {
    "syntax-unclosed-table": ('[eyes\nevery = "20m"\n', ":1:6: TOML syntax error"),
    "syntax-missing-value": ("[eyes]\nevery =\n", ":2:8: TOML syntax error"),
    "syntax-duplicate-key": ('[eyes]\nevery = "20m"\nevery = "30m"\n', ":3:"),
    "wrong-type-bool": ('[eyes]\nenabled = "sometimes"\n', ":2: eyes.enabled = 'sometimes'"),
    "wrong-type-table": ("eyes = 5\n", ":1: eyes = 5: Input should be a valid dictionary"),
    "wrong-type-int": (
        '[posture]\nwith_every_nth_stretch = "two"\n',
        "posture.with_every_nth_stretch = 'two'",
    ),
    "out-of-range-every": (
        '[stretch]\nevery = "30s"\n',
        "stretch.every = '30s': must be at least 10m",
    ),
    "out-of-range-nth": ("[posture]\nwith_every_nth_stretch = 99\n", "less than or equal to 10"),
    "out-of-range-duration": ('[break]\nduration = "3h"\n', "between 5s and 1h"),
    "unknown-top-level": ('[eyse]\nevery = "20m"\n', "unknown key 'eyse'; did you mean 'eyes'"),
    "unknown-nested": (
        '[work_hours]\nday = ["mon"]\n',
        "unknown key 'work_hours.day'; did you mean 'days'",
    ),
    "unknown-in-list-item": (
        '[[custom]]\nname = "walk"\ntitle = "Walk"\nat = "12:30"\nmesage = "x"\n',
        "did you mean 'message'",
    ),
    "duration-in-words": ('[eyes]\nevery = "20 minutes"\n', "expected a duration like 20s"),
    "bad-weekday": ('[work_hours]\ndays = "mon-funday"\n', "'mon-funday'"),
    "bad-time-range": ('[work_hours]\nhours = ["9-5"]\n', "expected a time of day like 08:30"),
    "unknown-preset": ('preset = "olympic"\n', "unknown preset 'olympic'"),
    "bad-timezone": ('[work_hours]\ntimezone = "Moon/Base"\n', "unknown time zone"),
}


def test_validate_explains_every_kind_of_broken_file(tmp_path: Path) -> None:
    files = []
    for name, (text, _) in BROKEN.items():
        path = tmp_path / f"{name}.toml"
        path.write_text(text)
        files.append(path)
    (tmp_path / "binary.toml").write_bytes(bytes(range(256)))
    (tmp_path / "huge.toml").write_text("# padding\n" * 200_000)
    files += [tmp_path / "binary.toml", tmp_path / "huge.toml"]
    result = ergo("config", "validate", *map(str, files))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    for name, (_, expected) in BROKEN.items():
        lines = [line for line in result.stderr.splitlines() if f"{name}.toml" in line]
        assert lines, f"no message for {name}"
        assert any(expected in line for line in lines), (name, lines)
    assert "binary.toml: not UTF-8 text" in result.stderr
    assert "huge.toml: 2000000 bytes is too large" in result.stderr


def test_validate_accepts_good_and_empty_files(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text('preset = "gentle"\n[eyes]\nenabled = true\n')
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    result = ergo("config", "validate", str(good), str(empty))
    assert result.returncode == 0, result.stderr
    assert "empty.toml: ok (empty: the built-in defaults apply)" in result.stdout


def test_show_sources_names_the_layer_of_each_value(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[stretch]\nevery = "45m"\n')
    result = ergo(
        "config",
        "show",
        "--sources",
        "--config",
        str(config),
        "--set",
        "break.every=50m",
        env={"ERGO_EYES__EVERY": "25m"},
    )
    assert result.returncode == 0, result.stderr
    lines = {line.split("=")[0].strip(): line for line in result.stdout.splitlines() if "=" in line}
    assert lines["every"]  # at least one
    text = result.stdout
    assert 'every = "45m"'.ljust(40) + f" # {config}" in text
    assert 'every = "25m"'.ljust(40) + " # environment (ERGO_*)" in text
    assert 'every = "50m"'.ljust(40) + " # command line" in text
    assert 'duration = "20s"'.ljust(40) + " # default" in text


def test_show_json_is_a_versioned_envelope_and_the_toml_round_trips(tmp_path: Path) -> None:
    envelope = json.loads(ergo("config", "show", "--json", "--preset", "gentle").stdout)
    assert envelope["version"] == 1
    assert envelope["settings"]["eyes"]["enabled"] is False
    assert envelope["sources"]["eyes.enabled"].startswith("preset gentle")
    assert envelope["locked"] == [] and envelope["overruled"] == []
    plain = ergo("config", "show", "--preset", "gentle").stdout
    assert tomllib.loads(plain)["break"]["every"] == "1h40m"


def test_paths_lists_every_place_and_whether_it_exists(tmp_path: Path) -> None:
    config = tmp_path / "mine.toml"
    config.write_text("")
    out = ergo("config", "paths", env={"ERGO_CONFIG": str(config)}).stdout
    assert f"exists  {config}" in out
    assert "/etc/ergo-daemon/policy.toml" in out and "/etc/ergo-daemon/defaults.toml" in out


def test_init_writes_a_commented_file_that_validates_and_changes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "config.toml"
    assert ergo("config", "init", str(target)).returncode == 0
    text = target.read_text()
    assert '# every = "20m"' in text and "# no input for this long counts as away" in text
    assert ergo("config", "validate", str(target)).returncode == 0
    assert ergo("config", "init", str(target)).returncode == 1, "never overwrites silently"
    defaults = json.loads(ergo("config", "show", "--json").stdout)["settings"]
    from_file = json.loads(ergo("config", "show", "--json", "--config", str(target)).stdout)
    assert from_file["settings"] == defaults


@pytest.mark.parametrize("flag", ["eyes.every", "=20m", "custom=[{"])
def test_bad_set_flags_are_clear_errors(flag: str) -> None:
    result = ergo("config", "show", "--set", flag)
    assert result.returncode == 2
    assert "--set" in result.stderr and "Traceback" not in result.stderr


def test_init_has_a_time_zone_and_custom_examples_that_validate_once_uncommented(
    tmp_path: Path,
) -> None:
    target = tmp_path / "config.toml"
    assert ergo("config", "init", str(target)).returncode == 0
    text = target.read_text()
    assert "README" not in text, "an install has no README to point at"
    assert "\n# timezone = " in text and "# [[custom]]\n" in text
    examples = text[text.index("# [[custom]]") :]
    uncommented = "".join(
        line[2:] if line.startswith("# ") and ("=" in line or line.startswith("# [[")) else line
        for line in examples.splitlines(keepends=True)
    )
    mine = tmp_path / "mine.toml"
    mine.write_text(uncommented)
    assert ergo("config", "validate", str(mine)).returncode == 0
    shown = json.loads(ergo("config", "show", "--json", "--config", str(mine)).stdout)["settings"]
    assert [c["name"] for c in shown["custom"]] == ["lunch-walk", "breathe"]
    assert shown["content"]["exercises"][0]["id"] == "door-frame-stretch"


def test_config_example_lists_and_prints_the_organisation_examples() -> None:
    listed = ergo("config", "example")
    assert listed.returncode == 0
    names = [line.split()[0] for line in listed.stdout.splitlines()]
    assert names == ["defaults", "policy", "admx", "adml", "mobileconfig"]
    organisation = Path(__file__).parents[2] / "config" / "organisation"
    policy = ergo("config", "example", "policy")
    assert policy.stdout == (organisation / "policy.toml").read_text()
    admx = ergo("config", "example", "admx").stdout
    assert admx == (organisation / "windows" / "ergo-daemon.admx").read_text()
    unknown = ergo("config", "example", "gpo")
    assert unknown.returncode == 2
    assert "no example 'gpo'; there are: defaults, policy, admx, adml" in unknown.stderr
