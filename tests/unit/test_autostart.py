"""Autostart at login: XDG entries and systemd units with a fake systemctl, the LaunchAgent plist,
and the Windows Run key through a dict-backed registry."""

from __future__ import annotations

import os
import plistlib
import shutil
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from support.autostart import AWKWARD_ARGS, entry_of, everyone_may_run, fake_python, unit_of, xdg
from support.cli import ROOT

from ergo_daemon import backends, cli
from ergo_daemon.autostart import AutostartError, hidden_from_others, launch_command
from ergo_daemon.autostart.launchd import LABEL, LaunchdAutostart
from ergo_daemon.autostart.registry import (
    APPROVED_KEY,
    RUN_KEY,
    RegistryAutostart,
    WindowsRegistry,
    gui_script,
    parse_run_value,
    run_value,
)
from ergo_daemon.autostart.xdg import (
    XdgAutostart,
    XdgPaths,
    exec_value,
    parse_exec,
    parse_exec_start,
    unit_text,
)


def keys(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def test_the_command_is_this_interpreter_with_the_venv_link_kept(tmp_path: Path) -> None:
    link = fake_python(tmp_path)
    assert launch_command(str(link)) == (str(link), "-m", "ergo_daemon", "run")
    assert launch_command("python3")[0] == str(Path.cwd() / "python3")
    with pytest.raises(AutostartError, match=r"sys\.executable is empty"):
        launch_command("")


@pytest.mark.parametrize(
    "argv", [AWKWARD_ARGS, ["/usr/bin/python3", "-m", "ergo_daemon", "run"], ["/a", "100%"]]
)
def test_exec_quoting_round_trips(argv: list[str]) -> None:
    assert parse_exec(exec_value(argv)) == tuple(argv)
    assert parse_exec_start(unit_text(argv).split("ExecStart=")[1].splitlines()[0]) == tuple(argv)


def test_enable_writes_one_entry_and_twice_changes_nothing(tmp_path: Path) -> None:
    adapter, paths, runner = xdg(tmp_path)
    first = adapter.enable(system=False, systemd=False)
    written = entry_of(paths).read_bytes()
    second = adapter.enable(system=False, systemd=False)
    assert first.startswith("Enabled: ") and second.startswith("Already enabled (unchanged)")
    assert entry_of(paths).read_bytes() == written
    assert [p.name for p in paths.autostart_dir(False).iterdir()] == ["ergo-daemon.desktop"]
    fields = keys(written.decode())
    assert parse_exec(fields["Exec"]) == launch_command(str(fake_python_path(tmp_path)))
    assert "Hidden" not in fields and "X-systemd-skip" not in fields
    assert runner.calls == []  # plain XDG never touches systemctl


def fake_python_path(tmp_path: Path) -> Path:
    return tmp_path / "my venv" / "bin" / "python"


def test_xdg_config_home_is_respected() -> None:
    home = Path("/home/a")
    paths = XdgPaths.from_environ({"XDG_CONFIG_HOME": "/srv/cfg"}, home)
    assert paths.autostart_dir(False) == Path("/srv/cfg/autostart")
    assert XdgPaths.from_environ({"XDG_CONFIG_HOME": "rel"}, home).config_home == home / ".config"
    assert XdgPaths.from_environ({}, home).autostart_dir(True) == Path("/etc/xdg/autostart")


def test_disable_hides_the_entry_and_enable_brings_it_back(tmp_path: Path) -> None:
    adapter, paths, _ = xdg(tmp_path)
    adapter.enable(system=False, systemd=False)
    assert adapter.disable(system=False, systemd=False).startswith("Disabled: ")
    fields = keys(entry_of(paths).read_text())
    assert fields["Hidden"] == "true" and "X-GNOME-Autostart-enabled" not in fields
    assert adapter.disable(system=False, systemd=False).startswith("Already disabled")
    status = adapter.status(system=False, systemd=False)
    assert not status.ok and "disabled (Hidden=true)" in status.describe()
    adapter.enable(system=False, systemd=False)
    assert "Hidden" not in keys(entry_of(paths).read_text())
    assert adapter.status(system=False, systemd=False).ok


def test_disabling_what_is_not_there_is_no_error(tmp_path: Path) -> None:
    adapter, paths, runner = xdg(tmp_path)
    assert adapter.disable(system=False, systemd=False).startswith("Not enabled")
    assert adapter.disable(system=True, systemd=True).startswith("Not enabled")
    assert not paths.config_home.exists() and runner.calls == []
    assert not adapter.status(system=False, systemd=False).entries


def test_a_user_disable_hides_the_system_wide_entry(tmp_path: Path) -> None:
    adapter, paths, _ = xdg(tmp_path)
    adapter.enable(system=True, systemd=False)
    status = adapter.status(system=False, systemd=False)  # the user sees the system entry
    assert status.ok and status.entries[0].where == str(entry_of(paths, system=True))
    message = adapter.disable(system=False, systemd=False)
    assert message.startswith("Disabled for you") and str(entry_of(paths, True)) in message
    assert keys(entry_of(paths).read_text())["Hidden"] == "true"
    assert entry_of(paths, system=True).exists()
    assert not adapter.status(system=False, systemd=False).ok
    assert adapter.status(system=True, systemd=False).ok


def test_system_wide_needs_root(tmp_path: Path) -> None:
    adapter, paths, _ = xdg(tmp_path, admin=False)
    for change in (adapter.enable, adapter.disable):
        with pytest.raises(AutostartError, match="needs root: run it with sudo") as refused:
            change(system=True, systemd=False)
        assert str(entry_of(paths, system=True)) in str(refused.value)
    assert not (tmp_path / "etc").exists()
    adapter.enable(system=False, systemd=False)  # a user's own entry needs no root


def test_system_wide_as_root(tmp_path: Path) -> None:
    adapter, paths, _ = xdg(tmp_path)
    assert "each user's next login" in adapter.enable(system=True, systemd=False)
    assert oct(entry_of(paths, True).stat().st_mode & 0o777) == "0o644"
    assert not paths.config_home.exists()


def test_status_reports_a_dangling_program(tmp_path: Path) -> None:
    python = fake_python(tmp_path, "old venv/bin")
    adapter, _, _ = xdg(tmp_path, python)
    adapter.enable(system=False, systemd=False)
    assert adapter.status(system=False, systemd=False).ok
    shutil.rmtree(tmp_path / "old venv")
    status = adapter.status(system=False, systemd=False)
    assert not status.ok and not status.entries[0].program_exists
    assert f"but {python} does not exist" in status.describe()


def test_systemd_unit_and_skipped_entry(tmp_path: Path) -> None:
    adapter, paths, runner = xdg(tmp_path)
    message = adapter.enable(system=False, systemd=True)
    unit = unit_of(paths).read_text()
    for line in (
        "After=graphical-session.target",
        "PartOf=graphical-session.target",
        "Restart=on-failure",
        "WantedBy=graphical-session.target",
        f'ExecStart="{fake_python_path(tmp_path)}" -m ergo_daemon run',
    ):
        assert line in unit.splitlines()
    assert keys(entry_of(paths).read_text())["X-systemd-skip"] == "true"
    assert runner.calls == [
        ["systemctl", "--user", "daemon-reload"],
        ["systemctl", "--user", "enable", "ergo-daemon.service"],
    ]
    assert "units load at login" in message and "Ran systemctl --user enable" in message
    status = adapter.status(system=False, systemd=True)
    assert status.ok and [e.kind for e in status.entries] == [
        "XDG autostart entry",
        "systemd user unit",
    ]
    assert adapter.enable(system=False, systemd=True).startswith("Already enabled")


def test_switching_back_to_xdg_and_disabling_remove_the_unit(tmp_path: Path) -> None:
    adapter, paths, runner = xdg(tmp_path)
    adapter.enable(system=False, systemd=True)
    adapter.enable(system=False, systemd=False)
    assert not unit_of(paths).exists()
    assert "X-systemd-skip" not in keys(entry_of(paths).read_text())
    assert ["systemctl", "--user", "disable", "ergo-daemon.service"] in runner.calls
    adapter.enable(system=False, systemd=True)
    adapter.disable(system=False, systemd=False)
    assert not unit_of(paths).exists()
    assert not list((paths.unit_dir(False) / "graphical-session.target.wants").glob("*"))
    assert [e.kind for e in adapter.status(system=False, systemd=True).entries] == [
        "XDG autostart entry"
    ]


def test_without_systemctl_it_says_what_to_run(tmp_path: Path) -> None:
    adapter, paths, runner = xdg(tmp_path, systemctl=False)
    message = adapter.enable(system=False, systemd=True)
    assert (
        "systemctl not found: in a systemd session, run: systemctl --user daemon-reload "
        "&& systemctl --user enable ergo-daemon.service" in message
    )
    assert runner.calls == [] and unit_of(paths).exists()
    status = adapter.status(system=False, systemd=True)
    assert not status.ok and "installed but not enabled" in status.describe()


def test_a_failing_systemctl_enable_is_an_error_with_what_to_run(tmp_path: Path) -> None:
    adapter, _, _ = xdg(tmp_path, enable_fails=True)
    with pytest.raises(AutostartError, match="Access denied") as failed:
        adapter.enable(system=False, systemd=True)
    assert "run: systemctl --user daemon-reload && systemctl --user enable" in str(failed.value)


def test_system_wide_unit_uses_global_enable(tmp_path: Path) -> None:
    adapter, paths, runner = xdg(tmp_path)
    adapter.enable(system=True, systemd=True)
    assert runner.calls == [["systemctl", "--global", "enable", "ergo-daemon.service"]]
    assert unit_of(paths, system=True).exists()
    assert adapter.status(system=True, systemd=True).ok
    user_view = adapter.status(system=False, systemd=True)
    assert user_view.ok and len(user_view.entries) == 2


def test_fleet_wide_unit_opt_out_and_double_start_hints(tmp_path: Path) -> None:
    adapter, paths, _ = xdg(tmp_path)
    adapter.enable(system=True, systemd=True)
    adapter.enable(system=False, systemd=False)  # the user's own entry, without the skip
    assert "Both start it" in adapter.status(system=False, systemd=False).describe()
    message = adapter.disable(system=False, systemd=False)
    assert "to opt out: systemctl --user mask ergo-daemon.service" in message
    mask = unit_of(paths)
    mask.parent.mkdir(parents=True)
    mask.symlink_to(os.devnull)  # what systemctl --user mask makes
    adapter.enable(system=False, systemd=False)
    adapter.disable(system=False, systemd=False)
    assert mask.is_symlink()  # a mask is the user's, not ours to remove
    states = [e.state for e in adapter.status(system=False, systemd=False).entries]
    assert states == ["disabled (Hidden=true)", "masked"]


def launchd(tmp_path: Path, admin: bool = True) -> LaunchdAutostart:
    return LaunchdAutostart(
        tmp_path / "Users" / "a",
        str(fake_python(tmp_path)),
        lambda: admin,
        system_dir=tmp_path / "Library" / "LaunchAgents",
        shared=everyone_may_run,
    )


def test_launch_agent_plist(tmp_path: Path) -> None:
    agent = launchd(tmp_path)
    message = agent.enable(system=False, systemd=False)
    path = tmp_path / "Users/a/Library/LaunchAgents" / f"{LABEL}.plist"
    assert message.startswith(f"Enabled: {path}")
    plist = plistlib.loads(path.read_bytes())
    assert plist == {
        "Label": "org.ergo-daemon.agent",
        "ProgramArguments": list(launch_command(str(fake_python_path(tmp_path)))),
        "RunAtLoad": True,
        "KeepAlive": {"SuccessfulExit": False},
        "LimitLoadToSessionType": "Aqua",
        "ProcessType": "Interactive",
    }
    assert agent.enable(system=False, systemd=False).startswith("Already enabled")
    assert agent.status(system=False, systemd=False).ok
    assert agent.disable(system=False, systemd=False).startswith("Disabled")
    assert agent.disable(system=False, systemd=False).startswith("Not enabled")
    assert not path.exists() and not agent.status(system=False, systemd=False).entries


def test_launch_agent_for_everyone_needs_root(tmp_path: Path) -> None:
    with pytest.raises(AutostartError, match="needs root"):
        launchd(tmp_path, admin=False).enable(system=True, systemd=False)
    with pytest.raises(AutostartError, match="--systemd is for Linux"):
        launchd(tmp_path).enable(system=False, systemd=True)
    launchd(tmp_path).enable(system=True, systemd=False)
    assert (tmp_path / "Library/LaunchAgents" / f"{LABEL}.plist").exists()


def test_launch_agent_status_reports_a_dangling_program(tmp_path: Path) -> None:
    agent = launchd(tmp_path)
    agent.enable(system=False, systemd=False)
    fake_python_path(tmp_path).unlink()
    status = agent.status(system=False, systemd=False)
    assert not status.ok and "does not exist" in status.describe()


class DictRegistry:
    """The registry seam over a dict; ``denied`` hives refuse writes like a non-admin."""

    def __init__(self, denied: tuple[str, ...] = ()) -> None:
        self.values: dict[tuple[str, str, str], str | bytes] = {}
        self._denied = denied

    def read(self, hive: str, key: str, name: str) -> str | bytes | None:
        return self.values.get((hive, key, name))

    def write(self, hive: str, key: str, name: str, value: str) -> None:
        if hive in self._denied:
            raise PermissionError(5, "Access is denied")
        self.values[(hive, key, name)] = value

    def delete(self, hive: str, key: str, name: str) -> bool:
        return self.values.pop((hive, key, name), None) is not None


def windows_venv(tmp_path: Path) -> tuple[Path, Path]:
    """``<venv with spaces>\\Scripts\\python.exe`` and the gui script pip puts beside it."""
    scripts = tmp_path / "My Venv" / "Scripts"
    scripts.mkdir(parents=True)
    (scripts / "python.exe").touch()
    gui = scripts / "ergo-daemon-gui.exe"
    gui.touch(mode=0o755)
    return scripts / "python.exe", gui


def test_run_value_in_hkcu_quotes_the_path(tmp_path: Path) -> None:
    python, gui = windows_venv(tmp_path)
    registry = DictRegistry()
    adapter = RegistryAutostart(registry, str(python), lambda: False)
    adapter.enable(system=False, systemd=False)
    assert registry.values == {("HKCU", RUN_KEY, "ergo-daemon"): f'"{gui}" run'}
    assert " " in str(gui) and parse_run_value(f'"{gui}" run') == (str(gui), "run")
    assert adapter.enable(system=False, systemd=False).startswith("Already enabled")
    assert len(registry.values) == 1
    status = adapter.status(system=False, systemd=False)
    assert status.ok and status.entries[0].command == (str(gui), "run")
    assert adapter.disable(system=False, systemd=False).startswith("Disabled")
    assert adapter.disable(system=False, systemd=False).startswith("Not enabled")
    assert registry.values == {}


def test_system_wide_uses_hklm_and_needs_an_administrator(tmp_path: Path) -> None:
    python, gui = windows_venv(tmp_path)
    registry = DictRegistry()
    with pytest.raises(AutostartError, match="elevated"):
        RegistryAutostart(registry, str(python), lambda: False).enable(system=True, systemd=False)
    assert registry.values == {}
    RegistryAutostart(registry, str(python), lambda: True).enable(system=True, systemd=False)
    assert registry.values == {("HKLM", RUN_KEY, "ergo-daemon"): f'"{gui}" run'}
    refused = RegistryAutostart(DictRegistry(denied=("HKLM",)), str(python), lambda: True)
    with pytest.raises(AutostartError, match="not allowed to change HKLM"):
        refused.enable(system=True, systemd=False)


def test_gui_script_beside_a_venv_python_or_in_scripts_of_a_plain_install() -> None:
    assert gui_script("/v/Scripts/python.exe") == Path("/v/Scripts/ergo-daemon-gui.exe")
    assert gui_script("/Python311/python.exe") == Path("/Python311/Scripts/ergo-daemon-gui.exe")
    assert run_value(Path("/a b/x.exe")) == '"/a b/x.exe" run'
    assert parse_run_value("C:\\x.exe run") == ("C:\\x.exe", "run")


def test_task_manager_off_switch_shows_in_status_and_enable_clears_it(tmp_path: Path) -> None:
    python, _ = windows_venv(tmp_path)
    registry = DictRegistry()
    adapter = RegistryAutostart(registry, str(python), lambda: False)
    adapter.enable(system=False, systemd=False)
    registry.values[("HKCU", APPROVED_KEY, "ergo-daemon")] = b"\x03" + bytes(11)
    status = adapter.status(system=False, systemd=False)
    assert not status.ok and "Task Manager" in status.describe()
    assert adapter.enable(system=False, systemd=False).startswith("Enabled")
    assert adapter.status(system=False, systemd=False).ok


def test_windows_status_reports_a_missing_gui_script(tmp_path: Path) -> None:
    python, gui = windows_venv(tmp_path)
    adapter = RegistryAutostart(DictRegistry(), str(python), lambda: False)
    adapter.enable(system=False, systemd=False)
    gui.unlink()
    status = adapter.status(system=False, systemd=False)
    assert not status.ok and f"but {gui} does not exist" in status.describe()


def test_the_real_registry_class_over_a_fake_winreg(monkeypatch: pytest.MonkeyPatch) -> None:
    store: dict[tuple[object, str], dict[str, object]] = {}

    class Key:
        def __init__(self, hive: object, path: str, create: bool) -> None:
            if not create and (hive, path) not in store:
                raise FileNotFoundError(path)
            self.values = store.setdefault((hive, path), {})

        def __enter__(self) -> Key:
            return self

        def __exit__(self, *_: object) -> None:
            return None

    def query(key: Key, name: str) -> tuple[object, int]:
        if name not in key.values:
            raise FileNotFoundError(name)
        return key.values[name], 1

    def delete(key: Key, name: str) -> None:
        if key.values.pop(name, None) is None:
            raise FileNotFoundError(name)

    winreg = SimpleNamespace(
        HKEY_CURRENT_USER="HKCU",
        HKEY_LOCAL_MACHINE="HKLM",
        KEY_SET_VALUE=2,
        REG_SZ=1,
        OpenKey=lambda hive, path, *_: Key(hive, path, create=False),
        CreateKeyEx=lambda hive, path, *_: Key(hive, path, create=True),
        QueryValueEx=query,
        SetValueEx=lambda key, name, _r, _t, value: key.values.__setitem__(name, value),
        DeleteValue=delete,
    )
    monkeypatch.setattr("importlib.import_module", lambda name: winreg)
    real = WindowsRegistry()
    assert real.read("HKCU", RUN_KEY, "ergo-daemon") is None
    real.write("HKLM", RUN_KEY, "ergo-daemon", '"x" run')
    assert store == {("HKLM", RUN_KEY): {"ergo-daemon": '"x" run'}}
    assert real.read("HKLM", RUN_KEY, "ergo-daemon") == '"x" run'
    assert real.delete("HKLM", RUN_KEY, "ergo-daemon")
    assert not real.delete("HKLM", RUN_KEY, "ergo-daemon")
    assert not real.delete("HKCU", APPROVED_KEY, "ergo-daemon")


def test_pyproject_declares_the_windowless_entry_point() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["gui-scripts"] == {"ergo-daemon-gui": "ergo_daemon.cli:main"}


def test_backends_pick_the_adapter_by_platform(tmp_path: Path) -> None:
    environ = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    linux = backends.autostart(environ, "linux")
    assert isinstance(linux, XdgAutostart)
    assert isinstance(backends.autostart(environ, "freebsd14"), XdgAutostart)
    assert isinstance(backends.autostart(environ, "darwin"), LaunchdAutostart)
    assert isinstance(backends.autostart(environ, "win32"), RegistryAutostart)
    linux.enable(system=False, systemd=False)
    assert (tmp_path / "cfg" / "autostart" / "ergo-daemon.desktop").exists()


def use_adapter(monkeypatch: pytest.MonkeyPatch, adapter: Any) -> None:
    monkeypatch.setattr(backends, "autostart", lambda environ, platform=sys.platform: adapter)


def test_cli_refuses_system_wide_without_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    adapter, paths, _ = xdg(tmp_path, admin=False)
    use_adapter(monkeypatch, adapter)
    assert cli.main(["autostart", "enable", "--system"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"ergo-daemon autostart enable: --system writes {entry_of(paths, system=True)}, "
        "which needs root: run it with sudo\n"
    )


def test_cli_status_exit_codes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    adapter, _, _ = xdg(tmp_path)
    use_adapter(monkeypatch, adapter)
    assert cli.main(["autostart", "status"]) == 1
    assert capsys.readouterr().out == "Autostart (this user): not enabled, nothing installed.\n"
    assert cli.main(["autostart", "enable"]) == 0
    assert cli.main(["autostart", "status"]) == 0
    fake_python_path(tmp_path).unlink()
    capsys.readouterr()
    assert cli.main(["autostart", "status"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("Autostart (this user): NOT working") and "does not exist" in out
    assert cli.main(["autostart", "disable"]) == 0
    assert cli.main(["autostart", "disable"]) == 0


@pytest.fixture
def shared_tree() -> Iterator[Path]:
    """A folder other users can enter (pytest's tmp_path is closed to them), removed after."""
    tree = Path(tempfile.mkdtemp(prefix="ergo-autostart-"))
    tree.chmod(0o755)
    yield tree
    shutil.rmtree(tree)


def install(tree: Path, folder: str, mode: int = 0o755) -> tuple[Path, Path]:
    """A venv-like ``bin/python`` and ``ergo_daemon`` package under ``tree/folder``."""
    root = tree / folder
    (root / "bin").mkdir(parents=True)
    python = root / "bin" / "python"
    python.write_text("#!/bin/sh\n")
    python.chmod(0o755)
    package = root / "lib" / "ergo_daemon"
    package.mkdir(parents=True)
    (package / "__main__.py").write_text("")
    for folder_path in (root, root / "bin", root / "lib", package):
        folder_path.chmod(0o755)
    (tree / folder.split("/")[0]).chmod(mode)
    return python, package


def test_system_wide_refuses_an_interpreter_other_users_cannot_reach(
    tmp_path: Path, shared_tree: Path
) -> None:
    private, package = install(shared_tree, "root/.venv", mode=0o700)  # like /root/.venv

    def check(program: Path, _package: Path | None) -> str | None:
        return hidden_from_others(program, package)

    adapter, paths, _ = xdg(tmp_path, private, shared=check)
    with pytest.raises(AutostartError) as refused:
        adapter.enable(system=True, systemd=False)
    message = str(refused.value)
    assert f"{shared_tree / 'root'} is closed to other users (mode 700)" in message
    assert "/opt/ergo-daemon/bin/python -m ergo_daemon autostart enable --system" in message
    assert not entry_of(paths, system=True).exists()

    link = shared_tree / "opt" / "bin" / "python"  # a shared path that links into the home
    link.parent.mkdir(parents=True)
    link.symlink_to(private)
    for folder in (link.parent, link.parent.parent):
        folder.chmod(0o755)
    adapter, paths, _ = xdg(tmp_path, link, shared=check)
    with pytest.raises(AutostartError, match="closed to other users"):
        adapter.enable(system=True, systemd=False)


def test_system_wide_status_says_when_others_cannot_run_it_and_disable_removes_it(
    tmp_path: Path,
    shared_tree: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    python, package = install(shared_tree, "opt/ergo-daemon")

    def check(program: Path, _package: Path | None) -> str | None:
        return hidden_from_others(program, package)

    adapter, paths, _ = xdg(tmp_path, python, shared=check)
    adapter.enable(system=True, systemd=False)
    assert adapter.status(system=True, systemd=False).ok
    (package / "__main__.py").chmod(0o600)
    with pytest.raises(AutostartError, match=r"other users may not read .*__main__\.py"):
        adapter.enable(system=True, systemd=False)

    python.chmod(0o700)  # the entry is there, but only its owner could run the program
    use_adapter(monkeypatch, adapter)
    assert cli.main(["autostart", "status", "--system"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("Autostart (system-wide): NOT working, see below.")
    assert f"other users cannot start it: other users may not run {python} (mode 700)" in out

    assert adapter.disable(system=True, systemd=False).startswith(
        f"Disabled: removed {entry_of(paths, system=True)}"
    )
    assert not entry_of(paths, system=True).exists()
    assert not adapter.status(system=True, systemd=False).entries
    assert adapter.disable(system=True, systemd=False).startswith("Not enabled")


def test_launch_agent_for_everyone_refuses_a_private_interpreter(
    tmp_path: Path, shared_tree: Path
) -> None:
    private, package = install(shared_tree, "Users/admin/venv", mode=0o700)
    agent = LaunchdAutostart(
        tmp_path / "Users" / "a",
        str(private),
        lambda: True,
        system_dir=tmp_path / "Library" / "LaunchAgents",
        shared=lambda program, _package: hidden_from_others(program, package),
    )
    with pytest.raises(AutostartError, match="closed to other users"):
        agent.enable(system=True, systemd=False)
    assert agent.enable(system=False, systemd=False).startswith("Enabled"), "fine for oneself"
