"""macOS: camera and microphone "running somewhere", and Focus, through ctypes and a file."""

from __future__ import annotations

import ctypes
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from ergo_daemon.ports import QuietError

CORE_MEDIA_IO = "/System/Library/Frameworks/CoreMediaIO.framework/CoreMediaIO"
CORE_AUDIO = "/System/Library/Frameworks/CoreAudio.framework/CoreAudio"
SYSTEM_OBJECT = 1  # kCMIOObjectSystemObject, kAudioObjectSystemObject
NO_ERROR = 0


def fourcc(code: str) -> int:
    """``fourcc("gone")``: the four-character selectors of Core Audio and CoreMediaIO."""
    return int.from_bytes(code.encode("ascii"), "big")


GLOBAL_SCOPE = fourcc("glob")  # kCMIOObjectPropertyScopeGlobal, kAudioObjectPropertyScopeGlobal
MAIN_ELEMENT = 0
HARDWARE_DEVICES = fourcc("dev#")  # kCMIOHardwarePropertyDevices
DEFAULT_INPUT = fourcc("dIn ")  # kAudioHardwarePropertyDefaultInputDevice
RUNNING_SOMEWHERE = fourcc("gone")  # k{CMIO,Audio}DevicePropertyDeviceIsRunningSomewhere


class PropertyAddress(ctypes.Structure):
    """CMIOObjectPropertyAddress and AudioObjectPropertyAddress share this layout."""

    _fields_ = [
        ("mSelector", ctypes.c_uint32),
        ("mScope", ctypes.c_uint32),
        ("mElement", ctypes.c_uint32),
    ]


def _address(selector: int) -> PropertyAddress:
    return PropertyAddress(selector, GLOBAL_SCOPE, MAIN_ELEMENT)


class MacCamera:
    """A camera is in use when any CoreMediaIO device is running somewhere (any process)."""

    name = "camera (CoreMediaIO)"

    def __init__(self, load: Callable[[str], Any] = ctypes.CDLL) -> None:
        try:
            cmio = load(CORE_MEDIA_IO)
        except OSError as exc:
            raise QuietError(f"{exc} (CoreMediaIO is part of macOS)") from exc
        u32, ptr = ctypes.c_uint32, ctypes.POINTER
        cmio.CMIOObjectGetPropertyDataSize.restype = ctypes.c_int32
        cmio.CMIOObjectGetPropertyDataSize.argtypes = [
            u32, ptr(PropertyAddress), u32, ctypes.c_void_p, ptr(u32),
        ]  # fmt: skip
        cmio.CMIOObjectGetPropertyData.restype = ctypes.c_int32
        cmio.CMIOObjectGetPropertyData.argtypes = [
            u32, ptr(PropertyAddress), u32, ctypes.c_void_p, u32, ptr(u32), ctypes.c_void_p,
        ]  # fmt: skip
        self._cmio = cmio

    def read(self, now: datetime) -> str | None:
        for device in self._devices():
            running, used = ctypes.c_uint32(0), ctypes.c_uint32(0)
            status = self._cmio.CMIOObjectGetPropertyData(
                device, ctypes.byref(_address(RUNNING_SOMEWHERE)), 0, None,
                ctypes.sizeof(running), ctypes.byref(used), ctypes.byref(running),
            )  # fmt: skip
            if status == NO_ERROR and running.value:
                return "camera in use"
        return None

    def _devices(self) -> list[int]:
        size, used = ctypes.c_uint32(0), ctypes.c_uint32(0)
        where = ctypes.byref(_address(HARDWARE_DEVICES))
        status = self._cmio.CMIOObjectGetPropertyDataSize(
            SYSTEM_OBJECT, where, 0, None, ctypes.byref(size)
        )
        if status != NO_ERROR:
            raise QuietError(f"CMIOObjectGetPropertyDataSize failed ({status})")
        count = size.value // ctypes.sizeof(ctypes.c_uint32)
        devices = (ctypes.c_uint32 * count)()
        status = self._cmio.CMIOObjectGetPropertyData(
            SYSTEM_OBJECT, where, 0, None, size.value, ctypes.byref(used), devices
        )
        if status != NO_ERROR:
            raise QuietError(f"CMIOObjectGetPropertyData failed ({status})")
        return list(devices[: used.value // ctypes.sizeof(ctypes.c_uint32)])

    def close(self) -> None:
        pass


class MacMicrophone:
    """The default input device is running somewhere: some program records."""

    name = "microphone (Core Audio)"

    def __init__(self, load: Callable[[str], Any] = ctypes.CDLL) -> None:
        try:
            audio = load(CORE_AUDIO)
        except OSError as exc:
            raise QuietError(f"{exc} (Core Audio is part of macOS)") from exc
        u32, ptr = ctypes.c_uint32, ctypes.POINTER
        audio.AudioObjectGetPropertyData.restype = ctypes.c_int32
        audio.AudioObjectGetPropertyData.argtypes = [
            u32, ptr(PropertyAddress), u32, ctypes.c_void_p, ptr(u32), ctypes.c_void_p,
        ]  # fmt: skip
        self._audio = audio

    def read(self, now: datetime) -> str | None:
        device = self._get(SYSTEM_OBJECT, DEFAULT_INPUT)
        if not device:  # no input device at all
            return None
        return "microphone in use" if self._get(device, RUNNING_SOMEWHERE) else None

    def _get(self, target: int, selector: int) -> int:
        value = ctypes.c_uint32(0)
        size = ctypes.c_uint32(ctypes.sizeof(value))
        status = self._audio.AudioObjectGetPropertyData(
            target, ctypes.byref(_address(selector)), 0, None, ctypes.byref(size),
            ctypes.byref(value),
        )  # fmt: skip
        if status != NO_ERROR:
            raise QuietError(f"AudioObjectGetPropertyData({selector:#x}) failed ({status})")
        return value.value

    def close(self) -> None:
        pass


def focus_file(home: Path) -> Path:
    """Where macOS 12 and later keep the Focus turned on by hand."""
    return home / "Library" / "DoNotDisturb" / "DB" / "Assertions.json"


class MacFocus:
    """A Focus (Do Not Disturb) is on: ``Assertions.json`` holds an assertion record."""

    name = "Focus (macOS)"

    def __init__(self, path: Path) -> None:
        self._path = path

    def read(self, now: datetime) -> str | None:
        try:
            body = json.loads(self._path.read_text())
        except FileNotFoundError:
            return None
        except PermissionError as exc:
            raise QuietError(f"{exc} (give the terminal or Python Full Disk Access)") from exc
        except (OSError, ValueError) as exc:
            raise QuietError(f"{self._path}: {exc}") from exc
        records = [r for d in body.get("data", []) for r in d.get("storeAssertionRecords", [])]
        return "Focus is on" if records else None

    def close(self) -> None:
        pass
