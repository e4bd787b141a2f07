"""The devices' messages of the MQTT contract: printer state, presence, phone tokens.

Pure: no I/O. Re-exported by core/wire.py, which is what the apps import.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.model import PrinterState, Request, valid_id
from core.topics import WireError
from core.wire_codec import _choice, _dump, _load, _text, iso, parse_time


@dataclass(frozen=True)
class PrinterReport:
    """A kiosk's printer state, as its retained status or an alert says it."""

    kiosk: str
    state: PrinterState
    detail: str
    at: datetime


def _printer_body(kiosk: str, state: PrinterState, detail: str, at: datetime) -> dict[str, Any]:
    return {"kiosk": kiosk, "state": state.value, "prints": state.prints, "detail": detail[:200], "at": iso(at)}


def encode_printer(kiosk: str, state: PrinterState, detail: str, at: datetime) -> bytes:
    """The retained printer status: a pager that starts later sees it at once."""
    return _dump(_printer_body(kiosk, state, detail, at))


def encode_printer_alert(kiosk: str, state: PrinterState, detail: str, at: datetime) -> bytes:
    """The printer went wrong (paper out, cover open, offline, …) or came right again (state ok)."""
    return _dump({"kind": "printer", **_printer_body(kiosk, state, detail, at)})


def decode_printer(payload: bytes) -> PrinterReport:
    """A retained printer status or a printer alert."""
    body = _load(payload)
    detail = body.get("detail") or ""
    if not isinstance(detail, str) or len(detail) > 200:
        raise WireError("detail: expected text of at most 200 characters")
    return PrinterReport(
        kiosk=_text(body, "kiosk", 64),  # type: ignore[arg-type]
        state=_choice(body, "state", PrinterState),
        detail=detail,
        at=parse_time(body.get("at"), "at"),  # type: ignore[arg-type]
    )


@dataclass(frozen=True)
class Presence:
    """A device saying it is there (or, through its last will, that it is gone).

    `name`: a kiosk's entrance as staff call it, a pager's staff member.
    `ticket_format`: a kiosk's ticket format (core/numbering.py), so that two
    kiosks of one store can tell when they would hand out the same numbers.
    """

    device: str
    role: str
    online: bool
    at: datetime
    name: str = ""
    ticket_format: str = ""
    # The web service's: the staff signed in on phones, (name, role) each.
    staff: tuple[tuple[str, str], ...] = ()


MAX_ON_PHONES = 200  # staff signed in on the web service that one presence message lists


def encode_presence(presence: Presence) -> bytes:
    body: dict[str, Any] = {
        "device": presence.device,
        "role": presence.role,
        "online": presence.online,
        "at": iso(presence.at),
        "name": presence.name,
        "ticket_format": presence.ticket_format,
    }
    if presence.staff:
        body["staff"] = [{"name": name, "role": role} for name, role in presence.staff]
    return _dump(body)


def _on_phones(value: Any) -> tuple[tuple[str, str], ...]:
    # Optional: only the web service lists staff, and presence from before it did not.
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > MAX_ON_PHONES:
        raise WireError(f"staff: expected a list of at most {MAX_ON_PHONES} staff members")
    staff = []
    for item in value:
        if not isinstance(item, dict):
            raise WireError("staff: expected objects with a name and a role")
        staff.append((_text(item, "name", 64), _text(item, "role", 16)))
    return tuple(staff)  # type: ignore[arg-type]


def decode_presence(device: str, payload: bytes) -> Presence:
    body = _load(payload)
    if body.get("device") != device:
        raise WireError("device: does not match its topic")
    online = body.get("online")
    if type(online) is not bool:
        raise WireError("online: expected true or false")
    return Presence(
        device=device,
        role=_text(body, "role", 16),  # type: ignore[arg-type]
        online=online,
        at=parse_time(body.get("at"), "at"),  # type: ignore[arg-type]
        name=_text(body, "name", 64, optional=True, empty=True) or "",
        ticket_format=_text(body, "ticket_format", 40, optional=True, empty=True) or "",
        staff=_on_phones(body.get("staff")),
    )


@dataclass(frozen=True)
class PhoneToken:
    """A request's phone page token, from its own retained topic."""

    request_id: str
    kiosk: str
    token: str


def encode_token(request: Request) -> bytes:
    return _dump({"request_id": request.id, "kiosk": request.kiosk, "token": request.token})


def decode_token(payload: bytes) -> PhoneToken:
    body = _load(payload)
    request_id, kiosk, token = (_text(body, key, 64) for key in ("request_id", "kiosk", "token"))
    if not (valid_id(request_id) and valid_id(kiosk)):
        raise WireError("request_id and kiosk may hold only letters, digits, '-' and '_'")
    if not (valid_id(token) and len(token) >= 22):  # type: ignore[arg-type]
        raise WireError("token: expected at least 22 URL-safe characters")
    return PhoneToken(request_id, kiosk, token)  # type: ignore[arg-type]
