"""``ergo-daemon doctor [--json] [--notify]``: what works here, what does not, and what to do.

For each port it names the backend found, runs a live probe, and gives a fix when the probe
fails. Exit status 1 when notifications cannot be delivered or the configuration is not what
runs (a broken file, or an organisation file ignored as untrusted), else 0.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class Finding:
    port: str
    backend: str
    ok: bool
    detail: str
    fix: str = ""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``doctor`` subcommand."""
    parser = subparsers.add_parser(
        "doctor",
        help="check notifications, idle and lock detection, suspend, autostart and config",
        description="Check each part ergo-daemon relies on here, with a live probe of each.",
    )
    parser.add_argument("--json", action="store_true", help="print the findings as JSON")
    parser.add_argument("--notify", action="store_true", help="also show a real test notice")
    parser.set_defaults(handler=_doctor)


def _doctor(args: argparse.Namespace) -> int:
    import logging

    logging.getLogger("ergo_daemon").setLevel(logging.ERROR)  # findings, not selection chatter
    findings = [
        *_notifications(send=args.notify),
        *_activity(),
        _suspend(),
        _break_screen(),
        _autostart(),
        _config(),
        _daemon(),
        *_quiet(),
    ]
    if args.json:
        print(json.dumps([asdict(f) for f in findings], indent=2))
    else:
        for f in findings:
            print(f"{'ok' if f.ok else 'NO':<3} {f.port:<14} {f.backend}: {f.detail}")
            if f.fix:
                print(f"    fix: {f.fix}")
    # Notices that cannot be shown, or settings not in force (a broken or ignored file): 1.
    config = next(f for f in findings if f.port == "config")
    return 0 if findings[0].ok and config.ok else 1


def _notifications(*, send: bool) -> list[Finding]:
    from ergo_daemon import backends
    from ergo_daemon.ports import Notice

    notifier = backends.notifier(os.environ)
    fix = backends.notification_hint(os.environ)
    try:
        detail = notifier.check()
        if send:
            now = datetime.now(UTC)
            notice = Notice.about_itself("doctor", "ergo-daemon test", "Notifications work.", now)
            notifier.send(notice)
            detail += "; a test notice was sent"
        drawn = notifier.buttons()
    except Exception as exc:  # any backend failure is a finding, not a crash
        return [Finding("notifications", notifier.name, False, str(exc), fix)]
    # Delivered is not seen: macOS and Windows drop notices the person has not allowed.
    allow = notifier.allow
    seen = f"if the test notice did not appear: {allow}" if send and allow else ""
    if drawn:
        answers = "Done, Snooze and Skip buttons on each reminder"
    else:
        answers = (
            "no buttons here: each reminder says the command to type, "
            "e.g. 'ergo-daemon done break' (or snooze, skip)"
        )
    return [
        Finding("notifications", notifier.name, True, detail, seen),
        Finding("answers", "buttons" if drawn else "commands", True, answers),
    ]


def _activity() -> list[Finding]:
    from ergo_daemon import backends
    from ergo_daemon.activity.combined import CombinedActivity

    source = backends.activity_source(os.environ)
    fix = backends.activity_hint(os.environ)
    try:
        reading = source.read()
        lockers = source.lock_names if isinstance(source, CombinedActivity) else ()
    except Exception as exc:  # a broken source is a finding
        return [Finding("idle", source.name, False, f"no reading: {exc}", fix)]
    finally:
        source.close()
    if reading.idle is None and reading.idle_pending:
        # A Wayland compositor says "idle" only once its timeout has passed since it was asked.
        detail = "not known yet: the desktop tells idle time after a few seconds without input"
        idle = Finding("idle", source.name, True, detail)
    elif reading.idle is None:
        idle = Finding("idle", source.name, False, "idle time unknown: clock time is counted", fix)
    else:
        idle = Finding("idle", source.name, True, f"no input for {reading.idle:.1f} s")
    if not lockers:
        detail = "no lock source here: a locked screen is seen only as time without input"
        lock = Finding("lock", "none", False, detail, backends.lock_hint(os.environ))
    else:
        locked = "locked" if reading.locked else "not locked"
        lock = Finding("lock", ", ".join(lockers), True, f"the screen is {locked} now")
    return [idle, lock]


def _suspend() -> Finding:
    if hasattr(time, "CLOCK_BOOTTIME"):
        since = max(0.0, time.clock_gettime(time.CLOCK_BOOTTIME) - time.monotonic())
        detail = f"exact, from CLOCK_BOOTTIME ({since:.0f} s asleep since boot)"
        return Finding("suspend", "boot clock", True, detail)
    return Finding("suspend", "wall clock", True, "from the wall clock running ahead of uptime")


