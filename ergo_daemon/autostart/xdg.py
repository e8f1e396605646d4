"""Linux (and other freedesktop systems): an XDG autostart entry, optionally a systemd user unit.

The entry is ``ergo-daemon.desktop`` in ``$XDG_CONFIG_HOME/autostart`` (``/etc/xdg/autostart``
with ``--system``); ``disable`` sets ``Hidden=true`` in it, which also hides a system-wide
entry of the same name for this user (``disable --system`` removes the system-wide one).
With ``--systemd`` the daemon is a ``systemd --user`` unit tied to ``graphical-session.target``
and the entry says ``X-systemd-skip=true``, so sessions that systemd manages start only the
unit and others still start the entry.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ergo_daemon.autostart import (
    AutostartError,
    Entry,
    Installed,
    SharedCheck,
    for_everyone,
    hidden_from_others,
    launch_command,
    program_exists,
    remove_file,
    require_admin,
    require_shared,
    write_file,
)
from ergo_daemon.paths import APP

DESKTOP_FILE = f"{APP}.desktop"
UNIT = f"{APP}.service"
TARGET = "graphical-session.target"
GROUP = "[Desktop Entry]"
NEEDS_ROOT = "root: run it with sudo"

Runner = Callable[[Sequence[str]], subprocess.CompletedProcess[str]]

# Characters that make the Desktop Entry spec quote an Exec argument.
_EXEC_RESERVED = re.compile(r"[\s\"'\\><~|&;$*?#()`]")
_UNIT_QUOTE = re.compile(r"[\s\"'\\;]")


@dataclass(frozen=True)
class XdgPaths:
    """Where entries and units go, e.g. ``XdgPaths(Path("/home/a/.config"))``.

    ``config_dirs`` are the system-wide XDG config dirs searched by ``status`` (a user's own
    entry hides theirs); ``system_config`` and ``system_units`` are what ``--system`` writes.
    """

    config_home: Path
    config_dirs: tuple[Path, ...] = (Path("/etc/xdg"),)
    system_config: Path = Path("/etc/xdg")
    system_units: Path = Path("/etc/systemd/user")
    vendor_units: Path = Path("/usr/lib/systemd/user")

    @classmethod
    def from_environ(cls, environ: Mapping[str, str], home: Path) -> XdgPaths:
        """``$XDG_CONFIG_HOME`` (else ``home/.config``) and ``$XDG_CONFIG_DIRS`` (else /etc/xdg)."""
        config_home = Path(environ.get("XDG_CONFIG_HOME") or home / ".config")
        if not config_home.is_absolute():  # the spec says to ignore relative paths
            config_home = home / ".config"
        dirs = tuple(
            Path(p) for p in environ.get("XDG_CONFIG_DIRS", "").split(":") if Path(p).is_absolute()
        )
        return cls(config_home=config_home, config_dirs=dirs or (Path("/etc/xdg"),))

    def autostart_dir(self, system: bool) -> Path:
        return (self.system_config if system else self.config_home) / "autostart"

    def unit_dir(self, system: bool) -> Path:
        return self.system_units if system else self.config_home / "systemd" / "user"


class XdgAutostart:
    """The XDG/systemd adapter. ``run`` and ``which`` are the seams for ``systemctl``.

    ``XdgAutostart(XdgPaths.from_environ(os.environ, Path.home()), sys.executable,
    is_admin=is_root, environ=os.environ)``
    """

    name = "XDG autostart"

    def __init__(
        self,
        paths: XdgPaths,
        executable: str,
        *,
        is_admin: Callable[[], bool],
        environ: Mapping[str, str],
        run: Runner | None = None,
        which: Callable[[str], str | None] | None = None,
        shared: SharedCheck = hidden_from_others,
    ) -> None:
        self._paths = paths
        self._shared = shared  # can other users run it? (for --system)
        self._executable = executable
        self._is_admin = is_admin
        self._environ = dict(environ)
        self._run = run or self._subprocess
        self._which = which or (lambda name: shutil.which(name, path=self._environ.get("PATH")))

    def enable(self, *, system: bool, systemd: bool) -> str:
        desktop = self._paths.autostart_dir(system) / DESKTOP_FILE
        unit = self._paths.unit_dir(system) / UNIT
        command = launch_command(self._executable)
        if system:
            require_admin(self._is_admin(), desktop, NEEDS_ROOT)
            require_shared(self._shared, command)
        shown = shlex.join(command)
        lines: list[str] = []
        if systemd:
            unit_changed = write_file(unit, unit_text(command).encode(), private_dirs=not system)
            entry_changed = self._write_entry(desktop, command, systemd_skip=True, system=system)
            verb = "Enabled" if unit_changed or entry_changed else "Already enabled (unchanged)"
            lines.append(f"{verb}: {unit} starts {shown} with {TARGET}.")
            lines.append(f"{desktop} has X-systemd-skip=true, for sessions systemd does not start.")
            lines += self._systemctl_enable(system)
        else:
            changed = self._write_entry(desktop, command, systemd_skip=False, system=system)
            verb = "Enabled" if changed else "Already enabled (unchanged)"
            lines.append(f"{verb}: {desktop} starts {shown} at login.")
            if self._has_unit(system):
                lines += self._remove_unit(unit, system)
        if system:
            lines.append("It takes effect at each user's next login.")
        return "\n".join(lines)

    def disable(self, *, system: bool, systemd: bool) -> str:
        desktop = self._paths.autostart_dir(system) / DESKTOP_FILE
        unit = self._paths.unit_dir(system) / UNIT
        if system:
            require_admin(self._is_admin(), desktop, NEEDS_ROOT)
        lines: list[str] = []
        if self._has_unit(system):
            lines += self._remove_unit(unit, system)
        if system:  # the machine-wide entry is ours to remove, not to hide
            if remove_file(desktop):
                lines.append(f"Disabled: removed {desktop}; it takes effect at each next login.")
            else:
                lines.append(f"Not enabled: there is no {desktop}; nothing to do.")
            return "\n".join(lines)
        try:
            text = desktop.read_text(encoding="utf-8")
        except FileNotFoundError:
            text = None
        except OSError as exc:
            raise AutostartError(f"cannot read {desktop}: {exc.strerror or exc}") from exc
        if text is None:
            shadowed = None if system else self._system_entry()
            if shadowed is None:
                lines.append(f"Not enabled: there is no {desktop}; nothing to do.")
            else:
                # Hidden=true in the user's own entry hides the system-wide one for this user.
                hidden = entry_text(
                    launch_command(self._executable), systemd_skip=False, hidden=True
                )
                self._write(desktop, hidden, system=system)
                lines.append(f"Disabled for you: {desktop} has Hidden=true, hiding {shadowed}.")
        elif _value(text, "Hidden") == "true":
            lines.append(f"Already disabled: {desktop} has Hidden=true.")
        else:
            self._write(desktop, set_key(text, "Hidden", "true"), system=system)
            lines.append(f"Disabled: {desktop} now has Hidden=true.")
        shared = None if system else self._unit_found(system)
        if shared is not None and self._unit_status(shared, system).enabled:
            lines.append(
                f"The system-wide unit {shared} still starts it for you; "
                f"to opt out: systemctl --user mask {UNIT}"
            )
        return "\n".join(lines)

    def status(self, *, system: bool, systemd: bool) -> Installed:
        entries: list[Entry] = []
        found = self._paths.autostart_dir(system) / DESKTOP_FILE
        if not found.exists() and not system:
            found = self._system_entry() or found
        if found.exists():
            entries.append(self._desktop_status(found))
        unit = self._unit_found(system)
        if unit is not None:
            entries.append(self._unit_status(unit, system))
        notes: tuple[str, ...] = ()
        if all(e.enabled for e in entries) and [e.state for e in entries] == [
            "enabled",
            f"enabled ({TARGET})",
        ]:
            notes = (
                "Both start it where systemd manages the session; "
                "'ergo-daemon autostart enable --systemd' makes the entry step aside there.",
            )
        scope = "system-wide" if system else "this user"
        shown = for_everyone(self._shared, entries) if system else tuple(entries)
        return Installed(scope=scope, entries=shown, notes=notes)

    def _unit_found(self, system: bool) -> Path | None:
        """The unit that applies: the scope's own, else a shared one (``/etc``, ``/usr/lib``)."""
        unit_dirs = [self._paths.unit_dir(system), self._paths.vendor_units]
        if not system:
            unit_dirs.insert(1, self._paths.system_units)
        return next((d / UNIT for d in unit_dirs if (d / UNIT).exists()), None)

    def _has_unit(self, system: bool) -> bool:
        """Whether the scope has a unit of ours (a mask, a link to /dev/null, is not ours)."""
        unit = self._paths.unit_dir(system) / UNIT
        return unit.is_file() or self._wants_link(system).is_symlink()

    # -- the XDG entry

    def _write_entry(
        self, path: Path, command: Sequence[str], *, systemd_skip: bool, system: bool
    ) -> bool:
        return self._write(path, entry_text(command, systemd_skip=systemd_skip), system=system)

    def _write(self, path: Path, text: str, *, system: bool) -> bool:
        return write_file(path, text.encode("utf-8"), private_dirs=not system)

    def _system_entry(self) -> Path | None:
        for directory in self._paths.config_dirs:
            candidate = directory / "autostart" / DESKTOP_FILE
            if candidate.exists():
                return candidate
        return None

    def _desktop_status(self, path: Path) -> Entry:
        kind = "XDG autostart entry"
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            return Entry(kind, str(path), False, f"unreadable ({exc.strerror or exc})", (), False)
        exec_value = _value(text, "Exec")
        command = parse_exec(exec_value) if exec_value else ()
        if _value(text, "Hidden") == "true":
            enabled, state = False, "disabled (Hidden=true)"
        elif _value(text, "X-GNOME-Autostart-enabled") == "false":
            enabled, state = False, "disabled in the desktop's settings (X-GNOME-Autostart-enabled)"
        elif _value(text, "X-systemd-skip") == "true":
            enabled, state = True, "enabled where systemd does not start the session"
        else:
            enabled, state = True, "enabled"
        return Entry(kind, str(path), enabled, state, command, self._exists(command))

    # -- the systemd unit

    def _unit_status(self, unit: Path, system: bool) -> Entry:
        kind = "systemd user unit"
        if unit.resolve() == Path("/dev/null"):
            return Entry(kind, str(unit), False, "masked", (), False)
        try:
            command = parse_exec_start(_value(unit.read_text(encoding="utf-8"), "ExecStart"))
        except OSError as exc:
            return Entry(kind, str(unit), False, f"unreadable ({exc.strerror or exc})", (), False)
        links = [self._wants_link(True)] if system else [self._wants_link(False)]
        if not system:
            links.append(self._wants_link(True))
        if any(link.exists() for link in links):
            return Entry(
                kind, str(unit), True, f"enabled ({TARGET})", command, self._exists(command)
            )
        state = f"installed but not enabled: run systemctl {_scope(system)} enable {UNIT}"
        return Entry(kind, str(unit), False, state, command, self._exists(command))

    def _wants_link(self, system: bool) -> Path:
        return self._paths.unit_dir(system) / f"{TARGET}.wants" / UNIT

    def _systemctl_enable(self, system: bool) -> list[str]:
        scope = _scope(system)
        todo = f"systemctl {scope} enable {UNIT}"
        if not system:
            todo = f"systemctl --user daemon-reload && {todo}"
        if self._which("systemctl") is None:
            return [f"systemctl not found: in a systemd session, run: {todo}"]
        lines = [] if system else [self._daemon_reload()]
        result = self._run(["systemctl", scope, "enable", UNIT])
        if result.returncode != 0:
            raise AutostartError(
                f"systemctl {scope} enable {UNIT} failed: {_output(result)}\n"
                f"The files are written; once systemd can do it, run: {todo}"
            )
        lines.append(f"Ran systemctl {scope} enable {UNIT}.")
        return lines

    def _remove_unit(self, unit: Path, system: bool) -> list[str]:
        scope = _scope(system)
        lines: list[str] = []
        if self._which("systemctl") is not None:
            result = self._run(["systemctl", scope, "disable", UNIT])
            if result.returncode == 0:
                lines.append(f"Ran systemctl {scope} disable {UNIT}.")
            else:
                lines.append(f"systemctl {scope} disable {UNIT}: {_output(result)}")
        remove_file(self._wants_link(system))  # what disable removes, in case it could not run
        if remove_file(unit):
            lines.append(f"Removed {unit}.")
        if not system and self._which("systemctl") is not None:
            lines.append(self._daemon_reload())
        return lines

    def _daemon_reload(self) -> str:
        result = self._run(["systemctl", "--user", "daemon-reload"])
        if result.returncode == 0:
            return "Ran systemctl --user daemon-reload."
        return f"No systemd user manager here to reload ({_output(result)}); units load at login."

    def _exists(self, command: Sequence[str]) -> bool:
        if not command:
            return False
        program = command[0]
        if not Path(program).is_absolute():
            program = self._which(program) or ""
        return program_exists(program)

    def _subprocess(self, argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
        try:
            return subprocess.run(
                list(argv), env=self._environ, capture_output=True, text=True, timeout=30
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return subprocess.CompletedProcess(list(argv), 1, "", str(exc))


def entry_text(command: Sequence[str], *, systemd_skip: bool, hidden: bool = False) -> str:
    """The ``.desktop`` file for ``command``; passes ``desktop-file-validate``."""
    lines = [
        GROUP,
        "Type=Application",
        f"Name={APP}",
        "GenericName=Break reminders",
        "Comment=Reminds you to rest your eyes, stretch, take breaks and drink water",
        f"Exec={exec_value(command)}",
        f"TryExec={_escape(command[0])}",
        "Terminal=false",
        "NoDisplay=true",
    ]
    if systemd_skip:
        lines.append("X-systemd-skip=true")
    if hidden:
        lines.append("Hidden=true")
    return "\n".join(lines) + "\n"


def unit_text(command: Sequence[str]) -> str:
    """The ``systemd --user`` unit running ``command`` with the graphical session."""
    return f"""\
[Unit]
Description={APP} break reminders
After={TARGET}
PartOf={TARGET}

[Service]
Type=exec
ExecStart={" ".join(_unit_arg(arg) for arg in command)}
Restart=on-failure
RestartSec=5s

[Install]
WantedBy={TARGET}
"""


def exec_value(argv: Sequence[str]) -> str:
    """An Exec= value, quoted as the Desktop Entry spec says.

    ``exec_value(["/opt/my apps/python", "-m", "x"])`` is ``"/opt/my apps/python" -m x``.
    """
    return _escape(" ".join(_exec_arg(arg) for arg in argv))


def parse_exec(value: str) -> tuple[str, ...]:
    """The arguments of an Exec= value (the inverse of ``exec_value``); field codes dropped."""
    text = _unescape(value)
    args: list[str] = []
    current: list[str] = []
    quoted = started = False
    i = 0
    while i < len(text):
        char = text[i]
        if quoted and char == "\\" and i + 1 < len(text) and text[i + 1] in '"`$\\':
            current.append(text[i + 1])
            i += 1
        elif char == '"':
            quoted, started = not quoted, True
        elif char == "%" and i + 1 < len(text):
            if text[i + 1] == "%":
                current.append("%")
            i += 1  # %f, %U, ... expand to nothing at login
        elif char == " " and not quoted:
            if started:
                args.append("".join(current))
            current, started = [], False
        else:
            current.append(char)
            started = True
        i += 1
    if started:
        args.append("".join(current))
    return tuple(args)


def parse_exec_start(value: str) -> tuple[str, ...]:
    """The arguments of a unit's ExecStart= (the inverse of ``unit_text``'s quoting)."""
    try:
        args = shlex.split(value)
    except ValueError:
        return ()
    args = [a.replace("$$", "$").replace("%%", "%") for a in args]
    if args:
        args[0] = args[0].lstrip("-@:+!")
    return tuple(args)


def set_key(text: str, key: str, value: str) -> str:
    """``text`` with ``key=value`` in its [Desktop Entry] group, replacing an earlier value."""
    lines = text.splitlines()
    group = None
    for i, line in enumerate(lines):
        if line.startswith("["):
            if group == GROUP:
                lines.insert(i, f"{key}={value}")
                return "\n".join(lines) + "\n"
            group = line.strip()
        elif group == GROUP and line.split("=", 1)[0].strip() == key:
            lines[i] = f"{key}={value}"
            return "\n".join(lines) + "\n"
    if group != GROUP:
        lines.append(GROUP)
    lines.append(f"{key}={value}")
    return "\n".join(lines) + "\n"


def _value(text: str, key: str) -> str:
    """The value of ``key`` in the file's main group ([Desktop Entry] or [Service]), else ""."""
    group = None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("["):
            group = line
        elif group in (GROUP, "[Service]") and "=" in line and not line.startswith("#"):
            name, value = line.split("=", 1)
            if name.strip() == key:
                return value.strip()
    return ""


def _exec_arg(arg: str) -> str:
    arg = arg.replace("%", "%%")
    if arg and not _EXEC_RESERVED.search(arg):
        return arg
    return '"' + re.sub(r'(["`$\\])', r"\\\1", arg) + '"'


def _escape(value: str) -> str:
    """Escape a Desktop Entry string value (backslash first)."""
    for plain, escaped in (("\\", "\\\\"), ("\n", "\\n"), ("\t", "\\t"), ("\r", "\\r")):
        value = value.replace(plain, escaped)
    return value


def _unescape(value: str) -> str:
    escapes = {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), value)


def _unit_arg(arg: str) -> str:
    arg = arg.replace("%", "%%").replace("$", "$$")
    if arg and not _UNIT_QUOTE.search(arg):
        return arg
    for plain, escaped in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\t", "\\t")):
        arg = arg.replace(plain, escaped)
    return f'"{arg}"'


def _scope(system: bool) -> str:
    return "--global" if system else "--user"


def _output(result: subprocess.CompletedProcess[str]) -> str:
    text = (result.stderr or result.stdout or "").strip()
    return " ".join(text.split()) or f"exit status {result.returncode}"
