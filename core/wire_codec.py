"""The contract's codec basics: the version, times, and reading a payload as hostile.

Pure: no I/O. Shared by core/wire.py (requests, feedback, searches) and
core/device_wire.py (printers, presence, phone tokens).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from core.records import from_iso_utc, to_iso_utc
from core.topics import WireError

VERSION = 1
MAX_PAYLOAD = 16 * 1024  # a request state is ~400 bytes; anything this big is junk


# -- time ---------------------------------------------------------------------


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else to_iso_utc(moment)


def parse_time(value: Any, key: str, *, optional: bool = False) -> datetime | None:
    if value is None and optional:
        return None
    try:
        return from_iso_utc(value, name=key)
    except ValueError as exc:
        raise WireError(str(exc)[:120]) from None


def _dump(body: dict[str, Any]) -> bytes:
    return json.dumps({"v": VERSION, **body}, ensure_ascii=False, separators=(",", ":")).encode()


def _load(payload: bytes) -> dict[str, Any]:
    if len(payload) > MAX_PAYLOAD:
        raise WireError(f"payload of {len(payload)} bytes is over the {MAX_PAYLOAD} byte limit")
    try:
        body = json.loads(payload.decode("utf-8"))
    except UnicodeDecodeError:
        raise WireError("payload is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise WireError(f"payload is not JSON: {exc.msg} at {exc.pos}") from None
    except RecursionError:
        raise WireError("payload is nested too deeply") from None
    except ValueError as exc:  # e.g. a number of more digits than Python converts
        raise WireError(f"payload is not usable JSON: {str(exc)[:80]}") from None
    if not isinstance(body, dict):
        raise WireError(f"payload must be a JSON object, got {type(body).__name__}")
    # `type(...) is int`: True and 1.0 compare equal to 1 but are not version 1.
    version = body.get("v")
    if type(version) is not int or version != VERSION:
        raise WireError(f"unsupported version {str(version)[:20]!r} (this side speaks {VERSION})")
    return body


def _text(body: dict[str, Any], key: str, limit: int, *, optional: bool = False, empty: bool = False) -> str | None:
    value = body.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str) or (not value and not empty) or len(value) > limit:
        raise WireError(f"{key}: expected text of {0 if empty else 1} to {limit} characters")
    return value


def _choice(body: dict[str, Any], key: str, enum: Any) -> Any:
    try:
        return enum(body.get(key))
    except ValueError:
        raise WireError(f"{key}: unknown value {str(body.get(key))[:40]!r}") from None


def _int(body: dict[str, Any], key: str, low: int, high: int) -> int:
    value = body.get(key)
    if type(value) is not int or not low <= value <= high:
        raise WireError(f"{key}: expected a whole number from {low} to {high}")
    return value