def _break_screen() -> Finding:
    from ergo_daemon.screen import INSTALL_TK, missing

    if missing() is not None:
        detail = "no tkinter in this Python: with break.screen set, breaks show as notices"
        return Finding("break screen", "tkinter", False, detail, INSTALL_TK)
    import tkinter  # only here: the daemon never loads Tk itself

    detail = f"Tk {tkinter.TkVersion} draws the window for break.screen = window or strict"
    return Finding("break screen", "tkinter", True, detail)


def _autostart() -> Finding:
    from ergo_daemon import backends

    try:
        status = backends.autostart(os.environ).status(system=False, systemd=False)
    except Exception as exc:  # an unreadable entry is a finding
        return Finding("autostart", "login", False, str(exc), "ergo-daemon autostart enable")
    fix = "" if status.ok else "ergo-daemon autostart enable"
    return Finding("autostart", "login", status.ok, status.describe(), fix)


def _config() -> Finding:
    from ergo_daemon import backends
    from ergo_daemon.settings.layers import ConfigError
    from ergo_daemon.settings.load import load_settings

    stores = backends.organisation_stores()
    ignored = [p for store in stores for p in store.places() if p.note.startswith("ignored")]
    try:
        loaded = load_settings(environ=os.environ, stores=stores)
    except ConfigError as exc:
        first = str(exc).splitlines()[0]
        return Finding("config", "files", False, first, "ergo-daemon config validate FILE")
    if ignored:
        # The daemon runs without these files: the organisation's settings are not in force.
        detail = "; ".join(
            f"{p.what} {p.where} is IGNORED ({p.note.removeprefix('ignored: ')})" for p in ignored
        )
        fix = "; ".join(f"chown root:root {p.where} && chmod 644 {p.where}" for p in ignored)
        return Finding("config", "files", False, detail, f"{fix} (and its folder: root's, 755)")
    files = ", ".join(str(f) for f in loaded.files if f.exists()) or "none (built-in defaults)"
    return Finding("config", "files", True, f"valid; read from {files}")


def _daemon() -> Finding:
    from ergo_daemon import backends
    from ergo_daemon.control.channel import NotRunning, call
    from ergo_daemon.control.wire import encode_request, parse_reply

    try:
        reply = call(backends.control_endpoint(), encode_request("status"))
        _, message, data = parse_reply(reply)
    except NotRunning as exc:
        return Finding("daemon", "control", False, str(exc), "ergo-daemon run")
    except Exception as exc:  # a hung or odd daemon is a finding
        return Finding("daemon", "control", False, str(exc), "ergo-daemon stop; ergo-daemon run")
    running = f"running: {message.splitlines()[0]}"
    # What the running daemon itself found: notices not shown, or settings standing in.
    if failure := data.get("delivery_problem"):
        detail = f"{running}; but its notices are NOT shown since {failure['since']}: "
        return Finding("daemon", "control", False, detail + str(failure["error"]))
    if (settings := data.get("settings") or {}).get("problem"):
        first = str(settings["problem"]).splitlines()[0]
        detail = f"{running}; but it runs on {settings['detail']}, because of: {first}"
        return Finding("daemon", "control", False, detail, "ergo-daemon config validate FILE")
    return Finding("daemon", "control", True, running)


def _quiet() -> list[Finding]:
    """Each sign of a call, a film or Do Not Disturb: probed now, or why it is not used."""
    from ergo_daemon import backends
    from ergo_daemon.app import local_zone
    from ergo_daemon.settings.layers import ConfigError
    from ergo_daemon.settings.load import load_settings
    from ergo_daemon.settings.models import Settings

    try:
        settings = load_settings(environ=os.environ, stores=backends.organisation_stores()).settings
    except ConfigError:  # the config finding says what is wrong; probe with the defaults
        settings = Settings.model_validate({})
    now = datetime.now(UTC)
    findings: list[Finding] = []
    for candidate in backends.quiet_candidates(settings.quiet, local_zone(settings), os.environ):
        if not candidate.enabled:
            key = f"quiet.{candidate.key}"
            unset = candidate.key in ("windows", "apps")
            detail = f"none set ({key})" if unset else f"off ({key} = false)"
            findings.append(Finding("quiet", candidate.name, True, detail))
            continue
        try:
            signal = candidate.build()
            try:
                reason = signal.read(now)
            finally:
                signal.close()
        except Exception as exc:  # a signal that does not work here is a finding
            fix = candidate.fix or f"or turn it off: quiet.{candidate.key} = false"
            findings.append(Finding("quiet", candidate.name, False, str(exc), fix))
            continue
        detail = f"holding prompts now: {reason}" if reason else "works; not holding prompts now"
        findings.append(Finding("quiet", candidate.name, True, detail))
    return findings
