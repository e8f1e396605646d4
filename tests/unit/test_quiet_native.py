"""macOS and Windows quiet signals, run on Linux against fake system libraries and registry.

The fake functions take the same ctypes arguments the real ones do (byref'd structures and
counters), so a wrong selector, scope or buffer size shows here as it would on the machine.
"""

from __future__ import annotations

import ctypes
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from support.native import Library, loader

from ergo_daemon.ports import QuietError
from ergo_daemon.quiet.apps import QuietApps, ps_programs, tasklist_programs
from ergo_daemon.quiet.macos import (
    CORE_AUDIO,
    CORE_MEDIA_IO,
    DEFAULT_INPUT,
    GLOBAL_SCOPE,
    HARDWARE_DEVICES,
    RUNNING_SOMEWHERE,
    SYSTEM_OBJECT,
    MacCamera,
    MacFocus,
    MacMicrophone,
    PropertyAddress,
    fourcc,
)
from ergo_daemon.quiet.windows import (
    CONSENT_STORE,
    NOTIFICATION_SETTINGS,
    ConsentInUse,
    NotificationsOff,
    NotificationState,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
BAD_PROPERTY = fourcc("who?")  # kAudioHardwareUnknownPropertyError


def _address(pointer: Any) -> tuple[int, int, int]:
    address = ctypes.cast(pointer, ctypes.POINTER(PropertyAddress)).contents
    return address.mSelector, address.mScope, address.mElement


def _u32(pointer: Any) -> Any:
    return ctypes.cast(pointer, ctypes.POINTER(ctypes.c_uint32))


class FakeCoreMediaIO:
    """Devices 0x21 and 0x22; ``running`` are those some process uses."""

    def __init__(self) -> None:
        self.devices = [0x21, 0x22]
        self.running: set[int] = set()
        self.library = Library(
            CMIOObjectGetPropertyDataSize=self._size, CMIOObjectGetPropertyData=self._data
        )

    def _size(self, obj: int, address: Any, _q: int, _qd: Any, size: Any) -> int:
        assert (obj, _address(address)) == (SYSTEM_OBJECT, (HARDWARE_DEVICES, GLOBAL_SCOPE, 0))
        _u32(size)[0] = 4 * len(self.devices)
        return 0

    def _data(
        self, obj: int, address: Any, _q: int, _qd: Any, size: int, used: Any, data: Any
    ) -> int:
        selector, scope, _element = _address(address)
        assert scope == GLOBAL_SCOPE
        if obj == SYSTEM_OBJECT and selector == HARDWARE_DEVICES:
            assert size >= 4 * len(self.devices), "buffer too small"
            for i, device in enumerate(self.devices):
                _u32(data)[i] = device
            _u32(used)[0] = 4 * len(self.devices)
            return 0
        if obj in self.devices and selector == RUNNING_SOMEWHERE:
            assert size == 4
            _u32(data)[0] = int(obj in self.running)
            _u32(used)[0] = 4
            return 0
        return BAD_PROPERTY


class FakeCoreAudio:
    def __init__(self) -> None:
        self.default_input = 0x31
        self.running = False
        self.library = Library(AudioObjectGetPropertyData=self._data)

    def _data(self, obj: int, address: Any, _q: int, _qd: Any, size: Any, data: Any) -> int:
        selector, scope, _element = _address(address)
        assert scope == GLOBAL_SCOPE and _u32(size)[0] == 4
        if obj == SYSTEM_OBJECT and selector == DEFAULT_INPUT:
            _u32(data)[0] = self.default_input
            return 0
        if obj == self.default_input and selector == RUNNING_SOMEWHERE:
            _u32(data)[0] = int(self.running)
            return 0
        return BAD_PROPERTY


def test_macos_camera_running_somewhere_holds() -> None:
    cmio = FakeCoreMediaIO()
    camera = MacCamera(load=loader({CORE_MEDIA_IO: cmio.library}))
    assert camera.read(NOW) is None
    cmio.running.add(0x22)
    assert camera.read(NOW) == "camera in use"


def test_macos_microphone_running_on_the_default_input_holds() -> None:
    audio = FakeCoreAudio()
    microphone = MacMicrophone(load=loader({CORE_AUDIO: audio.library}))
    assert microphone.read(NOW) is None
    audio.running = True
    assert microphone.read(NOW) == "microphone in use"
    audio.default_input = 0  # no input device at all
    assert microphone.read(NOW) is None


def test_macos_without_the_frameworks_is_an_error_not_a_hold() -> None:
    with pytest.raises(QuietError, match="CoreMediaIO"):
        MacCamera(load=loader({}))
    with pytest.raises(QuietError, match="Core Audio"):
        MacMicrophone(load=loader({}))


def test_macos_focus_from_its_assertions_file(tmp_path: Path) -> None:
    path = tmp_path / "Assertions.json"
    focus = MacFocus(path)
    assert focus.read(NOW) is None, "no file: no Focus ever set"
    path.write_text(json.dumps({"data": [{"storeAssertionRecords": []}]}))
    assert focus.read(NOW) is None
    record = {"assertionDetails": {"assertionDetailsModeIdentifier": "com.apple.focus.work"}}
    path.write_text(json.dumps({"data": [{"storeAssertionRecords": [record]}]}))
    assert focus.read(NOW) == "Focus is on"
    path.write_text("{not json")
    with pytest.raises(QuietError, match=r"Assertions\.json"):
        focus.read(NOW)


class FakeRegistry:
    """HKEY_CURRENT_USER as nested dicts."""

    def __init__(self, tree: dict[str, Any]) -> None:
        self.tree = tree

    def read_tree(self, path: str) -> dict[str, Any] | None:
        node: Any = self.tree
        for part in path.split("\\"):
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return dict(node)


def _consent(device: str, entries: dict[str, Any]) -> FakeRegistry:
    tree: dict[str, Any] = {}
    node = tree
    for part in f"{CONSENT_STORE}\\{device}".split("\\"):
        node = node.setdefault(part, {})
    node.update({"Value": "Allow", **entries})
    return FakeRegistry(tree)


STOPPED = {
    "LastUsedTimeStart": 133_000_000_000_000_000,
    "LastUsedTimeStop": 133_000_000_100_000_000,
}
IN_USE = {"LastUsedTimeStart": 133_000_000_000_000_000, "LastUsedTimeStop": 0}


def _programs(*names: str) -> Callable[[], list[str]]:
    return lambda: list(names)


def test_windows_consent_store_camera_in_use_by_a_running_program() -> None:
    entries = {
        "NonPackaged": {"C:#Program Files#Zoom#bin#Zoom.exe": IN_USE, "C:#Tools#obs64.exe": STOPPED}
    }
    registry = _consent("webcam", entries)
    assert ConsentInUse("webcam", registry, _programs("Zoom.exe")).read(NOW) == (
        "camera in use by zoom.exe"
    )
    assert ConsentInUse("webcam", registry, _programs("explorer.exe")).read(NOW) is None, (
        "a program that crashed mid-call left Stop at 0: it no longer runs"
    )
    assert ConsentInUse("microphone", registry, _programs("Zoom.exe")).read(NOW) is None


def test_windows_consent_store_store_apps_and_nothing_in_use() -> None:
    registry = _consent("microphone", {"Microsoft.SkypeApp_kzf8qxf38zg5c": IN_USE})
    assert ConsentInUse("microphone", registry, _programs()).read(NOW) == (
        "microphone in use by Microsoft.SkypeApp"
    )
    assert ConsentInUse("microphone", _consent("microphone", {}), _programs()).read(NOW) is None
    assert ConsentInUse("webcam", FakeRegistry({}), _programs()).read(NOW) is None


class FakeShell32:
    def __init__(self) -> None:
        self.state = 5  # QUNS_ACCEPTS_NOTIFICATIONS
        self.library = Library(SHQueryUserNotificationState=self._query)

    def _query(self, state: Any) -> int:
        ctypes.cast(state, ctypes.POINTER(ctypes.c_int))[0] = self.state
        return 0


@pytest.mark.parametrize(
    ("state", "reason"),
    [
        (5, None),
        (6, None),  # QUNS_QUIET_TIME: the first hour after setup, not a call
        (1, None),  # QUNS_NOT_PRESENT: locked or away, which the lock already tells
        (2, "a fullscreen program is showing"),
        (3, "a fullscreen game is showing"),
        (4, "a presentation is showing"),
        (7, "a fullscreen app is showing"),
    ],
)
def test_windows_notification_state(state: int, reason: str | None) -> None:
    shell = FakeShell32()
    shell.state = state
    assert NotificationState(load=loader({"shell32.dll": shell.library})).read(NOW) == reason


def test_windows_notifications_turned_off_is_do_not_disturb() -> None:
    tree: dict[str, Any] = {}
    node = tree
    for part in NOTIFICATION_SETTINGS.split("\\"):
        node = node.setdefault(part, {})
    registry = FakeRegistry(tree)
    assert NotificationsOff(registry).read(NOW) is None
    node["NOC_GLOBAL_SETTING_TOASTS_ENABLED"] = 0
    assert NotificationsOff(registry).read(NOW) == "Do Not Disturb is on"
    node["NOC_GLOBAL_SETTING_TOASTS_ENABLED"] = 1
    assert NotificationsOff(registry).read(NOW) is None


def test_quiet_apps_on_macos_and_windows_from_their_process_lists() -> None:
    ps = "  launchd\nzoom.us\nFinder\n"
    tasklist = (
        '"System Idle Process","0","Services","0","8 K"\n"Teams.exe","4242","Console","1","1 K"\n'
    )
    mac = QuietApps(["zoom.us"], lambda: ps_programs(lambda _argv: ps))
    windows = QuietApps(["teams"], lambda: tasklist_programs(lambda _argv: tasklist))
    assert mac.read(NOW) == "zoom.us is running"
    assert windows.read(NOW) == "Teams.exe is running"
    assert QuietApps(["obs"], lambda: tasklist_programs(lambda _argv: tasklist)).read(NOW) is None
