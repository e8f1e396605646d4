"""The control channel's envelopes as bytes, without pydantic: all a client needs.

``ergo-daemon stop`` and the other commands import only this; the daemon validates what
arrives with ``control.messages``.
"""

from __future__ import annotations

import json
from typing import Any

VERSION = 1


class BadRequest(ValueError):
    """A request that is not valid JSON of a known command (the reply says why)."""


def encode_request(command: str, **fields: Any) -> bytes:
    """``encode_request("pause", seconds=600)``: the bytes a client sends."""
    body = {"v": VERSION, "command": command, **{k: v for k, v in fields.items() if v is not None}}
    return json.dumps(body).encode()


def reply(message: str, *, ok: bool = True, **data: Any) -> bytes:
    return json.dumps({"v": VERSION, "ok": ok, "message": message, "data": data}).encode()


def parse_reply(raw: bytes) -> tuple[bool, str, dict[str, Any]]:
    """``(ok, message, data)``; raises BadRequest if the daemon's answer makes no sense."""
    try:
        body = json.loads(raw.decode("utf-8"))
        if body.get("v") != VERSION:
            raise BadRequest(f"the daemon speaks protocol {body.get('v')!r}, not {VERSION}")
        return bool(body["ok"]), str(body["message"]), dict(body.get("data") or {})
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, AttributeError):
        raise BadRequest("the daemon's reply is not valid") from None
