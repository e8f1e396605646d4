"""Each settings layer as a pydantic-settings source that checks its keys and says what it gave.

``Settings.settings_customise_sources`` puts them in order; ``settings.layers`` builds with them.
"""

from __future__ import annotations

import itertools
import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel
from pydantic_settings import PydanticBaseSettingsSource, TomlConfigSettingsSource

from ergo_daemon.settings.errors import ConfigError

if TYPE_CHECKING:
    from pydantic.fields import FieldInfo
    from pydantic_settings import BaseSettings

MAX_FILE_BYTES = 1_000_000
ENVIRONMENT = "environment (ERGO_*)"
ENV_PREFIX, ENV_DELIMITER = "ergo_", "__"  # ERGO_EYES__EVERY sets eyes.every
# Variables with the prefix that are not settings: where to read the config, and test switches.
IGNORED_VARIABLES = frozenset({"ergo_config", "ergo_test_require_desktop"})
# The layers of the load in progress; read by Settings.settings_customise_sources.
PLANNED: ContextVar[tuple[Layered, ...]] = ContextVar("PLANNED", default=())
_CALLS = itertools.count()  # the order sources ran in, which provenance follows


@dataclass(frozen=True)
class Layer:
    """One source of settings: ``origin`` names it for people (a path, ``environment``, ...)."""

    origin: str
    data: Mapping[str, Any]
    text: str | None = None
    locks: bool = False  # an organisation policy: what it sets, nothing else may change


def read_toml(path: Path, *, origin: str | None = None) -> Layer:
    """Read one TOML file; every failure becomes a ConfigError naming the file (and line)."""
    name = origin or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ConfigError(f"{name}: {len(raw)} bytes is too large for a config file (max 1 MB)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{name}: not UTF-8 text (byte {exc.start}); is this a TOML file?"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = re.sub(r"\s*\(at line (\d+), column (\d+)\)", "", str(exc))
        where = re.search(r"line (\d+), column (\d+)", str(exc))
        at = f":{where[1]}:{where[2]}" if where else ""
        raise ConfigError(f"{name}{at}: TOML syntax error: {message}") from None
    return Layer(name, data, text)


def environment_layer(environ: Mapping[str, str]) -> Layer:
    """The ``ERGO_*`` variables: ``ERGO_EYES__EVERY=25m`` sets ``eyes.every``.

    A value starting with ``[`` or ``{`` is JSON (for lists such as ``custom``).
    """
    data: dict[str, Any] = {}
    for name, value in sorted(environ.items()):
        if not name.lower().startswith(ENV_PREFIX) or name.lower() in IGNORED_VARIABLES:
            continue
        *parents, leaf = name[len(ENV_PREFIX) :].lower().split(ENV_DELIMITER)
        target = data
        for part in parents:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                raise ConfigError(f"environment: {name} conflicts with another ERGO_ variable")
        try:
            target[leaf] = json.loads(value) if value.lstrip()[:1] in ("[", "{") else value
        except json.JSONDecodeError as exc:
            raise ConfigError(f"environment: {name} is not valid JSON: {exc}") from None
    return Layer(ENVIRONMENT, data)


class Layered(PydanticBaseSettingsSource):
    """What every layer's source shares: its layer (its place in the order), and what it gave."""

    place: ClassVar[str]
    __name__: str  # pydantic-settings keys what each source gave by this: the origin
    layer: Layer
    given: dict[str, Any] | None = None  # None until the source ran
    ran_at = -1

    @property
    def origin(self) -> str:
        return self.layer.origin

    @property
    def locks(self) -> bool:
        return self.place == "policy"

    def _checked(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """The layer's data with ``rest_break`` spelt ``break``, as in files; unknown keys raise."""
        aliases = {n: f.alias for n, f in self.settings_cls.model_fields.items() if f.alias}
        canonical = {aliases.get(key, key): value for key, value in data.items()}
        problems = [
            unknown_key_message(self.layer, dotted, known)
            for dotted, known in unknown_keys(self.settings_cls, canonical)
        ]
        if problems:
            raise ConfigError("\n".join(problems))
        self.given, self.ran_at = canonical, next(_CALLS)
        return canonical


class LayerSource(Layered):
    """A layer already read; on its own (``validate``) it ranks like a file, later ones winning."""

    place: ClassVar[str] = "user file"

    def __init__(self, settings_cls: type[BaseSettings], layer: Layer):
        super().__init__(settings_cls)
        self.layer = layer
        self.__name__ = layer.origin

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # whole layers are given by __call__

    def __call__(self) -> dict[str, Any]:
        return self._checked(self.layer.data)


class OrganisationDefaultsSource(LayerSource):
    place = "organisation defaults"


class EnvironmentSource(LayerSource):
    """``ERGO_*`` variables. Not EnvSettingsSource: it skips unknown variables, looks up the
    ``break`` alias without the prefix and reads list fields as JSON, not as ``mon-fri``."""

    place = "environment"

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]):
        super().__init__(settings_cls, environment_layer(environ))


