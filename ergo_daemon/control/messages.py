"""The control channel's messages: versioned JSON envelopes, validated on arrival (never pickle).

A request is ``{"v": 1, "command": "pause", "seconds": 1800}``; a reply is
``{"v": 1, "ok": true, "message": "paused until 10:30", "data": {...}}``.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

# The envelopes live in ``wire`` so that clients need no pydantic; the names stay here too.
from ergo_daemon.control.wire import VERSION, BadRequest, encode_request, parse_reply, reply

__all__ = [
    "VERSION",
    "BadRequest",
    "Request",
    "encode_request",
    "parse_reply",
    "parse_request",
    "reply",
]

KindName = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")]
Seconds = Annotated[float, Field(gt=0, le=7 * 86400)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    v: Literal[1]


class StatusQuery(_Request):
    command: Literal["status"]


class Pause(_Request):
    """Pause for ``seconds``, until a local ``HH:MM`` or ``tomorrow``, or until resumed."""

    command: Literal["pause"]
    seconds: Seconds | None = None
    until: Annotated[str, Field(pattern=r"^(tomorrow|([01]\d|2[0-3]):[0-5]\d)$")] | None = None


class Resume(_Request):
    command: Literal["resume"]


class Snooze(_Request):
    command: Literal["snooze"]
    kind: KindName | None = None
    seconds: Seconds | None = None


class Skip(_Request):
    command: Literal["skip"]
    kind: KindName | None = None


class Done(_Request):
    command: Literal["done"]
    kind: KindName


class Stop(_Request):
    command: Literal["stop"]


class Reload(_Request):
    command: Literal["reload"]


Request = Annotated[
    StatusQuery | Pause | Resume | Snooze | Skip | Done | Stop | Reload,
    Field(discriminator="command"),
]
_requests: TypeAdapter[Request] = TypeAdapter(Request)
_MODELS: dict[str, type[_Request]] = {
    "status": StatusQuery,
    "pause": Pause,
    "resume": Resume,
    "snooze": Snooze,
    "skip": Skip,
    "done": Done,
    "stop": Stop,
    "reload": Reload,
}


def parse_request(raw: bytes) -> Request:
    """Validate one request; raises BadRequest with a short reason."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequest(f"not JSON: {exc}") from None
    except RecursionError:
        raise BadRequest("nested too deeply") from None
    if not isinstance(data, dict):
        raise BadRequest("a request is a JSON object")
    if data.get("v") != VERSION:
        raise BadRequest(f"unsupported protocol version {data.get('v')!r} (this daemon: {VERSION})")
    try:
        return _requests.validate_python(data)
    except ValidationError as exc:
        raise BadRequest(_plain(data, exc.errors()[0])) from None


# What each field takes, in the words the reply uses when a value is refused.
ALLOWED = {
    "seconds": "a length of time above 0 seconds and at most 7 days",
    "until": "a time of day HH:MM (00:00 to 23:59) or 'tomorrow'",
    "kind": "a reminder's name in lower-case letters, digits, '-' or '_', e.g. eyes or hydration",
}


def _plain(data: dict[str, Any], error: Any) -> str:
    """One validation error in plain words: which field, what was sent, what is allowed."""
    command = data.get("command")
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        sent = f"unknown command {command!r}" if command is not None else "no command given"
        return f"{sent}; known commands: {', '.join(_MODELS)}"
    field = str(error["loc"][-1]) if len(error["loc"]) > 1 else ""
    if error["type"] == "extra_forbidden":
        model = _MODELS[str(command)]
        known = [name for name in model.model_fields if name not in ("v", "command")]
        takes = f"it takes {', '.join(known)}" if known else "it takes nothing else"
        return f"{command} does not take {field!r}; {takes}"
    if error["type"] == "missing":
        return f"{command} needs {field!r}: {ALLOWED.get(field, 'a value')}"
    allowed = ALLOWED.get(field, "a value")
    return f"{command}: {field} = {data.get(field)!r} is not allowed; expected {allowed}"
