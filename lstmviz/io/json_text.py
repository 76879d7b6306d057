"""Strict JSON text for files that come in, and its values described for one-line messages (Qt-free).

Python's json module keeps the last of duplicate keys, turns integers of any length into ints (and
refuses more than 4,300 digits with a ValueError), and refuses a UTF-8 byte-order mark. Here
duplicates are recorded so the reader can name them, integers longer than :data:`MAX_DIGITS` digits
stay :class:`LongInt` markers (never converted), and the mark is skipped.
"""
from __future__ import annotations

import json
from typing import Any

MAX_DIGITS = 18  # longer integer literals are not converted (no number in a scenario needs more)
SHOWN = 40       # characters of a value a message echoes


class LongInt:
    """An integer literal too long to be a value: only its length is kept."""

    def __init__(self, text: str):
        self.digits = len(text.lstrip("-"))


class JSONObject(dict):
    """A decoded object that remembers the keys it held more than once."""

    def __init__(self, pairs: list[tuple[str, Any]]):
        super().__init__()
        self.duplicates: list[str] = []
        for key, value in pairs:
            if key in self:
                self.duplicates.append(key)
            self[key] = value


def _int(text: str) -> int | LongInt:
    return LongInt(text) if len(text.lstrip("-")) > MAX_DIGITS else int(text)


def decode(data: bytes | str) -> Any:
    """Decode JSON (bytes as UTF-8, with or without a byte-order mark). Raises json.JSONDecodeError,
    UnicodeDecodeError or RecursionError."""
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.removeprefix("\ufeff")
    return json.loads(text, parse_int=_int, object_pairs_hook=JSONObject)


def kind(value: Any) -> str:
    """'an object', 'a string', 'a 400-digit integer' …"""
    if isinstance(value, LongInt):
        return f"a {value.digits}-digit integer"
    return {JSONObject: "an object", dict: "an object", list: "a list", str: "a string", bool: "a boolean",
            type(None): "null", int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def show(value: Any) -> str:
    """A value as a message echoes it: JSON, at most 40 characters; long integers by their length."""
    if isinstance(value, LongInt):
        return kind(value)
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        return kind(value)
    return text if len(text) <= SHOWN else text[:SHOWN - 1] + "…"


def is_number(value: Any) -> bool:
    """A JSON number lstmviz can read (not a boolean, not an overlong integer)."""
    return type(value) in (int, float)
