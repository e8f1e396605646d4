"""The app's name, once, and every folder and file the daemon uses.

Each place is a function, read when asked (so nothing is computed at import, and ``XDG_*``
variables set later still count). Which organisation folder applies is ``backends``' choice.
"""

from __future__ import annotations

from pathlib import Path

APP = "ergo-daemon"


def config_file() -> Path:
    """``~/.config/ergo-daemon/config.toml`` on Linux; the platform's equivalent elsewhere."""
    import platformdirs

    return Path(platformdirs.user_config_dir(APP, appauthor=False)) / "config.toml"


def state_dir() -> Path:
    """``~/.local/state/ergo-daemon`` on Linux; the platform's equivalent elsewhere."""
    import platformdirs

    return Path(platformdirs.user_state_dir(APP, appauthor=False))


def state_file() -> Path:
    """The policy's state (timers, pauses, what is due), kept across restarts."""
    return state_dir() / "state.json"


def rotation_file() -> Path:
    """Which tips were shown lately, so a week passes without repeats across restarts."""
    return state_dir() / "rotation.json"


def last_good_settings() -> Path:
    """The settings last in force, to run on while the configuration is broken."""
    return state_dir() / "last-good-settings.json"


def stats_database() -> Path:
    """``~/.local/state/ergo-daemon/stats.sqlite3`` on Linux: what was shown and answered."""
    return state_dir() / "stats.sqlite3"


def log_file() -> Path:
    """``~/.local/state/ergo-daemon/ergo-daemon.log`` on Linux."""
    return state_dir() / f"{APP}.log"


def runtime_dir() -> Path:
    """``$XDG_RUNTIME_DIR/ergo-daemon`` on Linux: the control socket, its key and lock file."""
    import warnings

    import platformdirs

    with warnings.catch_warnings():  # without XDG_RUNTIME_DIR it picks a /tmp folder: fine
        warnings.simplefilter("ignore")
        return Path(platformdirs.user_runtime_dir(APP, appauthor=False))


def short_runtime_dir(uid: int) -> Path:
    """``/tmp/ergo-daemon-1000``: for a socket whose path in ``runtime_dir()`` is too long."""
    import tempfile

    return Path(tempfile.gettempdir()) / f"{APP}-{uid}"


def linux_organisation_dir() -> Path:
    """``/etc/ergo-daemon``: an organisation's defaults.toml and policy.toml on Linux."""
    return Path("/etc") / APP


def macos_organisation_dir() -> Path:
    """``/Library/Application Support/ergo-daemon`` on macOS."""
    return Path("/Library/Application Support") / APP


def windows_organisation_dir(program_data: Path) -> Path:
    """``C:\\ProgramData\\ergo-daemon``, given where Windows keeps ProgramData."""
    return program_data / APP
