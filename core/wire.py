"""The public MQTT contract: topic names and JSON payloads (docs/mqtt-api.md).

Pure: no I/O. Every decoder treats its input as hostile: anything that is not
exactly what the contract says raises `WireError` with a reason a person can
read in the log, and nothing else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.events import STAFF_ACTIONS, StaffActed
from core.model import FACES, Feedback, Kind, PrinterState, Request, Status, valid_id
from core.records import from_iso_utc, to_iso_utc

VERSION = 1
MAX_PAYLOAD = 16 * 1024  # a request state is ~400 bytes; anything this big is junk


class WireError(ValueError):
    """A message from the network that does not follow the contract."""


# -- topics -------------------------------------------------------------------
#
# store/<store>/requests/<kiosk>/<request_id>/state   retained, kiosk publishes
# store/<store>/requests/<kiosk>/<request_id>/action  pagers publish
# store/<store>/feedback/<kiosk>                      kiosk publishes
# store/<store>/alerts/<kiosk>                        kiosk publishes (escalations, printer): no personal data
# store/<store>/unhappy/<kiosk>                       kiosk publishes unhappy shoppers' contact details: managers only
# store/<store>/printers/<kiosk>                      retained, kiosk publishes its printer's state
# store/<store>/devices/<device>                      retained presence + last will
#
# The owning kiosk is a topic level so broker ACLs can say "a kiosk writes only
# its own states" with a `%c` pattern.


def state_topic(store: str, kiosk: str, request_id: str) -> str:
    return f"store/{store}/requests/{kiosk}/{request_id}/state"


def action_topic(store: str, kiosk: str, request_id: str) -> str:
    return f"store/{store}/requests/{kiosk}/{request_id}/action"


def feedback_topic(store: str, kiosk: str) -> str:
    return f"store/{store}/feedback/{kiosk}"


def alert_topic(store: str, kiosk: str) -> str:
    return f"store/{store}/alerts/{kiosk}"


def all_alerts(store: str) -> str:
    return f"store/{store}/alerts/+"


def unhappy_topic(store: str, kiosk: str) -> str:
    """Unhappy shoppers who left contact details: a topic of its own so the
    broker's ACL can keep it to managers (alerts/+ is for every pager)."""
    return f"store/{store}/unhappy/{kiosk}"


def all_unhappy(store: str) -> str:
    return f"store/{store}/unhappy/+"


def printer_topic(store: str, kiosk: str) -> str:
    return f"store/{store}/printers/{kiosk}"


def all_printers(store: str) -> str:
    return f"store/{store}/printers/+"


def presence_topic(store: str, device: str) -> str:
    return f"store/{store}/devices/{device}"


def all_states(store: str) -> str:
    return f"store/{store}/requests/+/+/state"


def my_actions(store: str, kiosk: str) -> str:
    return f"store/{store}/requests/{kiosk}/+/action"


def parse_topic(store: str, topic: str) -> tuple[str, dict[str, str]]:
    """Which kind of topic this is, and its variable levels."""
    levels = topic.split("/")
    if len(levels) < 3 or levels[0] != "store" or levels[1] != store:
        raise WireError(f"topic {topic!r} is not under store/{store}/")
    rest = levels[2:]
    if len(rest) == 4 and rest[0] == "requests" and rest[3] in ("state", "action"):
        if not (valid_id(rest[1]) and valid_id(rest[2])):
            raise WireError(f"bad ids in topic {topic!r}")
        return rest[3], {"kiosk": rest[1], "request_id": rest[2]}
    if len(rest) == 2 and rest[0] in ("feedback", "devices", "alerts", "unhappy", "printers") and valid_id(rest[1]):
        return rest[0], {"device": rest[1]}
    raise WireError(f"unknown topic {topic!r}")


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


# -- encoding -----------------------------------------------------------------


def _dump(body: dict[str, Any]) -> bytes:
    return json.dumps({"v": VERSION, **body}, ensure_ascii=False, separators=(",", ":")).encode()


def encode_request(request: Request) -> bytes:
    return _dump(
        {
            "id": request.id,
            "ticket": request.ticket,
            "kind": request.kind.value,
            "kiosk": request.kiosk,
            "status": request.status.value,
            "seq": request.seq,
            "created_at": iso(request.created_at),
            "details": request.details,
            "claimed_by": request.claimed_by,
            "claimed_at": iso(request.claimed_at),
            "resolved_at": iso(request.resolved_at),
            "outcome": request.outcome,
            "escalation": request.escalation,
        }
    )


ALERT_KINDS = {1: "everyone", 2: "managers", 3: "service_desk"}


def encode_alert(request: Request, level: int, at: datetime) -> bytes:
    """An escalation: `level` 1 everyone again, 2 managers, 3 shopper sent to the service desk."""
    return _dump(
        {
            "kind": "escalation",
            "level": level,
            "to": ALERT_KINDS[level],
            "request_id": request.id,
            "ticket": request.ticket,
            "request_kind": request.kind.value,
            "kiosk": request.kiosk,
            "created_at": iso(request.created_at),
            "at": iso(at),
        }
    )


def encode_action(action: StaffActed) -> bytes:
    return _dump(
        {
            "action": action.action,
            "staff": action.staff,
            "action_id": action.action_id,
            "outcome": action.outcome,
        }
    )


