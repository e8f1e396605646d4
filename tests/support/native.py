"""Stand-ins for libraries loaded with ctypes, so the macOS and Windows code runs on Linux."""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from typing import Any


class ForeignFunction:
    """Records calls; 64-bit values need ``argtypes``/``restype`` set, as in ctypes.

    Without ``argtypes`` ctypes refuses an int beyond 32 bits; without ``restype`` it cuts the
    result to a C ``int``.
    """

    def __init__(self, body: Callable[..., Any]) -> None:
        self.body = body
        self.calls: list[tuple[Any, ...]] = []
        self.restype: Any = ctypes.c_int
        self.argtypes: Any = None

    def __call__(self, *args: Any) -> Any:
        self.calls.append(args)
        if self.argtypes is None and any(isinstance(a, int) and a > 0x7FFFFFFF for a in args):
            raise ctypes.ArgumentError("int too long to convert")
        result = self.body(*args)
        if self.restype is ctypes.c_int and isinstance(result, int):
            return ctypes.c_int(result).value
        return result


class Library:
    """A loaded library: attribute access finds its functions, unknown names fail as in ctypes."""

    def __init__(self, **functions: Callable[..., Any]) -> None:
        self.functions = {name: ForeignFunction(body) for name, body in functions.items()}

    def __getattr__(self, name: str) -> ForeignFunction:
        try:
            return self.functions[name]
        except KeyError:
            raise AttributeError(f"function {name!r} not found") from None


def loader(libraries: dict[str, Library]) -> Callable[[str], Library]:
    def load(name: str) -> Library:
        if name not in libraries:
            raise OSError(f"{name}: cannot open shared object file")
        return libraries[name]

    return load
