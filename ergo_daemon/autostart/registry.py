"""Windows: a value under ``...\\CurrentVersion\\Run`` in HKCU (HKLM with ``--system``).

The value runs ``ergo-daemon-gui.exe run``, the windowless entry point pip puts in the
Scripts directory next to the interpreter, so no console window opens at login.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from ergo_daemon.autostart import (
    AutostartError,
    Entry,
    Installed,
    program_exists,
    require_admin,
)
from ergo_daemon.paths import APP

RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
# Task Manager's "Startup apps" switch: an odd first byte means the user turned the entry off.
APPROVED_KEY = r"Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run"
GUI_SCRIPT = f"{APP}-gui.exe"


class Registry(Protocol):
    """The few registry calls autostart needs; ``hive`` is ``"HKCU"`` or ``"HKLM"``."""

    def read(self, hive: str, key: str, name: str) -> str | bytes | None: ...

    def write(self, hive: str, key: str, name: str, value: str) -> None: ...

    def delete(self, hive: str, key: str, name: str) -> bool: ...


class WindowsRegistry:
    """The real registry through ``winreg`` (imported only when called)."""

    def read(self, hive: str, key: str, name: str) -> str | bytes | None:
        winreg = _winreg()
        try:
            with winreg.OpenKey(_hive(winreg, hive), key) as handle:
                value, _kind = winreg.QueryValueEx(handle, name)
        except FileNotFoundError:
            return None
        return value if isinstance(value, str | bytes) else str(value)

    def write(self, hive: str, key: str, name: str, value: str) -> None:
        winreg = _winreg()
        with winreg.CreateKeyEx(_hive(winreg, hive), key, 0, winreg.KEY_SET_VALUE) as handle:
            winreg.SetValueEx(handle, name, 0, winreg.REG_SZ, value)

    def delete(self, hive: str, key: str, name: str) -> bool:
        winreg = _winreg()
        try:
            with winreg.OpenKey(_hive(winreg, hive), key, 0, winreg.KEY_SET_VALUE) as handle:
                winreg.DeleteValue(handle, name)
        except FileNotFoundError:
            return False
        return True


def gui_script(executable: str) -> Path:
    """The windowless entry point for this interpreter.

    In a venv (and pipx) ``python.exe`` is in ``Scripts`` itself:
    ``C:\\venv\\Scripts\\python.exe`` -> ``C:\\venv\\Scripts\\ergo-daemon-gui.exe``; a plain
    install has ``C:\\Python311\\python.exe`` and ``C:\\Python311\\Scripts\\``.
    """
    if not executable:
        raise AutostartError("cannot tell which Python is running (sys.executable is empty)")
    folder = Path(executable).absolute().parent
    scripts = folder if folder.name.lower() == "scripts" else folder / "Scripts"
    return scripts / GUI_SCRIPT


def run_value(program: Path) -> str:
    """The Run value: the program always in double quotes, e.g. ``"C:\\a b\\x.exe" run``."""
    return f'"{program}" run'


def parse_run_value(value: str) -> tuple[str, ...]:
    """``'"C:\\a b\\x.exe" run'`` -> ``("C:\\a b\\x.exe", "run")``; a bare path ends at a space."""
    value = value.strip()
    if value.startswith('"'):
        program, _, rest = value[1:].partition('"')
    else:
        program, _, rest = value.partition(" ")
    return (program, *rest.split())


class RegistryAutostart:
    """The Run-key adapter: ``RegistryAutostart(WindowsRegistry(), sys.executable, is_admin)``.

    ``registry`` is the seam tests replace with a dict.
    """

    name = "Windows Run key"

    def __init__(self, registry: Registry, executable: str, is_admin: Callable[[], bool]) -> None:
        self._registry = registry
        self._executable = executable
        self._is_admin = is_admin

    def enable(self, *, system: bool, systemd: bool) -> str:
        hive = self._checked(system, systemd)
        value = run_value(gui_script(self._executable))
        where = _where(hive)
        with _denied(where):
            unchanged = self._registry.read(hive, RUN_KEY, APP) == value
            if not unchanged:
                self._registry.write(hive, RUN_KEY, APP, value)
            # Enabling again also undoes "Disabled" in Task Manager's startup list.
            approved = self._registry.delete(hive, APPROVED_KEY, APP)
        if unchanged and not approved:
            return f"Already enabled (unchanged): {where} = {value}"
        return f"Enabled: {where} = {value} runs at login."

    def disable(self, *, system: bool, systemd: bool) -> str:
        hive = self._checked(system, systemd)
        where = _where(hive)
        with _denied(where):
            removed = self._registry.delete(hive, RUN_KEY, APP)
            self._registry.delete(hive, APPROVED_KEY, APP)
        if not removed:
            return f"Not enabled: there is no {where}; nothing to do."
        return f"Disabled: removed {where}."

    def status(self, *, system: bool, systemd: bool) -> Installed:
        hive = "HKLM" if system else "HKCU"
        scope = "system-wide" if system else "this user"
        value = self._registry.read(hive, RUN_KEY, APP)
        if value is None:
            return Installed(scope, ())
        command = parse_run_value(value) if isinstance(value, str) else ()
        approved = self._registry.read(hive, APPROVED_KEY, APP)
        if isinstance(approved, bytes) and approved[:1] and approved[0] & 1:
            enabled, state = False, "turned off in Task Manager's startup apps"
        else:
            enabled, state = True, "enabled"
        exists = bool(command) and program_exists(command[0])
        entry = Entry("registry value", _where(hive), enabled, state, command, exists)
        return Installed(scope, (entry,))

    def _checked(self, system: bool, systemd: bool) -> str:
        if systemd:
            raise AutostartError("--systemd is for Linux; Windows uses the registry's Run key")
        if system:
            require_admin(self._is_admin(), _where("HKLM"), "an elevated (administrator) prompt")
        return "HKLM" if system else "HKCU"


def is_admin() -> bool:
    """Whether this Windows process runs elevated."""
    import ctypes

    try:
        return bool(getattr(ctypes, "windll").shell32.IsUserAnAdmin())  # noqa: B009
    except (AttributeError, OSError):
        return False


def _where(hive: str) -> str:
    return f"{hive}\\{RUN_KEY}\\{APP}"


@contextmanager
def _denied(where: str) -> Iterator[None]:
    """Turn a refused or failed registry change into an AutostartError naming the value."""
    try:
        yield
    except PermissionError as exc:
        raise AutostartError(f"not allowed to change {where}: {exc}") from exc
    except OSError as exc:
        raise AutostartError(f"cannot change {where}: {exc}") from exc


def _winreg() -> Any:
    return importlib.import_module("winreg")


def _hive(winreg: Any, hive: str) -> Any:
    return {"HKCU": winreg.HKEY_CURRENT_USER, "HKLM": winreg.HKEY_LOCAL_MACHINE}[hive]