def _feedback_body(feedback: Feedback, id_key: str) -> dict[str, Any]:
    return {
        id_key: feedback.id,
        "kiosk": feedback.kiosk,
        "rating": feedback.rating,
        "face": FACES[feedback.rating],
        "reasons": list(feedback.reasons),
        "comment": feedback.comment,
        "contact": feedback.contact,
        "given_at": iso(feedback.given_at),
    }


def encode_feedback(feedback: Feedback) -> bytes:
    return _dump(_feedback_body(feedback, "id"))


def encode_unhappy(feedback: Feedback, at: datetime) -> bytes:
    """An unhappy shopper who agreed to be contacted: for the managers, now."""
    return _dump({"kind": "unhappy_shopper", **_feedback_body(feedback, "feedback_id"), "at": iso(at)})


def decode_unhappy(payload: bytes) -> Feedback | None:
    """The feedback in an unhappy-shopper alert; None for other kinds of alert."""
    body = _load(payload)
    if body.get("kind") != "unhappy_shopper":
        return None
    return _feedback(body, id_key="feedback_id")


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


def encode_presence(device: str, role: str, online: bool, at: datetime | None = None) -> bytes:
    return _dump({"device": device, "role": role, "online": online, "at": iso(at)})


# -- decoding -----------------------------------------------------------------


def _load(payload: bytes) -> dict[str, Any]:
    if len(payload) > MAX_PAYLOAD:
        raise WireError(f"payload of {len(payload)} bytes is over the {MAX_PAYLOAD} byte limit")
    try:
        body = json.loads(payload.decode("utf-8"))
    except UnicodeDecodeError:
        raise WireError("payload is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise WireError(f"payload is not JSON: {exc.msg} at {exc.pos}") from None
    if not isinstance(body, dict):
        raise WireError(f"payload must be a JSON object, got {type(body).__name__}")
    if body.get("v") != VERSION:
        raise WireError(f"unsupported version {body.get('v')!r} (this side speaks {VERSION})")
    return body


def _text(body: dict[str, Any], key: str, limit: int, *, optional: bool = False) -> str | None:
    value = body.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value or len(value) > limit:
        raise WireError(f"{key}: expected text of 1 to {limit} characters")
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


def decode_request(payload: bytes) -> Request:
    body = _load(payload)
    request_id = _text(body, "id", 64)
    kiosk = _text(body, "kiosk", 64)
    if not (valid_id(request_id) and valid_id(kiosk)):
        raise WireError("id and kiosk may hold only letters, digits, '-' and '_'")
    details = body.get("details", {})
    if not isinstance(details, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in details.items()):
        raise WireError("details: expected an object of texts")
    return Request(
        id=request_id,  # type: ignore[arg-type]
        kind=_choice(body, "kind", Kind),
        ticket=_text(body, "ticket", 16),  # type: ignore[arg-type]
        kiosk=kiosk,  # type: ignore[arg-type]
        status=_choice(body, "status", Status),
        seq=_int(body, "seq", 1, 2**31),
        created_at=parse_time(body.get("created_at"), "created_at"),  # type: ignore[arg-type]
        details=details,
        claimed_by=_text(body, "claimed_by", 64, optional=True),
        claimed_at=parse_time(body.get("claimed_at"), "claimed_at", optional=True),
        resolved_at=parse_time(body.get("resolved_at"), "resolved_at", optional=True),
        outcome=_text(body, "outcome", 500, optional=True),
        # Optional: states from before escalation existed have no level.
        escalation=_int(body, "escalation", 0, 3) if "escalation" in body else 0,
    )


def decode_action(request_id: str, payload: bytes) -> StaffActed:
    body = _load(payload)
    action = body.get("action")
    if action not in STAFF_ACTIONS:
        raise WireError(f"action: expected one of {', '.join(STAFF_ACTIONS)}")
    action_id = _text(body, "action_id", 64)
    if not valid_id(action_id):
        raise WireError("action_id may hold only letters, digits, '-' and '_'")
    return StaffActed(
        request_id=request_id,
        action=action,
        staff=_text(body, "staff", 64),  # type: ignore[arg-type]
        action_id=action_id,  # type: ignore[arg-type]
        outcome=_text(body, "outcome", 500, optional=True),
    )


def decode_feedback(payload: bytes) -> Feedback:
    return _feedback(_load(payload), id_key="id")


def _feedback(body: dict[str, Any], id_key: str) -> Feedback:
    reasons = body.get("reasons", [])
    if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
        raise WireError("reasons: expected a list of texts")
    comment = body.get("comment", "")
    if not isinstance(comment, str) or len(comment) > 500:
        raise WireError("comment: expected text of at most 500 characters")
    contact = body.get("contact", "")
    if not isinstance(contact, str) or len(contact) > 80:
        raise WireError("contact: expected text of at most 80 characters")
    return Feedback(
        id=_text(body, id_key, 64),  # type: ignore[arg-type]
        kiosk=_text(body, "kiosk", 64),  # type: ignore[arg-type]
        rating=_int(body, "rating", 1, 4),
        given_at=parse_time(body.get("given_at"), "given_at"),  # type: ignore[arg-type]
        reasons=tuple(reasons),
        comment=comment,
        contact=contact,
    )
