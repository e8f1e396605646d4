r"""Windows Group Policy / Intune: ``HKLM\SOFTWARE\Policies\ergo-daemon`` (locked) and its
``Recommended`` subkey (defaults). Subkeys are tables, values are keys:
``...\ergo-daemon\eyes`` with ``every = "25m"`` (REG_SZ) locks ``eyes.every``.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ergo_daemon.paths import APP
from ergo_daemon.settings.organisation import Place
from ergo_daemon.settings.sources import Layer
from ergo_daemon.winreg_tree import registry_tree

POLICY_KEY = rf"SOFTWARE\Policies\{APP}"
RECOMMENDED = "Recommended"


class Registry(Protocol):
    def read_tree(self, path: str) -> dict[str, Any] | None:
        """The values and subkeys under ``HKLM\\path`` as nested dicts; None if it is absent."""
        ...


class WindowsRegistry:
    """The real registry (Windows only; ``winreg`` is imported when used)."""

    def read_tree(self, path: str) -> dict[str, Any] | None:
        winreg: Any = importlib.import_module("winreg")  # Windows only
        try:
            key = winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, path)
        except OSError:
            return None
        with key:
            return registry_tree(winreg, key)


def program_data() -> Path:
    """``C:\\ProgramData`` as Windows knows it (FOLDERID_ProgramData), not %ProgramData%."""
    import ctypes
    import uuid

    shell32: Any = ctypes.windll.shell32  # type: ignore[attr-defined,unused-ignore]
    folder_id = uuid.UUID("{62AB5D82-FDC1-4DC3-A9DD-070D1D495D97}")
    guid = (ctypes.c_byte * 16).from_buffer_copy(folder_id.bytes_le)
    result = ctypes.c_wchar_p()
    if shell32.SHGetKnownFolderPath(ctypes.byref(guid), 0, None, ctypes.byref(result)) != 0:
        raise OSError("SHGetKnownFolderPath(FOLDERID_ProgramData) failed")
    path = Path(result.value or "")
    ctypes.windll.ole32.CoTaskMemFree(result)  # type: ignore[attr-defined,unused-ignore]
    return path


def owner_sid(path: Path) -> str:
    """The owner of a file as a SID string, e.g. ``"S-1-5-32-544"`` (Windows only)."""
    import ctypes

    advapi32: Any = ctypes.windll.advapi32  # type: ignore[attr-defined,unused-ignore]
    owner, descriptor, text = ctypes.c_void_p(), ctypes.c_void_p(), ctypes.c_wchar_p()
    owner_security_information, se_file_object = 1, 1
    status = advapi32.GetNamedSecurityInfoW(
        str(path),
        se_file_object,
        owner_security_information,
        ctypes.byref(owner),
        None,
        None,
        None,
        ctypes.byref(descriptor),
    )
    if status != 0 or not advapi32.ConvertSidToStringSidW(owner, ctypes.byref(text)):
        raise OSError(f"cannot read the owner of {path} (error {status})")
    sid = text.value or ""
    ctypes.windll.kernel32.LocalFree(text)  # type: ignore[attr-defined,unused-ignore]
    ctypes.windll.kernel32.LocalFree(descriptor)  # type: ignore[attr-defined,unused-ignore]
    return sid


def _decode(value: Any) -> Any:
    """REG_SZ holding JSON (``["mon", "tue"]``) becomes a list; REG_MULTI_SZ already is one."""
    if isinstance(value, dict):
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, str) and value.lstrip()[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


@dataclass(frozen=True)
class RegistryPolicies:
    registry: Registry

    def layers(self) -> list[Layer]:
        tree = self.registry.read_tree(POLICY_KEY) or {}
        recommended = next((k for k in tree if k.lower() == RECOMMENDED.lower()), None)
        defaults = _decode(tree.pop(recommended)) if recommended else {}
        layers = []
        if defaults:
            layers.append(
                Layer(rf"organisation defaults registry HKLM\{POLICY_KEY}\{RECOMMENDED}", defaults)
            )
        if tree:
            layers.append(Layer(rf"policy registry HKLM\{POLICY_KEY}", _decode(tree), locks=True))
        return layers

    def places(self) -> list[Place]:
        tree = self.registry.read_tree(POLICY_KEY) or {}
        has_defaults = any(k.lower() == RECOMMENDED.lower() for k in tree)
        has_policy = any(k.lower() != RECOMMENDED.lower() for k in tree)
        return [
            Place("organisation defaults", rf"HKLM\{POLICY_KEY}\{RECOMMENDED}", has_defaults),
            Place("policy", rf"HKLM\{POLICY_KEY}", has_policy),
        ]
