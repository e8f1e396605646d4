"""Small files in the state folder, written so that a crash never leaves half of one."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def write_private_json(path: Path, body: Any) -> None:
    """Replace ``path`` atomically with ``body`` as JSON, readable by its owner only.

    ``write_private_json(state_dir() / "state.json", {...})``; raises OSError.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    scratch = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(body, out, indent=1)
    scratch.replace(path)
