"""A refused control request says what is allowed in plain words, no internals."""

from __future__ import annotations

import pytest

from ergo_daemon.control.messages import BadRequest, parse_request

# Words that belong to Python or a library, never to a message for people.
INTERNALS = ("_positive_float", "fromisoformat", "String should match", "Input should", "Input tag")


def _refusal(raw: bytes) -> str:
    with pytest.raises(BadRequest) as caught:
        parse_request(raw)
    text = str(caught.value)
    assert not any(word in text for word in INTERNALS), text
    return text


def test_a_refused_control_request_says_what_is_allowed_in_plain_words() -> None:
    until = _refusal(b'{"v": 1, "command": "pause", "until": "25:00"}')
    assert "'25:00'" in until and "HH:MM" in until and "tomorrow" in until
    seconds = _refusal(b'{"v": 1, "command": "pause", "seconds": -1}')
    assert "seconds = -1" in seconds and "7 days" in seconds
    assert "e.g. eyes" in _refusal(b'{"v": 1, "command": "snooze", "kind": "Eyes!"}')
    unknown = _refusal(b'{"v": 1, "command": "nap"}')
    assert "unknown command 'nap'" in unknown and "pause" in unknown
    assert "takes seconds, until" in _refusal(b'{"v": 1, "command": "pause", "for": 3}')
    assert "done needs 'kind'" in _refusal(b'{"v": 1, "command": "done"}')
