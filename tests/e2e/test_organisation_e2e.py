"""``doctor`` fails while the organisation policy file is ignored."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.desktop import Desktop
from support.organisation import ignored_policy

from ergo_daemon.settings.organisation import posix_untrusted


@pytest.fixture
def keep_log_level() -> Iterator[None]:
    """``doctor`` quiets the package's logger for good; other tests read its log."""
    logger = logging.getLogger("ergo_daemon")
    level = logger.level
    yield
    logger.setLevel(level)  # setLevel, not the attribute: it also clears the cached levels


@pytest.mark.usefixtures("keep_log_level")
def test_doctor_fails_while_the_policy_file_is_ignored(
    desktop: Desktop,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from ergo_daemon.cli import main

    for name, value in desktop.env.items():  # notifications work: only the policy fails
        monkeypatch.setenv(name, value)
    policy = ignored_policy(tmp_path, monkeypatch)
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert (
        f"NO  config         files: policy {policy} is IGNORED ({posix_untrusted(policy)})" in out
    )
    assert f"fix: chown root:root {policy} && chmod 644 {policy}" in out
    policy.chmod(0o644)
    if os.geteuid() == 0:
        assert main(["doctor"]) == 0, capsys.readouterr().out
