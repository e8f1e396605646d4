"""``ergo-daemon config show|validate|paths|init|example``: what is set, by whom, is it valid.

The settings modules (and pydantic) are imported by each action, not here: the daemon's own
command line builds this parser too, and should not pay for them twice.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from ergo_daemon.commands.options import add_settings_options, load
from ergo_daemon.settings.errors import ConfigError

DEFAULT = "default"


def register(commands: Any) -> None:
    config = commands.add_parser("config", help="show, check and locate the configuration")
    actions = config.add_subparsers(title="actions", required=True, metavar="ACTION")

    show = actions.add_parser("show", help="the effective configuration")
    add_settings_options(show)
    show.add_argument("--sources", action="store_true", help="say which layer set each value")
    show.add_argument("--json", action="store_true", help="print JSON for scripts")
    show.set_defaults(handler=_show)

    check = actions.add_parser("validate", help="check config files; exit 1 on any problem")
    check.add_argument("files", nargs="+", type=Path, metavar="FILE")
    check.set_defaults(handler=_validate)

    paths = actions.add_parser("paths", help="every place settings are read from")
    paths.add_argument("--config", type=Path, metavar="PATH", help=argparse.SUPPRESS)
    paths.set_defaults(handler=_paths)

    init = actions.add_parser("init", help="write a commented config file with every default")
    init.add_argument("path", nargs="?", type=Path, help="where (default: your config file)")
    init.add_argument("--force", action="store_true", help="replace an existing file")
    init.set_defaults(handler=_init)

    example = actions.add_parser(
        "example",
        help="print an organisation example (defaults, policy, admx, adml, mobileconfig)",
        description="Without NAME: list the shipped examples. With NAME: print it, e.g. "
        "'ergo-daemon config example policy > policy.toml'.",
    )
    example.add_argument("name", nargs="?", metavar="NAME")
    example.set_defaults(handler=_example)


def _source(key: str, sources: dict[str, str]) -> str:
    parts = key.split(".")
    for end in range(len(parts), 0, -1):
        if (origin := sources.get(".".join(parts[:end]))) is not None:
            return origin
    return DEFAULT


def _show(args: argparse.Namespace) -> int:
    from ergo_daemon.settings.layers import flatten
    from ergo_daemon.settings.toml_out import dumps

    loaded = load(args)
    data = loaded.settings.model_dump(mode="json", by_alias=True, exclude_none=True)
    sources = {k: _source(k, loaded.sources) for k in flatten(data)}

    def locked(key: str) -> bool:
        return any(key == lock or key.startswith(f"{lock}.") for lock in loaded.locked)

    if args.json:
        envelope = {
            "version": 1,
            "settings": data,
            "sources": sources,
            "locked": sorted(k for k in sources if locked(k)),
            "overruled": list(loaded.overruled),
        }
        print(json.dumps(envelope, indent=2, ensure_ascii=False))
        return 0

    def note(key: str) -> str | None:
        if not args.sources:
            return "LOCKED" if locked(key) else None
        origin = sources.get(key) or _source(key, loaded.sources)
        return f"LOCKED by {origin}" if locked(key) else origin

    print(dumps(data, note), end="")
    for line in loaded.overruled:
        print(f"# note: {line}", file=sys.stderr)
    return 0


def _validate(args: argparse.Namespace) -> int:
    from ergo_daemon import backends
    from ergo_daemon.settings.layers import read_toml, validate
    from ergo_daemon.settings.load import preset_layer

    # An organisation file the daemon ignores as untrusted is no "ok", however valid it reads.
    ignored = {
        place.file.resolve(): place
        for store in backends.organisation_stores()
        for place in store.places()
        if place.file is not None and place.note.startswith("ignored")
    }
    failed = 0
    for path in args.files:
        try:
            layer = read_toml(path)
            chosen = layer.data.get("preset")
            below = [] if chosen is None else [preset_layer(chosen, str(path))]
            validate([*below, layer])
        except ConfigError as exc:
            failed += 1
            print(exc, file=sys.stderr)
            continue
        if (place := ignored.get(path.resolve())) is not None:
            failed += 1
            why = place.note.removeprefix("ignored: ")
            print(
                f"{path}: valid, but IGNORED as {place.what}: {why}. A file other users can "
                "change is not trusted: make it and its folder root's, writable by root alone",
                file=sys.stderr,
            )
        else:
            print(f"{path}: ok" + ("" if layer.data else " (empty: the built-in defaults apply)"))
    return 1 if failed else 0


def _paths(args: argparse.Namespace) -> int:
    from ergo_daemon import backends
    from ergo_daemon.settings.load import config_file

    path, explicit = config_file(os.environ, args.config)
    rows = [
        (
            "your config" + (" (--config/ERGO_CONFIG)" if explicit else ""),
            str(path),
            path.is_file(),
            "",
        )
    ]
    for store in backends.organisation_stores():
        rows += [(p.what, p.where, p.exists, p.note) for p in store.places()]
    rows.append(
        ("environment", "ERGO_* variables", any(k.startswith("ERGO_") for k in os.environ), "")
    )
    for what, where, exists, note in rows:
        state = "exists" if exists else "absent"
        print(f"{what:<32} {state:<7} {where}" + (f"  ({note})" if note else ""))
    return 0


def _init(args: argparse.Namespace) -> int:
    from ergo_daemon.settings.layers import Layer, read_toml, validate
    from ergo_daemon.settings.load import config_file
    from ergo_daemon.settings.models import Settings
    from ergo_daemon.settings.toml_out import dumps

    path = args.path or config_file(os.environ, None)[0]
    if path.exists() and not args.force:
        print(f"{path} exists; use --force to replace it", file=sys.stderr)
        return 1
    defaults = {"preset": "office"} | Settings.model_validate({}).model_dump(
        mode="json", by_alias=True, exclude_none=True
    )
    body = "".join(
        line if not line.strip() or line.startswith("[") else f"# {line}"
        for line in dumps(defaults, _describe).splitlines(keepends=True)
    )
    header = (
        "# ergo-daemon configuration. Every key is shown with its default, commented out;\n"
        "# remove the '# ' in front of a key to change it. Durations: 20s, 20m, 1h30m;\n"
        "# times of day: 08:30. `ergo-daemon config validate FILE` checks this file,\n"
        "# `ergo-daemon config show --sources` shows what is in force and who set it.\n\n"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + _complete(body), encoding="utf-8")
    validate([Layer(str(path), read_toml(path).data)])
    print(f"wrote {path}")
    return 0


# Commented examples for what has no default to show: your own reminders and exercises.
CUSTOM_EXAMPLE = """
# Your own reminders, as many [[custom]] tables as you like: each either at fixed
# times of day (`at`, on `days`) or after `every` of active time (a break of
# `duration` also counts as done). Names must differ from each other and from
# eyes, stretch, break, posture and hydration.
# [[custom]]
# name = "lunch-walk"
# title = "Lunch walk"
# message = "Ten minutes outside before you eat."
# at = ["12:30"]
# days = "mon-fri"
#
# [[custom]]
# name = "breathe"
# title = "Three slow breaths"
# every = "45m"
# duration = "1m"

