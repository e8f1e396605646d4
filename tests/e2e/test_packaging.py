"""What an install carries: the wheel and sdist hold the presets and the organisation examples."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

from support.cli import ROOT, cli

from ergo_daemon.settings.examples import EXAMPLES

ORGANISATION = ROOT / "config" / "organisation"


def test_the_wheel_and_sdist_carry_the_presets_and_organisation_examples(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    (wheel,) = dist.glob("*.whl")
    (sdist,) = dist.glob("*.tar.gz")
    names = set(zipfile.ZipFile(wheel).namelist())
    presets = {f"ergo_daemon/presets/{p.name}" for p in (ROOT / "config" / "presets").iterdir()}
    assert presets and presets <= names
    examples = {f"ergo_daemon/organisation/{file}" for file, _ in EXAMPLES.values()}
    assert examples <= names, sorted(examples - names)
    with tarfile.open(sdist) as archive:
        in_sdist = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {f"config/organisation/{file}" for file, _ in EXAMPLES.values()} <= in_sdist

    # Unpacked and run away from the checkout, as an install runs: the examples print.
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site)}
    shown = cli(env, "config", "example", "policy", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == (ORGANISATION / "policy.toml").read_text()
    where = subprocess.run(
        [sys.executable, "-c", "import ergo_daemon; print(ergo_daemon.__file__)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert where.stdout.startswith(str(site)), "the unpacked wheel, not the checkout"
