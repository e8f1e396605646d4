"""The organisation examples shipped with the package: defaults, policy, ADMX/ADML, profile."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

# name -> (file under config/organisation, what it is and where it goes)
EXAMPLES = {
    "defaults": (
        "defaults.toml",
        "organisation defaults staff may change: /etc/ergo-daemon/defaults.toml",
    ),
    "policy": (
        "policy.toml",
        "locked organisation policy: /etc/ergo-daemon/policy.toml (root's, mode 644)",
    ),
    "admx": (
        "windows/ergo-daemon.admx",
        "Group Policy template: the PolicyDefinitions folder of the central store",
    ),
    "adml": (
        "windows/en-US/ergo-daemon.adml",
        "its English texts: PolicyDefinitions/en-US",
    ),
    "mobileconfig": (
        "macos/org.ergo-daemon.mobileconfig",
        "macOS configuration profile for your MDM (edit it first)",
    ),
}


def organisation_dir() -> Path:
    """Package data in a wheel; ``config/organisation`` in a checkout."""
    packaged = Path(str(resources.files("ergo_daemon"))) / "organisation"
    return packaged if packaged.is_dir() else Path(__file__).parents[2] / "config" / "organisation"


def example_text(name: str) -> str:
    """The text of one example, e.g. ``example_text("policy")``; KeyError for an unknown name."""
    return (organisation_dir() / EXAMPLES[name][0]).read_text(encoding="utf-8")