# Your own exercises, added to the shipped ones:
# [[content.exercises]]
# id = "door-frame-stretch"
# name = "Door-frame stretch"
# area = "chest"
# positions = ["standing"]
# dose = "Hold 20 s, twice"
# how = "Forearms on a door frame, step through until you feel the chest open."
# caution = "A gentle pull only."
"""


def _complete(body: str) -> str:
    """The defaults written out, plus the keys that have none to show: a zone, [[custom]]."""
    import tzlocal

    zone = tzlocal.get_localzone_name() or "Europe/Berlin"
    lines = [line for line in body.splitlines(keepends=True) if line != "# custom = []\n"]
    at = next(i for i, line in enumerate(lines) if line.startswith("# hours = "))
    timezone = f'# timezone = "{zone}"'
    lines.insert(at + 1, f"{timezone:<42} # IANA name; the system's zone when not set\n")
    return "".join(lines) + CUSTOM_EXAMPLE


def _example(args: argparse.Namespace) -> int:
    from ergo_daemon.settings.examples import EXAMPLES, example_text

    if args.name is None:
        for name, (file, what) in EXAMPLES.items():
            print(f"{name:<13} {file:<37} {what}")
        return 0
    if args.name not in EXAMPLES:
        print(
            f"ergo-daemon config example: no example {args.name!r}; "
            f"there are: {', '.join(EXAMPLES)}",
            file=sys.stderr,
        )
        return 2
    print(example_text(args.name), end="")
    return 0


def _describe(key: str) -> str | None:
    from ergo_daemon.settings.models import Settings

    model: Any = Settings
    *tables, leaf = key.split(".")
    for table in tables:
        info = next((f for n, f in model.model_fields.items() if table in (n, f.alias)), None)
        model = info.annotation if info else None
        if model is None:
            return None
    field = next((f for n, f in model.model_fields.items() if leaf in (n, f.alias)), None)
    return field.description if field else None
