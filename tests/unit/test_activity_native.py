"""macOS and Windows activity sources, run on Linux against fake system libraries.

The fakes behave as ctypes does where it matters: a foreign function returns a C ``int``
unless told otherwise (so a 64-bit pointer left at the default is cut short), every Core
Foundation object must be released exactly once, and WTS buffers must go back to WTS.
"""

from __future__ import annotations

import ctypes
from typing import Any

import pytest
from support.native import Library, loader

from ergo_daemon.activity.macos import (
    ANY_INPUT_EVENT,
    CORE_FOUNDATION,
    CORE_GRAPHICS,
    HID_SYSTEM_STATE,
    MacActivity,
)
from ergo_daemon.activity.windows import (
    WTS_SESSION_INFO_EX,
    WindowsActivity,
    WtsInfoEx,
    idle_milliseconds,
)
from ergo_daemon.ports import ActivityError

DAY_MS = 24 * 3600 * 1000
BOOLEAN_TYPE, STRING_TYPE, DICTIONARY_TYPE = 21, 7, 18


class FakeMac:
    """CoreGraphics and CoreFoundation with reference counts; pointers are above 4 GiB."""

    def __init__(self) -> None:
        self.idle = {HID_SYSTEM_STATE: 0.0, 0: 0.0}  # event source state -> seconds
        self.session: dict[str, bool] | None = {}
        self.objects: dict[int, tuple[int, Any]] = {}  # pointer -> (type id, value)
        self.refcounts: dict[int, int] = {}
        self._next = 0x7F12_0000_0000
        self.true, self.false = self._make(BOOLEAN_TYPE, True), self._make(BOOLEAN_TYPE, False)
        self.refcounts.clear()  # kCFBooleanTrue/False are constants: never owned, never released
        self.cg = Library(
            CGEventSourceSecondsSinceLastEventType=self._seconds,
            CGSessionCopyCurrentDictionary=self._copy_session,
        )
        self.cf = Library(
            CFStringCreateWithCString=self._create_string,
            CFDictionaryGetValue=self._get_value,
            CFGetTypeID=lambda pointer: self.objects[pointer][0],
            CFBooleanGetTypeID=lambda: BOOLEAN_TYPE,
            CFBooleanGetValue=lambda pointer: self._value(pointer, BOOLEAN_TYPE),
            CFRelease=self._release,
        )
        self.load = loader({CORE_GRAPHICS: self.cg, CORE_FOUNDATION: self.cf})

    def _make(self, type_id: int, value: Any) -> int:
        self._next += 0x40
        self.objects[self._next] = (type_id, value)
        self.refcounts[self._next] = 1
        return self._next

    def _value(self, pointer: int, type_id: int) -> Any:
        if pointer not in self.objects or self.objects[pointer][0] != type_id:
            raise RuntimeError(f"segmentation fault: {pointer:#x} is no CF object of that type")
        return self.objects[pointer][1]

    def _seconds(self, state: int, event_type: int) -> float:
        assert event_type == ANY_INPUT_EVENT
        return self.idle[state]

    def _copy_session(self) -> int | None:
        if self.session is None:
            return None
        values = {k: self.true if v else self.false for k, v in self.session.items()}
        return self._make(DICTIONARY_TYPE, values)

    def _create_string(self, allocator: None, text: bytes, encoding: int) -> int:
        return self._make(STRING_TYPE, text.decode())

    def _get_value(self, dictionary: int, key: int) -> int | None:
        values = self._value(dictionary, DICTIONARY_TYPE)
        pointer: int | None = values.get(self._value(key, STRING_TYPE))
        return pointer

    def _release(self, pointer: int) -> None:
        if self.refcounts.get(pointer, 0) <= 0:
            raise RuntimeError(f"over-release of {pointer:#x}: a crash on a Mac")
        self.refcounts[pointer] -= 1

    def leaked(self) -> list[Any]:
        return [self.objects[p][1] for p, count in self.refcounts.items() if count]


@pytest.fixture
def mac() -> FakeMac:
    return FakeMac()


def test_mac_idle_is_hardware_input_so_posted_events_do_not_count_as_work(mac: FakeMac) -> None:
    mac.idle = {HID_SYSTEM_STATE: 312.5, 0: 0.2}  # a mouse jiggler posted an event just now
    assert MacActivity(load=mac.load).read().idle == 312.5


def test_mac_locked_screen_reads_locked_and_unlocked_reads_unlocked(mac: FakeMac) -> None:
    source = MacActivity(load=mac.load)
    mac.session = {"CGSSessionScreenIsLocked": True, "kCGSSessionOnConsoleKey": True}
    assert source.read().locked
    mac.session = {"kCGSSessionOnConsoleKey": True}  # the key is absent while unlocked
    assert not source.read().locked


def test_mac_another_user_on_the_screen_counts_as_locked(mac: FakeMac) -> None:
    mac.session = {"kCGSSessionOnConsoleKey": False}
    assert MacActivity(load=mac.load).read().locked


def test_mac_without_a_window_server_session_still_reports_idle(mac: FakeMac) -> None:
    mac.session, mac.idle[HID_SYSTEM_STATE] = None, 7.0
    reading = MacActivity(load=mac.load).read()
    assert (reading.idle, reading.locked) == (7.0, False)


def test_mac_releases_what_it_owns_and_nothing_it_borrows(mac: FakeMac) -> None:
    mac.session = {"CGSSessionScreenIsLocked": True, "kCGSSessionOnConsoleKey": True}
    source = MacActivity(load=mac.load)
    for _ in range(3):
        source.read()
    source.close()
    assert mac.leaked() == []  # and _release raised had a borrowed value been released