class FlagsSource(LayerSource):
    place = "command line"


class PolicySource(LayerSource):
    """Locked organisation policy (a file, the Windows registry, macOS managed preferences)."""

    place = "policy"


class UserFileSource(Layered, TomlConfigSettingsSource):
    """The person's config.toml, read by pydantic-settings with our size, UTF-8 and line checks."""

    place = "user file"

    def __init__(self, settings_cls: type[BaseSettings], path: Path):
        self.layer = Layer(str(path), {})
        super().__init__(settings_cls, toml_file=path)
        self.__name__ = self.layer.origin

    def _read_file(self, file_path: Any) -> dict[str, Any]:
        # Any: pydantic-settings types it Path in 2.14 and Path | Traversable from 2.16; this
        # source is only ever given the Path it was made with.
        self.layer = read_toml(Path(file_path), origin=self.layer.origin)
        return dict(self.layer.data)

    def __call__(self) -> dict[str, Any]:
        return self._checked(super().__call__())


def placed(sources: Iterable[Layered], place: str) -> list[Layered]:
    """The sources of one place in the order, highest priority first: the one given later wins."""
    return [source for source in reversed(tuple(sources)) if source.place == place]


def submodel(annotation: Any) -> type[BaseModel] | None:
    """The table model inside ``Eyes``, ``list[CustomReminder]`` or ``Eyes | None``."""
    for candidate in (annotation, *getattr(annotation, "__args__", ())):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def known_keys(model: type[BaseModel]) -> list[str]:
    return [f.alias or n for n, f in model.model_fields.items()]


def unknown_keys(
    model: type[BaseModel], data: Mapping[str, Any], prefix: str = ""
) -> list[tuple[str, list[str]]]:
    """Each key in ``data`` the schema does not have, dotted, with the keys allowed there."""
    fields = {f.alias or n: f for n, f in model.model_fields.items()}
    fields |= {n: f for n, f in model.model_fields.items()}
    found: list[tuple[str, list[str]]] = []
    for key, value in data.items():
        info = fields.get(key)
        if info is None:
            found.append((f"{prefix}{key}", known_keys(model)))
            continue
        inner = submodel(info.annotation)
        if inner is None:
            continue
        if isinstance(value, Mapping):
            found += unknown_keys(inner, value, f"{prefix}{key}.")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, Mapping):
                    found += unknown_keys(inner, item, f"{prefix}{key}.{index}.")
    return found


def unknown_key_message(layer: Layer, dotted: str, known: list[str]) -> str:
    import difflib  # only when a key is wrong; the daemon otherwise never needs it

    path = dotted.split(".")
    line = line_of(layer.text, path) if layer.text else None
    where = f"{layer.origin}:{line}" if line else layer.origin
    hint = difflib.get_close_matches(path[-1], known, n=1)
    suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
    return f"{where}: unknown key '{dotted}'{suggestion} (allowed here: {', '.join(known)})"


def line_of(text: str, path: list[str]) -> int | None:
    """Best-effort line of a dotted key in TOML text: the key inside its [table], or the table."""
    keys = [p for p in path if not p.isdigit()]
    table: list[str] = []
    table_line: int | None = None
    fallback: int | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        header = re.fullmatch(r"\[\[?\s*([^\]]+?)\s*\]?\]", line)
        if header:
            table = [p.strip().strip('"') for p in header[1].split(".")]
            if table == keys[: len(table)]:
                table_line = number
            continue
        key = re.match(r'"?([A-Za-z0-9_-]+)"?\s*=', line)
        if key and [*table, key[1]] == keys[: len(table) + 1]:
            if len(table) + 1 == len(keys):
                return number
            fallback = fallback or number
    return fallback or table_line
