"""One contract for every notifier: the same assertions against each adapter and the test fakes.

The freedesktop adapter (alone and behind the fallback) runs against a real dunst; the macOS
and Windows adapters and plyer through their seams; the log through the log; and the fakes
the daemon tests use, so a fake cannot drift from what the adapters do.
"""

from __future__ import annotations

import logging
import subprocess
import time
import types
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from support.desktop import Desktop
from support.native_notify import FakeRun, FakeToasts, FakeWin32, balloon_class
from support.notifiers import FakePlyer, Shown, Withdrawing
from support.waiting import eventually

from ergo_daemon import kinds
from ergo_daemon.activity.bus import Listener
from ergo_daemon.notify.answers import Answer, typed_hint
from ergo_daemon.notify.fallback import FallbackNotifier
from ergo_daemon.notify.freedesktop import FreedesktopNotifier
from ergo_daemon.notify.log import LogNotifier
from ergo_daemon.notify.macos import OsascriptNotifier
from ergo_daemon.notify.plyer_backend import PlyerNotifier
from ergo_daemon.notify.windows import BalloonNotifier, ToastNotifier
from ergo_daemon.ports import DeliveryError, Notice, Notifier

AT = datetime(2026, 11, 23, 9, tzinfo=UTC)
EYES = Notice(kinds.EYES, "Rest your eyes", "Look out of the window.", AT)
BREAK = Notice(
    kinds.BREAK,
    "Break time",
    "Step away from the desk.",
    AT,
    merged=(kinds.EYES,),
    actions=("done", "skip"),
)


@dataclass
class Under:
    """A notifier under the contract, and what the person can be seen to get from it."""

    notifier: Notifier
    shown: Callable[[], list[str]]  # each notice that reached the person: title, then message
    press: Callable[[str], None] | None = None  # press a button on the last notice (where drawn)
    on_screen: Callable[[], int] | None = None  # notices showing now (where that can be seen)
    stand_in: bool = False  # it reaches no screen (the log)
    renders: bool = True  # False: a fake that keeps the notice as handed over, unrendered
    close: Callable[[], None] = lambda: None  # what the test must release afterwards


def _dunst(desktop: Desktop, wrap: Callable[[FreedesktopNotifier], Notifier]) -> Under:
    notifier = FreedesktopNotifier(desktop.env["DBUS_SESSION_BUS_ADDRESS"], listener=Listener())

    def shown() -> list[str]:
        return [f"{n.summary}\n{n.body}" for n in desktop.notifications()]

    def press(key: str) -> None:
        desktop.choose_action(rf"^#{key.capitalize()} \(")

    def on_screen() -> int:
        argv = ["dunstctl", "count", "displayed"]
        done = subprocess.run(argv, env=desktop.env, capture_output=True, text=True, check=True)
        return int(done.stdout)

    return Under(wrap(notifier), _settled(shown), press, on_screen, close=notifier.close)


def _settled(shown: Callable[[], list[str]], wait: float = 1.5) -> Callable[[], list[str]]:
    """``shown``, once something arrived or ``wait`` seconds passed (dunst reports late)."""

    def after() -> list[str]:
        deadline = time.monotonic() + wait
        while not (now := shown()) and time.monotonic() < deadline:
            time.sleep(0.05)
        return now

    return after


def freedesktop(request: pytest.FixtureRequest) -> Under:
    return _dunst(request.getfixturevalue("desktop"), lambda n: n)


def fallback(request: pytest.FixtureRequest) -> Under:
    desktop = request.getfixturevalue("desktop")
    return _dunst(desktop, lambda n: FallbackNotifier(n, LogNotifier("the session bus is gone")))


def log_only(request: pytest.FixtureRequest) -> Under:
    caplog: pytest.LogCaptureFixture = request.getfixturevalue("caplog")
    caplog.set_level(logging.WARNING, logger="ergo_daemon.notify.log")

    def shown() -> list[str]:
        said = [r.args for r in caplog.records if r.name == "ergo_daemon.notify.log"]
        return [f"{title}\n{text}" for title, text in said]  # type: ignore[misc]

    return Under(LogNotifier("no session bus"), shown, stand_in=True)


def plyer(request: pytest.FixtureRequest) -> Under:
    backend = FakePlyer()
    shown = lambda: [f"{c['title']}\n{c['message']}" for c in backend.calls]  # noqa: E731
    return Under(PlyerNotifier(backend), shown)


