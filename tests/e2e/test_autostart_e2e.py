"""Autostart for real: entries and units pass the real validators and systemctl, and ``autostart
enable`` starts the daemon as a desktop session would."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.autostart import AWKWARD_ARGS, entry_of, fake_python, unit_of, xdg, xdg_paths
from support.cli import cli
from support.desktop import Desktop, unavailable

from ergo_daemon.autostart.xdg import (
    XdgAutostart,
    entry_text,
    unit_text,
)

READY_TIMEOUT = 10.0


def ergo(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return cli(env, *args, cwd=env["HOME"])


def exec_line(entry: Path) -> str:
    lines = [line for line in entry.read_text().splitlines() if line.startswith("Exec=")]
    assert len(lines) == 1, entry.read_text()
    return lines[0].removeprefix("Exec=")


def wait_for_ready(process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while "ready" not in log.read_text(errors="replace"):
        if process.poll() is not None:
            raise AssertionError(f"exited ({process.returncode}):\n{log.read_text()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"no 'ready' after {READY_TIMEOUT} s:\n{log.read_text()}")
        time.sleep(0.05)


def test_the_enabled_entry_starts_the_daemon(desktop: Desktop, tmp_path: Path) -> None:
    env = desktop.env
    enabled = ergo(env, "autostart", "enable")
    assert enabled.returncode == 0, enabled.stderr
    entry = Path(env["XDG_CONFIG_HOME"]) / "autostart" / "ergo-daemon.desktop"
    assert f"Enabled: {entry} starts " in enabled.stdout
    assert ergo(env, "autostart", "enable").stdout.startswith("Already enabled")

    argv = shlex.split(exec_line(entry))
    assert argv == [str(Path(sys.executable).absolute()), "-m", "ergo_daemon", "run"]
    log = tmp_path / "login-started.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(  # as a session starts it: from $HOME, no terminal
            argv,
            env=env,
            cwd=env["HOME"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )
    try:
        wait_for_ready(process, log)
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode in (0, -15), log.read_text()

    status = ergo(env, "autostart", "status")
    assert status.returncode == 0 and status.stdout.startswith("Autostart (this user): enabled.")
    assert ergo(env, "autostart", "disable").returncode == 0
    assert "Hidden=true" in entry.read_text().splitlines()
    disabled = ergo(env, "autostart", "status")
    assert disabled.returncode == 1 and "disabled (Hidden=true)" in disabled.stdout
    assert [p.name for p in entry.parent.iterdir()] == ["ergo-daemon.desktop"]


# Program -> Debian package that provides it.
VALIDATORS = {"desktop-file-validate": "desktop-file-utils", "systemd-analyze": "systemd"}


def require(program: str) -> str:
    """The program's path; skip without it (fail when ERGO_TEST_REQUIRE_DESKTOP=1, as in CI)."""
    path = shutil.which(program)
    if path is None:
        message = f"{program} not installed (apt-get install {VALIDATORS[program]})"
        unavailable(message)
    return path


def validate_desktop(path: Path) -> None:
    result = subprocess.run(
        [require("desktop-file-validate"), str(path)], capture_output=True, text=True, timeout=30
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, ""), path.read_text()


def verify_unit(unit: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """``systemd-analyze --user verify``: it needs an XDG_RUNTIME_DIR, and warns but exits 0 on
    unknown keys or bad values, so a clean result is exit 0 and no output at all."""
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path / "home")}
    env["XDG_RUNTIME_DIR"] = str(runtime)
    return subprocess.run(
        [require("systemd-analyze"), "--user", "verify", str(unit)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


@pytest.mark.parametrize(
    "options",
    [
        {"systemd_skip": False},
        {"systemd_skip": True},
        {"systemd_skip": False, "hidden": True},
    ],
)
@pytest.mark.parametrize("argv", [["/usr/bin/python3", "-m", "ergo_daemon", "run"], AWKWARD_ARGS])
def test_entries_pass_desktop_file_validate(
    tmp_path: Path, argv: list[str], options: dict[str, bool]
) -> None:
    path = tmp_path / "ergo-daemon.desktop"
    path.write_text(entry_text(argv, **options))
    validate_desktop(path)


def test_the_entries_the_adapter_writes_pass_desktop_file_validate(tmp_path: Path) -> None:
    adapter, paths, _ = xdg(tmp_path)
    written = []
    for system, systemd in ((False, False), (False, True), (True, False)):
        adapter.enable(system=system, systemd=systemd)
        written.append(entry_of(paths, system).read_text())
        validate_desktop(entry_of(paths, system))
        adapter.disable(system=system, systemd=systemd)
        if system:  # removed, not hidden: see test_system_wide_status_says_...
            assert not entry_of(paths, system).exists()
            continue
        written.append(entry_of(paths, system).read_text())
        validate_desktop(entry_of(paths, system))
    assert len(set(written)) == 4  # plain, skipped, and both hidden; system = user


def test_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    adapter, paths, _ = xdg(tmp_path)
    adapter.enable(system=False, systemd=True)
    unit = unit_of(paths)
    result = verify_unit(unit, tmp_path)
    assert (result.returncode, result.stdout + result.stderr) == (0, ""), unit.read_text()
    # The check is real: a unit whose program is missing fails it.
    broken = tmp_path / "broken" / "ergo-daemon.service"
    broken.parent.mkdir()
    broken.write_text(unit_text(["/nonexistent/python", "-m", "ergo_daemon", "run"]))
    assert verify_unit(broken, tmp_path).returncode != 0


def test_real_systemctl_enables_offline(tmp_path: Path) -> None:
    """The symlink ``systemctl --user enable`` makes is the one ``status`` looks for."""
    systemctl = shutil.which("systemctl")
    if systemctl is None:
        require("systemd-analyze")  # same package
        pytest.skip("no systemctl")
    if Path("/run/systemd/system").exists():
        pytest.skip("systemd runs here: systemctl --user would change your real user manager")
    paths = xdg_paths(tmp_path)
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    environ = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path / "home")}
    environ |= {"XDG_CONFIG_HOME": str(paths.config_home), "XDG_RUNTIME_DIR": str(runtime)}
    adapter = XdgAutostart(
        paths, str(fake_python(tmp_path)), is_admin=lambda: True, environ=environ
    )
    assert "Ran systemctl --user enable" in adapter.enable(system=False, systemd=True)
    assert adapter.status(system=False, systemd=True).ok
    adapter.disable(system=False, systemd=True)
    assert not (paths.unit_dir(False) / "graphical-session.target.wants").exists()
