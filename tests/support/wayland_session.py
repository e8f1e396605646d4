"""Headless sway (a real wlroots compositor) and virtual-keyboard input, for Wayland idle tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import pytest

from support.desktop import stop_group, unavailable

# Program -> Debian package that provides it.
REQUIRED_PROGRAMS: dict[str, str] = {"sway": "sway", "swayidle": "swayidle", "wtype": "wtype"}
STARTUP_TIMEOUT = 10.0
UNPRIVILEGED = "nobody"  # sway refuses to run as root

# `exec` runs once the compositor is up: the ready file is the harness's start signal.
_CONFIG = """\
xwayland disable
output HEADLESS-1 resolution 640x480
exec touch {ready}
"""


def missing_programs() -> list[str]:
    """The required programs that are not on PATH."""
    return [name for name in REQUIRED_PROGRAMS if shutil.which(name) is None]


def missing_message(missing: list[str]) -> str:
    """The skip/fail message naming the missing programs and their packages."""
    packages = sorted({REQUIRED_PROGRAMS[name] for name in missing})
    install = f"apt-get install {' '.join(packages)}"
    return f"no Wayland session: missing {', '.join(missing)} ({install})"


@dataclass
class WaylandSession:
    """A running headless sway: ``display`` and ``runtime_dir`` locate its socket."""

    display: str
    runtime_dir: str
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes]

    def touch_input(self) -> None:
        """Press and release a key on a virtual keyboard: real input to the compositor's seat."""
        subprocess.run(["wtype", "-k", "Shift_L"], env=self.env, check=True, timeout=5)

    def stop(self) -> None:
        """Stop the compositor (clients then see their connection close)."""
        stop_group(self.process)


def _unprivileged() -> tuple[int, int] | None:
    """The uid and gid to run sway as when the tests run as root; None otherwise."""
    if os.geteuid() != 0:
        return None
    import pwd

    entry = pwd.getpwnam(UNPRIVILEGED)
    return entry.pw_uid, entry.pw_gid


@contextmanager
def wayland_session() -> Iterator[WaylandSession]:
    """Run a headless sway with its own runtime directory; stop it and clean up on exit."""
    missing = missing_programs()
    if missing:
        raise RuntimeError(missing_message(missing))
    # Short path under /tmp: Unix socket paths are limited to about 107 bytes.
    runtime_dir = Path(tempfile.mkdtemp(prefix="ergo-wl-"))
    try:
        ready = runtime_dir / "ready"
        config = runtime_dir / "sway.conf"
        config.write_text(_CONFIG.format(ready=ready))
        config.chmod(0o644)
        account = _unprivileged()
        if account is not None:
            os.chown(runtime_dir, *account)
        sway_env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(runtime_dir),
            "XDG_RUNTIME_DIR": str(runtime_dir),
            "WLR_BACKENDS": "headless",
            "WLR_RENDERER": "pixman",
            "WLR_LIBINPUT_NO_DEVICES": "1",
        }
        log = Path(tempfile.gettempdir()) / f"{runtime_dir.name}-sway.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                ["sway", "-c", str(config)],
                env=sway_env,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                user=None if account is None else account[0],
                group=None if account is None else account[1],
                extra_groups=None if account is None else [],
            )
        try:
            display = _wait_ready(process, runtime_dir, ready, log)
            env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
            env |= {"WAYLAND_DISPLAY": display, "XDG_RUNTIME_DIR": str(runtime_dir)}
            yield WaylandSession(display, str(runtime_dir), env, log, process)
        finally:
            stop_group(process)
            with suppress(OSError):
                log.unlink()
    finally:
        shutil.rmtree(runtime_dir, ignore_errors=True)


def _wait_ready(process: subprocess.Popen[bytes], runtime_dir: Path, ready: Path, log: Path) -> str:
    """Wait for sway's ready file; the name of its Wayland socket."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not ready.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"sway did not start (status {process.poll()}):\n{tail}")
        time.sleep(0.02)
    sockets = [p.name for p in runtime_dir.glob("wayland-*") if not p.name.endswith(".lock")]
    if len(sockets) != 1:
        raise RuntimeError(f"expected one Wayland socket in {runtime_dir}, found {sockets}")
    return sockets[0]


@pytest.fixture
def wayland() -> Iterator[WaylandSession]:
    """A running headless sway; skip if programs are missing (fail in CI, like ``desktop``)."""
    missing = missing_programs()
    if missing:
        message = missing_message(missing)
        unavailable(message)
    with wayland_session() as session:
        yield session