def osascript(request: pytest.FixtureRequest) -> Under:
    run = FakeRun()

    def shown() -> list[str]:
        scripts = [argv[2] for argv, _ in run.calls if argv[2].startswith("display notification")]
        # display notification "message" with title "title", as AppleScript literals
        return [_unquote(s.split('" with title "')[1]) + "\n" + _unquote(s[22:]) for s in scripts]

    return Under(OsascriptNotifier(run), shown)


def _unquote(literal: str) -> str:
    """The text of the AppleScript literal ``literal`` starts with (the rest is dropped)."""
    return literal.split('"', 1)[0].replace("\\n", "\n")


def toast(request: pytest.FixtureRequest) -> Under:
    toasts = FakeToasts()

    def press(key: str) -> None:
        toasts.last.on_activated(types.SimpleNamespace(arguments=key))

    shown = lambda: ["\n".join(fields) for _app, fields in toasts.shown]  # noqa: E731
    return Under(ToastNotifier(toasts, failed_wait=0.05), shown, press)


def balloon(request: pytest.FixtureRequest) -> Under:
    monkeypatch: pytest.MonkeyPatch = request.getfixturevalue("monkeypatch")
    monkeypatch.setattr("ergo_daemon.notify.windows.display_seconds", lambda _n: 0.1)
    win32 = FakeWin32()

    def shown() -> list[str]:
        added = [a[1][1] for n, a in win32.calls if n == "Shell_NotifyIconW" and a[0] == 0]
        return [f"{fields[11]}\n{fields[9]}" for fields in added]  # NOTIFYICONDATAW's title, text

    return Under(BalloonNotifier(balloon_class(monkeypatch, win32)), shown)


def fake_recorder(request: pytest.FixtureRequest) -> Under:
    fake = Shown()
    return Under(fake, lambda: [f"{n.title}\n{n.message}" for n in fake.shown], renders=False)


def fake_screen(request: pytest.FixtureRequest) -> Under:
    fake = Withdrawing()
    return Under(fake, lambda: [f"{n.title}\n{n.message}" for n in fake.shown], renders=False)


CASES = [
    freedesktop,
    fallback,
    log_only,
    plyer,
    osascript,
    toast,
    balloon,
    fake_recorder,
    fake_screen,
]


@pytest.fixture(params=CASES, ids=[case.__name__ for case in CASES])
def under(request: pytest.FixtureRequest) -> Under:
    made: Under = request.param(request)
    request.addfinalizer(made.close)
    return made


def test_it_names_itself_and_checks_without_showing_anything(under: Under) -> None:
    notifier = under.notifier
    assert isinstance(notifier.name, str) and notifier.name
    try:
        said = notifier.check()
    except DeliveryError as exc:
        assert under.stand_in, f"check refused ({exc}) though notices reach the screen"
        assert str(exc), "a refusal says why"
    else:
        assert isinstance(said, str) and said
    assert isinstance(notifier.buttons(), bool)
    assert isinstance(notifier.allow, str)
    assert under.shown() == [], "checking showed a notice"


def test_a_notice_reaches_the_person_once_or_it_says_why_not(under: Under) -> None:
    under.notifier.send(EYES)
    assert under.shown() == [f"{EYES.title}\n{EYES.message}"]
    down = under.notifier.down
    if under.stand_in:
        assert isinstance(down, str) and down, "standing in for a screen without saying why"
    else:
        assert down is None, "said to be down though the notice was shown"


def test_the_answers_offered_are_buttons_that_reach_the_listener_or_the_words_to_type(
    under: Under,
) -> None:
    got: list[Answer] = []
    under.notifier.listen(got.append)
    buttons = under.notifier.buttons()
    under.notifier.send(BREAK)
    [text] = under.shown()
    assert text.startswith(f"{BREAK.title}\n{BREAK.message}")
    assert got == [], "an answer before anyone pressed anything"
    if buttons:
        assert under.press is not None, "buttons said to be drawn, but none can be pressed"
        assert typed_hint(BREAK) not in text, "buttons and the command to type"
        under.press("done")
        eventually(lambda: bool(got), "the answer handed on")
        assert got == [Answer(kinds.BREAK, "done", (kinds.EYES,))]
    elif under.renders:
        assert typed_hint(BREAK) in text, "no buttons, and no word of what to type instead"


def test_withdrawing_closes_the_reminder_where_it_can_and_never_fails(under: Under) -> None:
    under.notifier.withdraw()  # nothing shown yet: nothing to close, no error
    under.notifier.send(EYES)
    assert len(under.shown()) == 1
    under.notifier.withdraw()
    under.notifier.withdraw()  # closed already: still no error
    if (on_screen := under.on_screen) is not None:
        eventually(lambda: on_screen() == 0, "the reminder closed")
