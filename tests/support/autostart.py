"""Fake systemctl and XDG trees for the autostart tests."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from ergo_daemon.autostart import SharedCheck
from ergo_daemon.autostart.xdg import (
    XdgAutostart,
    XdgPaths,
)

AWKWARD_ARGS = ["/opt/my apps/py$th%on", "-m", 'it\'s "quoted"', "back\\slash", "a;b", "~x"]


class FakeSystemctl:
    """Records systemctl calls; no user manager runs, so daemon-reload fails, enable works."""

    def __init__(self, paths: XdgPaths, enable_fails: bool = False) -> None:
        self.calls: list[list[str]] = []
        self._paths = paths
        self._enable_fails = enable_fails

    def __call__(self, argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
        self.calls.append(list(argv))
        _, scope, verb, *_rest = [*argv, ""]
        if verb == "daemon-reload":
            return subprocess.CompletedProcess(argv, 1, "", "Failed to connect to bus")
        if verb == "enable" and self._enable_fails:
            return subprocess.CompletedProcess(argv, 1, "", "Access denied")
        unit_dir = self._paths.unit_dir(scope == "--global")
        link = unit_dir / "graphical-session.target.wants" / "ergo-daemon.service"
        if verb == "enable" and not link.is_symlink():
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(unit_dir / "ergo-daemon.service")
        elif verb == "disable":
            link.unlink(missing_ok=True)
        return subprocess.CompletedProcess(argv, 0, "", "")


def fake_python(tmp_path: Path, folder: str = "my venv/bin") -> Path:
    """A venv-like interpreter link, in a directory with a space, to the real Python."""
    link = tmp_path / folder / "python"
    if not link.is_symlink():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(sys.executable)
    return link


def xdg_paths(tmp_path: Path) -> XdgPaths:
    etc = tmp_path / "etc"
    return XdgPaths(
        config_home=tmp_path / "home" / ".config",
        config_dirs=(etc / "xdg",),
        system_config=etc / "xdg",
        system_units=etc / "systemd" / "user",
        vendor_units=tmp_path / "usr" / "lib" / "systemd" / "user",
    )


def xdg(
    tmp_path: Path,
    executable: Path | None = None,
    *,
    admin: bool = True,
    systemctl: bool = True,
    enable_fails: bool = False,
    shared: SharedCheck | None = None,
) -> tuple[XdgAutostart, XdgPaths, FakeSystemctl]:
    shared = shared or everyone_may_run
    paths = xdg_paths(tmp_path)
    runner = FakeSystemctl(paths, enable_fails)
    adapter = XdgAutostart(
        paths,
        str(executable or fake_python(tmp_path)),
        is_admin=lambda: admin,
        environ={"PATH": "/usr/bin:/bin"},
        run=runner,
        which=lambda name: f"/usr/bin/{name}" if systemctl or name != "systemctl" else None,
        shared=shared,
    )
    return adapter, paths, runner


def everyone_may_run(_program: Path, _package: Path | None) -> None:
    """Stands in for the file-mode check: pytest's own folders are closed to other users."""
    return None


def entry_of(paths: XdgPaths, system: bool = False) -> Path:
    return paths.autostart_dir(system) / "ergo-daemon.desktop"


def unit_of(paths: XdgPaths, system: bool = False) -> Path:
    return paths.unit_dir(system) / "ergo-daemon.service"
