"""Quiet signals read from Linux itself: camera and microphone."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ergo_daemon.ports import QuietError
from ergo_daemon.quiet import proc
from ergo_daemon.quiet.command import Run, run


class CameraInUse:
    """A camera is in use when any process holds ``/dev/video*`` open (scanned in /proc)."""

    name = "camera (/dev/video*)"

    def __init__(self, devices: str = "/dev/video", proc_root: Path = proc.PROC) -> None:
        self._devices, self._proc = devices, proc_root

    def read(self, now: datetime) -> str | None:
        # No camera device at all (most desktops): no need to look through every process.
        folder, stem = Path(self._devices).parent, Path(self._devices).name
        if not any(folder.glob(f"{stem}*")):
            return None
        users = proc.holders(self._devices, self._proc)
        return f"camera in use by {users[0]}" if users else None

    def close(self) -> None:
        pass


class MicrophoneInUse:
    """A microphone records when PulseAudio or PipeWire has a source output on a real source.

    Outputs on ``.monitor`` sources (level meters, screen recorders of the speakers) do not
    count. ``pactl`` runs only when asked, with a timeout.
    """

    name = "microphone (pactl)"

    def __init__(self, command: Run = run, *, socket: Path | None = None) -> None:
        # socket: where the sound server listens; when it is missing pactl is not run, as it
        # could start a server of its own (PulseAudio's autospawn).
        self._run, self._socket = command, socket

    def read(self, now: datetime) -> str | None:
        if self._socket is not None and not self._socket.exists():
            raise QuietError(f"no sound server is running (no {self._socket})")
        outputs = _rows(self._run(["pactl", "list", "short", "source-outputs"]))
        if not outputs:
            return None
        sources = {
            row[0]: row[1] for row in _rows(self._run(["pactl", "list", "short", "sources"]))
        }
        for row in outputs:  # index, source index, client, driver, sample format
            source = sources.get(row[1], "") if len(row) > 1 else ""
            if source and not source.endswith(".monitor"):
                return "microphone in use"
        return None

    def close(self) -> None:
        pass


def _rows(text: str) -> list[list[str]]:
    return [line.split("\t") for line in text.splitlines() if line.strip()]
