"""The daemon with quiet signals: asked only at decision points, held prompts recorded, stale
notices closed, and ``status`` saying why prompts wait."""

from __future__ import annotations

from support.activity import Typing
from support.clocks import FakeClock
from support.configs import settings
from support.daemons import fake_daemon
from support.daemons import run as _run
from support.notifiers import Withdrawing
from support.quiet import Busy
from support.recorders import Stats

from ergo_daemon.control.handler import handle
from ergo_daemon.control.messages import encode_request, parse_reply
from ergo_daemon.daemon import Daemon
from ergo_daemon.kinds import EYES, STRETCH

SETTINGS = settings({"eyes": {}, "stretch": {}})


def _daemon(screen: Withdrawing, call: Busy, clock: FakeClock, stats: Stats) -> Daemon:
    return fake_daemon(
        SETTINGS, screen, Typing(clock), clock=clock, recorder=stats, quiet=lambda _settings: call
    )


def test_signals_are_asked_only_when_a_prompt_falls_due_and_while_held() -> None:
    screen, call, clock, stats = Withdrawing(), Busy(), FakeClock(), Stats()
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
    screen, call, clock, stats = Withdrawing(), Busy(), FakeClock(), Stats()
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
    screen, call, clock, stats = Withdrawing(), Busy(), FakeClock(), Stats()
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

    screen, call, clock, stats = Withdrawing(), Busy(), FakeClock(), Stats()
    daemon = _daemon(screen, call, clock, stats)
    call.reason = "Do Not Disturb is on"
    problem = InUse("last good", "the last good settings", "config.toml:3: eyes.every = 'x'")
    daemon.config_failed(problem, daemon.now())
    _run(daemon, clock, 5)
    assert screen.shown == [], "nothing at all while the desktop is muted"
    call.reason = None
    _run(daemon, clock, 1.5)
    assert [n.topic for n in screen.shown] == ["config"], "shown once, after it ended"


def test_status_between_prompts_says_a_prompt_would_wait_while_the_desktop_is_muted() -> None:
    screen, call, clock, stats = Withdrawing(), Busy(), FakeClock(), Stats()
    daemon = _daemon(screen, call, clock, stats)
    _run(daemon, clock, 5)  # typing; nothing due yet, so no signal was asked
    _, line, data = parse_reply(handle(daemon, encode_request("status")))
    assert line.startswith("active; ") and data["quiet"] is None
    call.reason, asked = "Do Not Disturb is on", call.asked
    _, line, data = parse_reply(handle(daemon, encode_request("status")))
    assert line.startswith("active (a prompt due now would wait: Do Not Disturb is on); "), line
    assert data["status"] == "active" and data["quiet"] == "Do Not Disturb is on"
    assert call.asked == asked + 1, "status asks the signals once, only when asked itself"
