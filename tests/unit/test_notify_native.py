"""macOS and Windows notifiers, run on Linux through their seams.

macOS: a fake subprocess runner stands in for osascript, and an AppleScript tokenizer written
here from the language's rules checks that no title or message can end its string literal.
Windows: a fake ``windows_toasts`` module, and plyer's real balloon code on a fake
``win_api_defs`` (its ctypes definitions), so plyer's own threading is what is tested.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import time
import types
from datetime import UTC, datetime
from typing import Any

import pytest
from support.clocks import FakeClock
from support.configs import settings
from support.daemons import fake_daemon
from support.native_notify import FakeRun, FakeToasts, FakeWin32, balloon_class

from ergo_daemon import backends
from ergo_daemon.kinds import BREAK, EYES, STRETCH
from ergo_daemon.notify import macos
from ergo_daemon.notify.answers import Answer
from ergo_daemon.notify.macos import OsascriptNotifier, applescript_string, osascript_argv
from ergo_daemon.notify.windows import BalloonNotifier, ToastNotifier
from ergo_daemon.ports import DeliveryError, Notice

AT = datetime(2026, 11, 23, 9, tzinfo=UTC)
HOSTILE = [
    'Say "hi"',
    'x"; do shell script "touch /tmp/pwned',
    'end\\"; do shell script "rm -rf ~" --',
    "back\\slash at the end\\",
    'line one\nline two"\ndo shell script "id"',
    "carriage\r\nreturn\rand\ttab",
    "bell\x07 and nul\x00 and escape\x1b[31m",
    "«data utf8FF» ¬ continuation “curly” and emoji 🙂",
    "",
]


def tokens(script: str) -> list[str | tuple[str]]:
    """AppleScript tokens: words, and string literals as 1-tuples of their decoded value."""
    out: list[str | tuple[str]] = []
    i = 0
    while i < len(script):
        c = script[i]
        if c == " ":
            i += 1
        elif c == '"':
            value, i = [], i + 1
            while True:
                if i >= len(script):
                    raise AssertionError(f"unterminated string in {script!r}")
                c = script[i]
                if c == "\\":
                    nxt = script[i + 1]
                    value.append({"n": "\n", "r": "\r", "t": "\t"}.get(nxt, nxt))
                    i += 2
                elif c == '"':
                    i += 1
                    break
                else:
                    value.append(c)
                    i += 1
            out.append(("".join(value),))
        else:
            start = i
            while i < len(script) and script[i] not in ' "':
                i += 1
            out.append(script[start:i])
    return out


@pytest.mark.parametrize("text", HOSTILE)
def test_no_title_or_message_can_break_out_of_its_applescript_string(text: str) -> None:
    argv = osascript_argv(Notice(EYES, text, text, AT))
    assert argv[:2] == ["/usr/bin/osascript", "-e"] and len(argv) == 3
    script = argv[2]
    assert "\n" not in script and "\r" not in script, "one line: no second statement"
    parsed = tokens(script)
    assert [t for t in parsed if isinstance(t, str)] == ["display", "notification", "with", "title"]
    assert [type(t) for t in parsed] == [str, str, tuple, str, str, tuple]
    message, title = parsed[2][0], parsed[5][0]
    printable = "".join(c for c in text.replace("\r\n", "\n") if c.isprintable() or c in "\n\r\t")
    assert message == printable, "the message arrives whole, line breaks included"
    assert title == "".join(c for c in " ".join(text.split()) if c.isprintable()), "one line"


def test_a_hostile_title_stays_inside_its_string_in_the_exact_command() -> None:
    notice = Notice(EYES, 'x"; do shell script "touch /tmp/pwned', 'a\\"\nb', AT)
    assert osascript_argv(notice) == [
        "/usr/bin/osascript",
        "-e",
        'display notification "a\\\\\\"\\nb"'
        ' with title "x\\"; do shell script \\"touch /tmp/pwned"',
    ]


def test_applescript_strings_escape_exactly_quotes_backslashes_and_breaks() -> None:
    assert applescript_string('a"b\\c\nd') == '"a\\"b\\\\c\\nd"'
    assert applescript_string("Stand up 🙂") == '"Stand up 🙂"'


def test_osascript_notifier_runs_the_exact_command_with_a_timeout() -> None:
    run = FakeRun()
    OsascriptNotifier(run).send(Notice(STRETCH, 'Stand up: "Calf stretch"', "Hold 30 s.", AT))
    [(argv, kwargs)] = run.calls
    assert argv == [
        "/usr/bin/osascript",
        "-e",
        'display notification "Hold 30 s." with title "Stand up: \\"Calf stretch\\""',
    ]
    assert kwargs["timeout"] == macos.TIMEOUT and kwargs["capture_output"]


@pytest.mark.parametrize(
    ("run", "said"),
    [
        (FakeRun(1, "execution error: Not authorised (-1743)"), "status 1: execution error"),
        (FakeRun(error=subprocess.TimeoutExpired("osascript", 10)), "did not finish within 10 s"),
        (FakeRun(error=FileNotFoundError(2, "No such file")), "cannot run /usr/bin/osascript"),
    ],
)
def test_osascript_failures_are_delivery_errors(run: FakeRun, said: str) -> None:
    with pytest.raises(DeliveryError, match=said):
        OsascriptNotifier(run).send(Notice(EYES, "Rest", "Look away.", AT))


def test_macos_default_is_osascript_when_it_exists_and_plyer_otherwise(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    fake = tmp_path / "osascript"
    fake.write_text("")
    monkeypatch.setattr(macos, "OSASCRIPT", str(fake))
    chosen = backends.notifier({}, "darwin")
    assert isinstance(chosen, OsascriptNotifier)
    monkeypatch.setattr(macos, "OSASCRIPT", str(tmp_path / "missing"))
    assert not isinstance(backends.notifier({}, "darwin"), OsascriptNotifier)


def test_doctor_notify_says_what_to_allow_on_macos(monkeypatch: pytest.MonkeyPatch) -> None:
    from ergo_daemon.commands import doctor

    run = FakeRun()
    monkeypatch.setattr(backends, "notifier", lambda _env: OsascriptNotifier(run))
    finding = doctor._notifications(send=True)[0]
    assert finding.ok and "a test notice was sent" in finding.detail
    assert "Script Editor in System Settings > Notifications" in finding.fix
    assert "Script Editor" in finding.detail, "check() says it before anything is sent"
    assert [argv[2] for argv, _ in run.calls] == [
        "return 1",
        'display notification "Notifications work." with title "ergo-daemon test"',
    ]


# --- Windows: toasts -------------------------------------------------------------------------


def test_toasts_show_title_and_message_under_the_app_name() -> None:
    toasts = FakeToasts()
    ToastNotifier(toasts).send(Notice(EYES, "Rest your eyes", "Look far away.", AT))
    assert toasts.shown == [("ergo-daemon", ["Rest your eyes", "Look far away."])]


def test_a_toast_carries_the_answers_as_buttons_and_a_click_reaches_the_daemon() -> None:
    toasts = FakeToasts()
    notifier = ToastNotifier(toasts)
    got: list[Answer] = []
    notifier.listen(got.append)
    notice = Notice(BREAK, "Break time", "Step away.", AT, actions=("done", "snooze", "skip"))
    notifier.send(notice)
    assert toasts.shown == [("ergo-daemon", ["Break time", "Step away."])], "no typed hint"
    assert [b.content for b in toasts.last.actions] == ["Done", "Snooze", "Skip"]
    toasts.last.on_activated(types.SimpleNamespace(arguments="snooze"))
    assert got == [Answer(BREAK, "snooze")]
    assert notifier.buttons()


@pytest.mark.parametrize(
    ("toasts", "said"),
    [
        (FakeToasts(setting=1), "turned off for ergo-daemon in Settings"),
        (FakeToasts(setting=3), "turned off by Group Policy"),
        (FakeToasts(fail_with=-2143420143), r"could not show the toast \(error -2143420143\)"),
        (FakeToasts(raise_on_show=True), "notification platform is unavailable"),
    ],
)
def test_toast_failures_are_delivery_errors(toasts: FakeToasts, said: str) -> None:
    with pytest.raises(DeliveryError, match=said):
        ToastNotifier(toasts).send(Notice(EYES, "Rest", "Look away.", AT))


def test_windows_prefers_toasts_when_the_library_is_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "windows_toasts", FakeToasts())
    assert isinstance(backends.notifier({}, "win32"), ToastNotifier)


# --- Windows: plyer's balloon on fake Win32 definitions ----------------------------------------


def test_plyer_balloon_is_shown_and_its_tray_icon_removed_after_its_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    win32 = FakeWin32()
    monkeypatch.setattr("ergo_daemon.notify.windows.display_seconds", lambda _n: 0.2)
    notifier = BalloonNotifier(balloon_class(monkeypatch, win32))
    notifier.send(Notice(EYES, "Rest your eyes", "m" * 400, AT))
    added = [args for name, args in win32.calls if name == "Shell_NotifyIconW" and args[0] == 0]
    assert len(added) == 1, "NIM_ADD once"
    fields = added[0][1][1]
    # NOTIFYICONDATAW as plyer fills it: app name (tip), message, title, clamped to its limits.
    assert (fields[6], fields[9], fields[11]) == ("ergo-daemon", "m" * 255 + "…", "Rest your eyes")
    deadline = time.monotonic() + 5
    while not any(n == "Shell_NotifyIconW" and a[0] == 2 for n, a in win32.calls):
        assert time.monotonic() < deadline, "the tray icon was never removed (NIM_DELETE)"
        time.sleep(0.05)


@pytest.mark.parametrize(
    ("fail", "said"),
    [
        ("Shell_NotifyIconW", "Shell_NotifyIconW failed"),
        ("RegisterClassExW", "Could not register the PlyerTaskbar class"),
        ("CreateWindowExW", "Could not get create window"),
    ],
)
def test_plyer_balloon_errors_leave_its_thread_as_delivery_errors(
    monkeypatch: pytest.MonkeyPatch, fail: str, said: str
) -> None:
    notifier = BalloonNotifier(balloon_class(monkeypatch, FakeWin32(fail)))
    with pytest.raises(DeliveryError, match=said):
        notifier.send(Notice(EYES, "Rest", "Look away.", AT))


def test_windows_without_toasts_uses_the_balloon(monkeypatch: pytest.MonkeyPatch) -> None:
    balloon_class(monkeypatch, FakeWin32())
    monkeypatch.setitem(sys.modules, "windows_toasts", None)  # not installed
    assert isinstance(backends.notifier({}, "win32"), BalloonNotifier)


def test_the_daemon_logs_a_failed_balloon_and_retries_it(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    win32 = FakeWin32("Shell_NotifyIconW")
    clock = FakeClock(AT)
    daemon = fake_daemon(
        settings({"eyes": {}}), BalloonNotifier(balloon_class(monkeypatch, win32)), clock=clock
    )
    with caplog.at_level(logging.WARNING):
        for _ in range(int(22 * 60 / 15)):
            clock.advance(15)
            daemon.tick()
    assert "could not show 'Rest your eyes" in caplog.text
    assert "Shell_NotifyIconW failed" in caplog.text and "retrying in 0:01:00" in caplog.text
    assert "could not show 'Rest your eyes for 20 seconds' again" in caplog.text
