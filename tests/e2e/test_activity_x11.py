"""The X11 idle source outlives its X server: an error to read, never exit() from Xlib."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from support.cli import ROOT
from support.desktop import unavailable

# Runs in a child process: Xlib's default reaction to a lost server is exit(1).
SCRIPT = """
import ctypes, os, subprocess, sys
from ergo_daemon.activity.x11 import X11Idle
from ergo_daemon.ports import ActivityError

class OldLibX11:
    '''libX11 before 1.7: no XSetIOErrorExitHandler.'''
    def __init__(self, lib):
        self._lib = lib
    def __getattr__(self, name):
        if name == "XSetIOErrorExitHandler":
            raise AttributeError(name)
        return getattr(self._lib, name)

def load(name):
    lib = ctypes.CDLL(name)
    return OldLibX11(lib) if sys.argv[1] == "old" and name.startswith("libX11") else lib

ready, report = os.pipe()
xvfb = subprocess.Popen(
    ["Xvfb", "-displayfd", str(report), "-nolisten", "tcp"],
    pass_fds=(report,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
)
os.close(report)
source = X11Idle(":" + os.read(ready, 64).decode().strip(), load=load)
print("before:", source.read().idle is not None, flush=True)
xvfb.kill()
xvfb.wait()
for _ in range(2):
    try:
        source.read()
    except ActivityError as exc:
        print("ActivityError:", exc, flush=True)
source.close()
print("still running", flush=True)
"""


@pytest.mark.parametrize("libx11", ["new", "old"])
def test_losing_the_x_server_is_an_activity_error_not_the_end(libx11: str) -> None:
    if shutil.which("Xvfb") is None:
        message = "no Xvfb (apt-get install xvfb)"
        unavailable(message)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, libx11],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "before: True"
    assert [line.split(":")[0] for line in lines[1:]] == ["ActivityError"] * 2 + ["still running"]
