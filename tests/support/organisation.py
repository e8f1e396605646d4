"""Organisation policy files for the organisation tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from ergo_daemon.settings.organisation import OrganisationFiles


def org(tmp_path: Path) -> Path:
    """An organisation folder that only its owner may write."""
    folder = tmp_path / "etc-ergo-daemon"
    folder.mkdir(mode=0o755)
    return folder


def ignored_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A valid policy.toml in the organisation folder, but writable by every user."""
    from ergo_daemon import backends

    folder = org(tmp_path)
    policy = folder / "policy.toml"
    policy.write_text('[eyes]\nevery = "45m"\n')
    policy.chmod(0o666)
    monkeypatch.setattr(backends, "organisation_stores", lambda: [OrganisationFiles(folder)])
    monkeypatch.delenv("ERGO_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config-home"))
    return policy
