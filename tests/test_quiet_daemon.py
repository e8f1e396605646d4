"""The daemon with quiet signals: asked only at decision points, held prompts recorded, stale
notices closed, and ``status`` saying why prompts wait."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from ergo_daemon.activity.null import UnknownActivity
from ergo_daemon.clock import Instant
from ergo_daemon.content.catalogue import load_catalogue
from ergo_daemon.content.compose import Composer
from ergo_daemon.control.handler import handle
from ergo_daemon.control.messages import encode_request, parse_reply
from ergo_daemon.daemon import Daemon
from ergo_daemon.kinds import EYES, STRETCH
from ergo_daemon.policy import Policy
from ergo_daemon.ports import Notice, Notifier, Outcome, Reading
from ergo_daemon.settings.models import Settings

SETTINGS = Settings.model_validate(
    {
        "work_hours": {"days": "mon-sun", "hours": ["00:00-24:00"]},
        "break": {"enabled": False},
        "hydration": {"enabled": False},
        "posture": {"enabled": False},
    }
)


class Clock:
    def __init__(self) -> None:
        self.wall = datetime(2026, 11, 23, 9, tzinfo=UTC)
        self.mono = 1000.0

    def advance(self, seconds: float) -> None:
        self.wall += timedelta(seconds=seconds)
        self.mono += seconds

    def __call__(self) -> Instant:
        return Instant(self.wall, self.mono, self.mono)


class Typing(UnknownActivity):
    name = "typing"

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.gone_since: datetime | None = None

    def read(self) -> Reading:
        gone = self.gone_since
        return Reading(idle=0.0 if gone is None else (self.clock.wall - gone).total_seconds())


class Screen(Notifier):
    """A notifier that can close its notice, as the freedesktop one does."""

    name = "screen"

    def __init__(self) -> None:
        self.shown: list[Notice] = []
        self.withdrawn = 0

    def check(self) -> str:
        return "notices are kept in a list"

    def send(self, notice: Notice) -> None:
        self.shown.append(notice)

    def withdraw(self) -> None:
        self.withdrawn += 1


class Call:
    """A quiet signal the test turns on and off; counts how often it was asked."""

    name = "call"

    def __init__(self) -> None:
        self.reason: str | None = None
        self.asked = 0

    def read(self, now: datetime) -> str | None:
        self.asked += 1
        return self.reason

    def close(self) -> None:
        pass


class Stats:
    problem = None

    def __init__(self) -> None:
        self.prompts: list[tuple[str, str]] = []
        self.held_seconds = 0.0

    def prompt(self, at: datetime, kind: str, outcome: Outcome, merged: Sequence[str] = ()) -> None:
        self.prompts.append((kind, outcome))

    def active(self, day: date, seconds: float, sitting: float, held: float = 0.0) -> None:
        self.held_seconds += held

    def close(self) -> None:
        pass


def _daemon(screen: Screen, call: Call, clock: Clock, stats: Stats) -> Daemon:
    return Daemon(
        Policy(SETTINGS, ZoneInfo("UTC")),
        Composer(SETTINGS, load_catalogue(), random.Random(0)),
        screen,
        Typing(clock),
        fallback=UnknownActivity(),
        retry_after=timedelta(minutes=1),
        clock=clock,
        recorder=stats,
        quiet=lambda _settings: call,
    )


def _run(daemon: Daemon, clock: Clock, minutes: float, step: float = 15.0) -> None:
    for _ in range(int(minutes * 60 / step)):
        clock.advance(step)
        daemon.tick()


def test_signals_are_asked_only_when_a_prompt_falls_due_and_while_held() -> None:
    screen, call, clock, stats = Screen(), Call(), Clock(), Stats()
    daemon = _daemon(screen, call, clock, stats)
    _run(daemon, clock, 19)
    assert call.asked == 0, "asked although nothing was due and the person was typing"
    call.reason = "camera in use"
    _run(daemon, clock, 25)
    assert screen.shown == []
    assert call.asked > 0
    _, line, data = parse_reply(handle(daemon, encode_request("status")))
    assert data["status"] == "held" and data["held"]["reason"] == "camera in use"
    assert line.startswith("held: camera in use since 09:20"), line
    call.reason = None
    _run(daemon, clock, 0.25)
    assert [n.kind for n in screen.shown] == [STRETCH], "one prompt after the call"
    assert ("eyes", "held") in stats.prompts and ("stretch", "held") in stats.prompts
    assert stats.prompts[-1] == ("stretch", "shown")


def test_a_reminder_left_on_screen_past_its_interval_is_closed() -> None:
    screen, call, clock, stats = Screen(), Call(), Clock(), Stats()
    daemon = _daemon(screen, call, clock, stats)
    _run(daemon, clock, 20.5)
    assert [n.kind for n in screen.shown] == [EYES]
    assert isinstance(daemon.activity, Typing)
    daemon.activity.gone_since = clock.wall  # left the desk; the notice stays on screen
    _run(daemon, clock, 19)
    assert screen.withdrawn == 0, "closed before its interval passed"
    _run(daemon, clock, 1.5)
    assert screen.withdrawn == 1, "a 20-minute-old eye reminder is still on screen"
    _run(daemon, clock, 30)
    assert screen.withdrawn == 1, "closed again and again"


def test_a_passive_call_is_active_sitting_time_and_recorded_as_held() -> None:
    screen, call, clock, stats = Screen(), Call(), Clock(), Stats()
    daemon = _daemon(screen, call, clock, stats)
    assert isinstance(daemon.activity, Typing)
    _run(daemon, clock, 5)
    call.reason = "microphone in use"
    daemon.activity.gone_since = clock.wall  # no key pressed for the whole call
    _run(daemon, clock, 30)
    now = daemon.status()
    assert now.status == "held"
    assert now.sitting >= 34 * 60, "the call was counted as time away"
    daemon.close()
    assert 29 * 60 <= stats.held_seconds <= 31 * 60


def test_a_configuration_error_waits_for_do_not_disturb_to_end() -> None:
    from ergo_daemon.fallback import InUse

    screen, call, clock, stats = Screen(), Call(), Clock(), Stats()
    daemon = _daemon(screen, call, clock, stats)
    call.reason = "Do Not Disturb is on"
    problem = InUse("last good", "the last good settings", "config.toml:3: eyes.every = 'x'")
    daemon.config_failed(problem, daemon.now())
    _run(daemon, clock, 5)
    assert screen.shown == [], "nothing at all while the desktop is muted"
    call.reason = None
    _run(daemon, clock, 1.5)
    assert [n.topic for n in screen.shown] == ["config"], "shown once, after it ended"