def test_mac_missing_frameworks_are_an_activity_error_saying_why() -> None:
    with pytest.raises(ActivityError, match="CoreGraphics is part of macOS"):
        MacActivity(load=loader({}))


WTS_DISCONNECTED = 4
UNKNOWN_FLAGS = -1


class FakeWindows:
    """user32, kernel32 and wtsapi32 as this session sees them; WTS buffers are tracked."""

    def __init__(self) -> None:
        self.tick = 0
        self.last_input = 0
        self.typing = False  # input arrives on every tick: GetLastInputInfo sees "now"
        self.flags, self.state, self.query_works = 1, 0, True
        self.buffers: dict[int, WtsInfoEx] = {}
        self.freed: list[int] = []
        self.user32 = Library(GetLastInputInfo=self._last_input_info)
        self.kernel32 = Library(GetTickCount=self._tick_count)
        self.wtsapi32 = Library(WTSQuerySessionInformationW=self._query, WTSFreeMemory=self._free)
        self.libraries = {
            "user32.dll": self.user32,
            "kernel32.dll": self.kernel32,
            "wtsapi32.dll": self.wtsapi32,
        }

    def _advance(self) -> int:
        if self.typing:
            self.tick = (self.tick + 1) & 0xFFFFFFFF
            self.last_input = self.tick
        return self.tick

    def _last_input_info(self, info: Any) -> int:
        if info.contents.cbSize != 8:
            return 0  # the documented failure when cbSize is not set
        self._advance()
        info.contents.dwTime = self.last_input
        return 1

    def _tick_count(self) -> int:
        return self._advance()

    def _query(self, server: None, session: int, kind: int, buffer: Any, size: Any) -> int:
        assert (server, session, kind) == (None, 0xFFFFFFFF, WTS_SESSION_INFO_EX)
        if not self.query_works:
            return 0
        info = WtsInfoEx(Level=1)
        info.Data.SessionFlags, info.Data.SessionState = self.flags, self.state
        address = ctypes.addressof(info)
        self.buffers[address] = info
        buffer[0], size[0] = address, ctypes.sizeof(info)
        return 1

    def _free(self, address: int) -> None:
        if address not in self.buffers:
            raise RuntimeError(f"WTSFreeMemory of {address:#x}: not a WTS buffer")
        del self.buffers[address]
        self.freed.append(address)


@pytest.fixture
def windows() -> FakeWindows:
    return FakeWindows()


def test_windows_idle_is_ticks_since_last_input(windows: FakeWindows) -> None:
    windows.tick, windows.last_input = 90_000, 30_000
    assert WindowsActivity(load=loader(windows.libraries)).read().idle == 60.0


def test_windows_idle_is_right_across_the_49_7_day_tick_wrap(windows: FakeWindows) -> None:
    # Input 4.096 s before the 32-bit tick count wrapped, read 5 s after it.
    windows.last_input, windows.tick = 0xFFFFF000, 5_000
    assert WindowsActivity(load=loader(windows.libraries)).read().idle == 9.096
    assert idle_milliseconds(3, 0xFFFFFFFE) == 5


def test_windows_someone_typing_never_reads_as_49_days_idle(windows: FakeWindows) -> None:
    windows.typing = True
    source = WindowsActivity(load=loader(windows.libraries))
    for _ in range(3):
        idle = source.read().idle
        assert idle is not None and idle < 1.0


def test_windows_locked_session_reads_locked_and_unlocked_reads_unlocked(
    windows: FakeWindows,
) -> None:
    source = WindowsActivity(load=loader(windows.libraries))
    windows.flags = 0  # WTS_SESSIONSTATE_LOCK
    assert source.read().locked
    windows.flags = 1  # WTS_SESSIONSTATE_UNLOCK
    assert not source.read().locked
    windows.flags = UNKNOWN_FLAGS
    assert not source.read().locked


def test_windows_disconnected_session_counts_as_locked(windows: FakeWindows) -> None:
    windows.state = WTS_DISCONNECTED  # another user switched in, or RDP dropped
    assert WindowsActivity(load=loader(windows.libraries)).read().locked


def test_windows_every_wts_buffer_is_freed_once(windows: FakeWindows) -> None:
    source = WindowsActivity(load=loader(windows.libraries))
    for _ in range(3):
        source.read()
    assert windows.buffers == {} and len(windows.freed) == 3


def test_windows_failed_session_query_keeps_idle_time(windows: FakeWindows) -> None:
    windows.query_works, windows.tick = False, 4_000
    reading = WindowsActivity(load=loader(windows.libraries)).read()
    assert (reading.idle, reading.locked) == (4.0, False)


def test_windows_without_wtsapi32_says_lock_is_unknown(windows: FakeWindows) -> None:
    del windows.libraries["wtsapi32.dll"]
    windows.tick = 2_000
    source = WindowsActivity(load=loader(windows.libraries))
    assert source.read().idle == 2.0
    assert "lock state unknown" in source.name


def test_windows_source_elsewhere_is_an_activity_error_not_a_crash() -> None:
    with pytest.raises(ActivityError, match="not Windows"):
        WindowsActivity()


def test_windows_missing_user32_is_an_activity_error() -> None:
    with pytest.raises(ActivityError, match="part of Windows"):
        WindowsActivity(load=loader({}))


def test_polled_sources_accept_watch_and_close(mac: FakeMac, windows: FakeWindows) -> None:
    calls: list[str] = []
    for source in (MacActivity(load=mac.load), WindowsActivity(load=loader(windows.libraries))):
        source.watch(lambda: calls.append("changed"))
        source.read()
        source.close()
    assert calls == []
