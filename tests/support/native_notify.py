"""Stand-ins for the macOS and Windows notification commands and libraries."""

from __future__ import annotations

import importlib
import subprocess
import sys
import types
from typing import Any

import pytest


class FakeRun:
    """subprocess.run as osascript would answer it: ``returncode``/``stderr``, or an exception."""

    def __init__(
        self, returncode: int = 0, stderr: str = "", error: BaseException | None = None
    ) -> None:
        self.calls: list[tuple[list[str], dict[str, Any]]] = []
        self.returncode, self.stderr, self.error = returncode, stderr, error

    def __call__(self, argv: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        self.calls.append((argv, kwargs))
        if self.error is not None:
            raise self.error
        return subprocess.CompletedProcess(argv, self.returncode, "", self.stderr)


class FakeToasts(types.ModuleType):
    """The part of ``windows_toasts`` the notifier uses, behaving as on a desktop."""

    def __init__(
        self, setting: int = 0, fail_with: int | None = None, raise_on_show: bool = False
    ) -> None:
        super().__init__("windows_toasts")
        self.shown: list[Any] = []
        self.last: Any = None  # the last toast shown
        module = self

        class Toast:
            def __init__(
                self, text_fields: list[str], on_failed: Any = None, **events: Any
            ) -> None:
                self.text_fields, self.on_failed = text_fields, on_failed
                self.actions = events.pop("actions", [])
                self.on_activated = events.pop("on_activated", None)
                self.on_dismissed = events.pop("on_dismissed", None)

        class ToastButton:
            def __init__(self, content: str, arguments: str) -> None:
                self.content, self.arguments = content, arguments

        class Notifier:
            def __init__(self) -> None:
                self.setting = setting

        class WindowsToaster:
            def __init__(self, app: str) -> None:
                self.app, self.toastNotifier = app, Notifier()

            def show_toast(self, toast: Toast) -> None:
                if raise_on_show:
                    raise OSError("[WinError -2143420155] The notification platform is unavailable")
                module.shown.append((self.app, toast.text_fields))
                module.last = toast
                if fail_with is not None and toast.on_failed is not None:
                    args = types.SimpleNamespace(error_code=fail_with)
                    # Windows raises Failed from one of its own threads, a little later.
                    threading_timer(0.05, toast.on_failed, args)

        self.Toast, self.ToastButton = Toast, ToastButton
        self.InteractableWindowsToaster = WindowsToaster
        self.toasts = module.shown


def threading_timer(delay: float, call: Any, arg: Any) -> None:
    import threading

    threading.Timer(delay, call, (arg,)).start()


class FakeWin32(types.ModuleType):
    """plyer's ``win_api_defs`` with each Win32 call recorded; ``fail`` names one that fails."""

    def __init__(self, fail: str = "") -> None:
        super().__init__("plyer.platforms.win.libs.win_api_defs")
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        results = {
            "GetModuleHandleW": 0x400000,
            "RegisterClassExW": 0xC0DE,
            "CreateWindowExW": 0x1234,
            "UpdateWindow": 1,
            "LoadIconW": 0x77,
            "LoadImageW": 0x78,
            "Shell_NotifyIconW": 1,
            "DestroyIcon": 1,
            "UnregisterClassW": 1,
            "DestroyWindow": 1,
            "DefWindowProcW": 0,
        }
        for name, ok in results.items():
            setattr(self, name, self._function(name, 0 if name == fail else ok))
        self.WindowProc = lambda f: f
        self.LPCWSTR = __import__("ctypes").c_wchar_p
        self.GUID = lambda: "guid"
        self.get_WNDCLASSEXW = types.SimpleNamespace
        self.get_NOTIFYICONDATAW = lambda *args: ("NOTIFYICONDATAW", args)

    def _function(self, name: str, result: int) -> Any:
        # As Win32 says no: handle-returning calls give NULL (None in ctypes), the others 0.
        failed = None if name in ("GetModuleHandleW", "CreateWindowExW", "LoadImageW") else 0

        def call(*args: Any) -> Any:
            self.calls.append((name, args))
            return result if result else failed

        return call


def balloon_class(monkeypatch: pytest.MonkeyPatch, win32: FakeWin32) -> type[Any]:
    """plyer's real WindowsBalloonTip, importing ``win32`` as its ctypes definitions."""
    monkeypatch.setitem(sys.modules, win32.__name__, win32)
    monkeypatch.delitem(sys.modules, "plyer.platforms.win.libs.balloontip", raising=False)
    module = importlib.import_module("plyer.platforms.win.libs.balloontip")
    cls: type[Any] = module.WindowsBalloonTip
    return cls
