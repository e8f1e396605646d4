"""Organisation defaults and locked policy: precedence, trust, and each platform's reader."""

from __future__ import annotations

import json
import os
import plistlib
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from support.organisation import ignored_policy, org

from ergo_daemon.settings.layers import ConfigError
from ergo_daemon.settings.load import load_settings
from ergo_daemon.settings.org_managed import ManagedPreferences, managed_paths
from ergo_daemon.settings.org_registry import RegistryPolicies, WindowsRegistry
from ergo_daemon.settings.organisation import OrganisationFiles, posix_untrusted

FIXTURES = Path(__file__).parents[1] / "fixtures"


# Layer j sets key i whenever j <= i, so key i is won by layer i; policy (5) also sets every key.
KEYS = ["eyes.every", "stretch.every", "break.every", "hydration.every", "timing.away_after"]
LAYERS = ["preset", "organisation defaults", "user file", "environment", "command line", "policy"]


def _toml(assignments: dict[str, str]) -> str:
    tables: dict[str, list[str]] = {}
    for key, value in assignments.items():
        table, leaf = key.split(".")
        tables.setdefault(table, []).append(f'{leaf} = "{value}"')
    return "\n".join(f"[{t}]\n" + "\n".join(lines) for t, lines in tables.items()) + "\n"


def _value(layer: int) -> str:
    return f"{layer + 20}m"  # every value above the floor of every kind (15m at most)


def _matrix(tmp_path: Path) -> dict[str, Any]:
    sets = {j: {k: _value(j) for i, k in enumerate(KEYS) if j <= i} for j in range(5)}
    preset = tmp_path / "team.toml"
    preset.write_text(_toml(sets[0]))
    folder = org(tmp_path)
    (folder / "defaults.toml").write_text(_toml(sets[1]))
    (folder / "policy.toml").write_text(_toml({"timing.away_after": _value(5)}))
    user = tmp_path / "config.toml"
    user.write_text(f'preset = "{preset}"\n' + _toml(sets[2]))
    env = {f"ERGO_{k.upper().replace('.', '__')}": v for k, v in sets[3].items()}
    flags = [f"{k}={v}" for k, v in sets[4].items()]
    return {
        "environ": env,
        "config_path": user,
        "overrides": flags,
        "stores": [OrganisationFiles(folder, untrusted=posix_untrusted)],
    }


@pytest.mark.skipif(os.geteuid() != 0, reason="policy files must be owned by root")
def test_each_layer_beats_the_ones_below_and_policy_beats_all(tmp_path: Path) -> None:
    loaded = load_settings(**_matrix(tmp_path))
    data = loaded.settings.model_dump(mode="json", by_alias=True)
    for index, key in enumerate(KEYS):
        table, leaf = key.split(".")
        expected_layer = 5 if key == "timing.away_after" else index
        assert data[table][leaf] == _value(expected_layer), key
        assert loaded.sources[key].startswith(
            {
                "preset": "preset",
                "organisation defaults": "organisation defaults",
                "user file": str(tmp_path),
                "environment": "environment",
                "command line": "command line",
                "policy": "policy",
            }[LAYERS[expected_layer]]
        ), (key, loaded.sources[key])
    assert loaded.locked == {"timing.away_after"}
    overruled = "\n".join(loaded.overruled)
    for who in ("environment (ERGO_*)", "command line", "organisation defaults", "preset"):
        assert f"timing.away_after from {who}" in overruled


