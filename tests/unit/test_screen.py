"""The break screen's settings, its fallbacks to the notice, and its countdown text."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.clocks import FakeClock
from support.configs import settings
from support.daemons import fake_daemon
from support.notifiers import Shown

from ergo_daemon import kinds, screen
from ergo_daemon.ports import Notice
from ergo_daemon.screen import BreakScreen
from ergo_daemon.screen.window import remaining_text
from ergo_daemon.settings.layers import ConfigError
from ergo_daemon.settings.load import load_settings
from ergo_daemon.settings.models import Settings
from ergo_daemon.settings.organisation import OrganisationFiles

BREAK = Notice(kinds.BREAK, "Break time", "Step away.", datetime.now(UTC), actions=("done", "skip"))


def test_break_screen_is_off_by_default_and_only_takes_the_three_modes() -> None:
    assert Settings().rest_break.screen == "off"
    assert Settings.model_validate({"break": {"screen": "strict"}}).rest_break.screen == "strict"
    with pytest.raises(ValueError, match="'off', 'window' or 'strict'"):
        Settings.model_validate({"break": {"screen": "fullscreen"}})


def test_a_policy_lock_on_the_break_screen_beats_the_user_file(tmp_path: Path) -> None:
    folder = tmp_path / "etc-ergo-daemon"
    folder.mkdir()
    (folder / "policy.toml").write_text('[break]\nscreen = "strict"\n')
    user = tmp_path / "config.toml"
    user.write_text('[break]\nscreen = "off"\n')
    loaded = load_settings(
        environ={"ERGO_BREAK__SCREEN": "window"},
        config_path=user,
        stores=[OrganisationFiles(folder, untrusted=lambda _p: None)],
    )
    assert loaded.settings.rest_break.screen == "strict"
    assert len(loaded.overruled) == 2, loaded.overruled


def test_a_bad_mode_in_a_file_names_the_file_the_key_and_what_is_allowed(tmp_path: Path) -> None:
    user = tmp_path / "config.toml"
    user.write_text('[break]\nscreen = "always"\n')
    with pytest.raises(ConfigError) as error:
        load_settings(environ={}, config_path=user, stores=[])
    assert "config.toml:2" in str(error.value) and "break.screen" in str(error.value)
    assert "'off', 'window' or 'strict'" in str(error.value)


def test_without_tkinter_the_window_is_not_tried_and_the_log_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(screen, "find_spec", lambda _name: None)
    with caplog.at_level(logging.WARNING):
        shown = BreakScreen(sys.executable).show(BREAK, seconds=5, mode="window", postpone="5 min")
    assert not shown
    assert "install python3-tk" in caplog.text


class NoWindow:
    """A break screen that cannot open (as without tkinter or a display)."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def show(self, notice: Notice, *, seconds: float, mode: str, postpone: str) -> bool:
        self.asked.append(mode)
        return False

    def reap(self) -> None:
        pass

    def close(self) -> None:
        pass


def test_the_daemon_falls_back_to_the_notice_when_no_window_opens() -> None:
    clock, shown, window = FakeClock(), Shown(), NoWindow()
    chosen = settings({"break": {"every": "10m", "screen": "window", "heads_up": "0s"}})
    daemon = fake_daemon(chosen, shown, clock=clock, screen=window)  # type: ignore[arg-type]
    daemon.tick()
    for _ in range(45):  # 675 s: one break due
        clock.advance(15)
        daemon.tick()
    assert window.asked == ["window"]
    assert [n.kind for n in shown.shown] == [kinds.BREAK]


def test_the_countdown_rounds_up_so_zero_means_over() -> None:
    assert [remaining_text(s) for s in (300, 299.2, 61, 0.4, 0, -3)] == [
        "5:00",
        "5:00",
        "1:01",
        "0:01",
        "0:00",
        "0:00",
    ]