@pytest.mark.skipif(os.geteuid() != 0, reason="chown needs root")
def test_a_policy_file_users_can_write_is_ignored(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = org(tmp_path)
    policy = folder / "policy.toml"
    policy.write_text('[eyes]\nevery = "45m"\n')
    store = OrganisationFiles(folder)
    assert load_settings(environ={}, stores=[store]).settings.eyes.every == timedelta(minutes=45)
    policy.chmod(0o666)
    loaded = load_settings(environ={}, stores=[store])
    assert loaded.settings.eyes.every == timedelta(minutes=20)
    assert "writable by other users" in caplog.text
    assert "ignored" in store.places()[1].note
    policy.chmod(0o644)
    os.chown(policy, 1000, 1000)
    assert "not owned by root" in (posix_untrusted(policy) or "")


def test_environment_and_flags_cannot_override_a_locked_key(tmp_path: Path) -> None:
    folder = org(tmp_path)
    (folder / "policy.toml").write_text('[eyes]\nevery = "25m"\n')
    loaded = load_settings(
        environ={"ERGO_EYES__EVERY": "40m"},
        overrides=["eyes.every=50m"],
        stores=[OrganisationFiles(folder, untrusted=lambda _p: None)],
    )
    assert loaded.settings.eyes.every == timedelta(minutes=25)
    assert len(loaded.overruled) == 2


def test_a_broken_policy_file_is_an_error_naming_it(tmp_path: Path) -> None:
    folder = org(tmp_path)
    (folder / "policy.toml").write_text('[eyes]\nevery = "soon"\n')
    with pytest.raises(ConfigError, match=r"policy .*policy.toml:2: eyes.every = 'soon'"):
        load_settings(environ={}, stores=[OrganisationFiles(folder, untrusted=lambda _p: None)])


class FixtureRegistry:
    def __init__(self, path: Path) -> None:
        self.tree = json.loads(path.read_text())

    def read_tree(self, path: str) -> dict[str, Any] | None:
        assert path == r"SOFTWARE\Policies\ergo-daemon"
        copy: dict[str, Any] = json.loads(json.dumps(self.tree))
        return copy


def test_registry_policy_locks_and_recommended_sets_defaults() -> None:
    store = RegistryPolicies(FixtureRegistry(FIXTURES / "registry-policy.json"))
    loaded = load_settings(
        environ={"ERGO_EYES__EVERY": "40m"}, overrides=["stretch.every=35m"], stores=[store]
    )
    s = loaded.settings
    assert s.eyes.every == timedelta(minutes=25), "locked by HKLM policy"
    assert s.work_hours.days == ["mon", "tue", "wed", "thu"]
    assert s.work_hours.hours == [(450, 960)], "JSON in REG_SZ"
    assert s.stretch.every == timedelta(minutes=35), "recommended is only a default"
    assert s.preset == "standing-desk" and any(c.name == "stand" for c in s.custom)
    assert loaded.sources["eyes.every"] == r"policy registry HKLM\SOFTWARE\Policies\ergo-daemon"
    assert [p.exists for p in store.places()] == [True, True]


class FakeWinreg:
    """Just enough of ``winreg`` over a nested dict to run WindowsRegistry's real walk."""

    HKEY_LOCAL_MACHINE = "HKLM"

    def __init__(self, tree: dict[str, Any]) -> None:
        self.tree = tree

    def OpenKey(self, parent: Any, path: str) -> Any:
        node = self.tree if parent == "HKLM" else parent.node
        for part in path.split("\\"):
            if part not in node:
                raise FileNotFoundError(path)
            node = node[part]
        return _Key(node)

    def QueryInfoKey(self, key: Any) -> tuple[int, int, int]:
        return len(key.subkeys), len(key.values), 0

    def EnumValue(self, key: Any, index: int) -> tuple[str, Any, int]:
        name, value = key.values[index]
        return name, value, 1

    def EnumKey(self, key: Any, index: int) -> str:
        return str(key.subkeys[index])


class _Key:
    def __init__(self, node: dict[str, Any]) -> None:
        self.node = node
        self.values = [(k, v) for k, v in node.items() if not isinstance(v, dict)]
        self.subkeys = [k for k, v in node.items() if isinstance(v, dict)]

    def __enter__(self) -> _Key:
        return self

    def __exit__(self, *_: object) -> None:
        return None


def test_the_real_registry_walk_over_a_fake_winreg(monkeypatch: pytest.MonkeyPatch) -> None:
    fixture = json.loads((FIXTURES / "registry-policy.json").read_text())
    hive = {"SOFTWARE": {"Policies": {"ergo-daemon": fixture}}}
    monkeypatch.setattr("importlib.import_module", lambda name: FakeWinreg(hive))
    assert WindowsRegistry().read_tree(r"SOFTWARE\Policies\ergo-daemon") == fixture
    assert WindowsRegistry().read_tree(r"SOFTWARE\Policies\absent") is None


def test_managed_preferences_lock_every_key_they_hold(tmp_path: Path) -> None:
    root = tmp_path / "Managed Preferences"
    (root / "alex").mkdir(parents=True)
    shutil.copy(FIXTURES / "org.ergo-daemon.plist", root / "alex" / "org.ergo-daemon.plist")
    store = ManagedPreferences(managed_paths("alex", root), untrusted=lambda _p: None)
    loaded = load_settings(environ={"ERGO_BREAK__EVERY": "2h"}, stores=[store])
    assert loaded.settings.rest_break.every == timedelta(minutes=50)
    assert loaded.locked == {"break.every", "break.duration", "posture.after_away"}
    assert [p.exists for p in store.places()] == [False, True]


def test_a_corrupt_managed_preferences_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "org.ergo-daemon.plist"
    path.write_bytes(b"not a plist")
    with pytest.raises(ConfigError, match="not a readable property list"):
        ManagedPreferences((path,), untrusted=lambda _p: None).layers()


EXAMPLES = Path(__file__).parents[2] / "config" / "organisation"


def test_shipped_organisation_examples_are_valid() -> None:
    from ergo_daemon.settings.layers import Layer, read_toml, validate

    for name in ("defaults.toml", "policy.toml"):
        validate([read_toml(EXAMPLES / name)])
    profile = plistlib.loads((EXAMPLES / "macos" / "org.ergo-daemon.mobileconfig").read_bytes())
    forced = profile["PayloadContent"][0]["PayloadContent"]["org.ergo-daemon"]["Forced"]
    validate([Layer("profile", forced[0]["mcx_preference_settings"], locks=True)])


def test_every_admx_policy_writes_a_real_settings_key() -> None:
    from ergo_daemon.settings.layers import flatten
    from ergo_daemon.settings.models import Settings

    known = set(flatten(Settings.model_validate({}).model_dump(by_alias=True))) | {"preset"}
    tree = ElementTree.parse(EXAMPLES / "windows" / "ergo-daemon.admx")
    namespace = {"p": "http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions"}
    policies = tree.getroot().findall(".//p:policy", namespace)
    assert len(policies) >= 5
    for policy in policies:
        path = policy.get("key", "").removeprefix("SOFTWARE\\Policies\\ergo-daemon")
        tables = [p for p in path.split("\\") if p and p != "Recommended"]
        names = {e.get("valueName") for e in policy.iter() if e.get("valueName")}
        for name in names:
            assert ".".join([*tables, str(name)]) in known, (policy.get("name"), tables, name)


def test_windows_policy_files_count_only_when_administrators_own_them(tmp_path: Path) -> None:
    from functools import partial

    from ergo_daemon.settings.organisation import windows_untrusted

    folder = org(tmp_path)
    (folder / "policy.toml").write_text('[eyes]\nevery = "45m"\n')
    owners = {"owner": "S-1-5-32-544"}
    untrusted = partial(windows_untrusted, owner_sid=lambda _path: owners["owner"])
    store = OrganisationFiles(folder, untrusted=untrusted)
    assert load_settings(environ={}, stores=[store]).settings.eyes.every == timedelta(minutes=45)
    owners["owner"] = "S-1-5-21-1004336348-1177238915-682003330-1001"  # an ordinary user
    assert load_settings(environ={}, stores=[store]).settings.eyes.every == timedelta(minutes=20)
    assert "not an administrator" in store.places()[1].note


def test_validate_says_an_ignored_policy_file_is_ignored_and_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ergo_daemon.cli import main

    policy = ignored_policy(tmp_path, monkeypatch)
    assert main(["config", "validate", str(policy)]) == 1
    out = capsys.readouterr()
    assert f"{policy}: valid, but IGNORED as policy: " in out.err
    assert (posix_untrusted(policy) or "never trusted") in out.err
    assert ": ok" not in out.out
    policy.chmod(0o644)
    if os.geteuid() == 0:  # root's file, no longer writable by others: in force again
        assert main(["config", "validate", str(policy)]) == 0
        assert f"{policy}: ok" in capsys.readouterr().out
