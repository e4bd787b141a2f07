"""The public MQTT contract: JSON payloads (docs/mqtt-api.md), and the topic
names of core/topics.py.

Pure: no I/O. Every decoder treats its input as hostile: anything that is not
exactly what the contract says raises `WireError` with a reason a person can
read in the log, and nothing else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

# The devices' messages, re-exported: the apps import the contract from here.
from core.device_wire import (  # noqa: F401
    MAX_ON_PHONES,
    PhoneToken,
    Presence,
    PrinterReport,
    decode_presence,
    decode_printer,
    decode_token,
    encode_presence,
    encode_printer,
    encode_printer_alert,
    encode_token,
)
from core.events import CancelRequested, StaffActed
from core.lifecycle import STAFF_ACTIONS, Action
from core.model import FACES, Feedback, Kind, Request, Search, Status, valid_id

# The topic tree, re-exported: `wire.state_topic(...)` reads as the contract.
from core.topics import *  # noqa: F403
from core.topics import WireError
from core.wire_codec import MAX_PAYLOAD, VERSION, _choice, _dump, _int, _load, _text, iso, parse_time  # noqa: F401

# -- encoding -----------------------------------------------------------------


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
            "entrance": request.entrance,
            "changed_at": iso(request.changed_at),
            "changed_by": request.changed_by,
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
    body = {"action": action.action, "staff": action.staff, "action_id": action.action_id, "outcome": action.outcome}
    if action.action == Action.HANDOVER:
        body["to"] = action.to
    return _dump(body)


def encode_phone_cancel(cancel: CancelRequested, action_id: str) -> bytes:
    """The shopper cancelled on their phone's ticket page: the web service
    passes it on with the request's token, which the owning kiosk checks."""
    return _dump({"action": Action.CANCEL.value, "token": cancel.token, "action_id": action_id})


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
        "request_id": feedback.request_id,
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


def encode_search(search: Search) -> bytes:
    return _dump(
        {
            "id": search.id,
            "kiosk": search.kiosk,
            "at": iso(search.at),
            "term": search.term,
            "results": search.results,
            "out_of_stock": list(search.out_of_stock),
            "taken": search.taken,
        }
    )


def decode_search(payload: bytes) -> Search:
    body = _load(payload)
    search_id = _text(body, "id", 64)
    kiosk = _text(body, "kiosk", 64)
    if not (valid_id(search_id) and valid_id(kiosk)):
        raise WireError("id and kiosk may hold only letters, digits, '-' and '_'")
    out = body.get("out_of_stock", [])
    if not isinstance(out, list) or len(out) > 20 or not all(isinstance(i, str) and len(i) <= 200 for i in out):
        raise WireError("out_of_stock: expected at most 20 texts")
    return Search(
        id=search_id,  # type: ignore[arg-type]
        kiosk=kiosk,  # type: ignore[arg-type]
        at=parse_time(body.get("at"), "at"),  # type: ignore[arg-type]
        term=_text(body, "term", 200),  # type: ignore[arg-type]
        results=_int(body, "results", 0, 1000),
        out_of_stock=tuple(out),
        taken=_text(body, "taken", 200, optional=True, empty=True) or "",
    )


# -- decoding -----------------------------------------------------------------


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
        # Optional too: states from before kiosks named their entrance.
        entrance=_text(body, "entrance", 64, optional=True, empty=True) or "",
        # And from before states said when they changed.
        changed_at=parse_time(body.get("changed_at"), "changed_at", optional=True),
        changed_by=_text(body, "changed_by", 64, optional=True),
    )


def decode_action(request_id: str, payload: bytes) -> StaffActed | CancelRequested:
    """A staff action, or a shopper's cancel from their phone (with the token)."""
    body = _load(payload)
    action = body.get("action")
    if action not in (*STAFF_ACTIONS, Action.CANCEL):
        raise WireError(f"action: expected one of {', '.join((*STAFF_ACTIONS, Action.CANCEL))}")
    action_id = _text(body, "action_id", 64)
    if not valid_id(action_id):
        raise WireError("action_id may hold only letters, digits, '-' and '_'")
    if action == Action.CANCEL:
        token = _text(body, "token", 64)
        if not valid_id(token):
            raise WireError("token may hold only letters, digits, '-' and '_'")
        return CancelRequested(request_id=request_id, token=token)
    to = _text(body, "to", 64) if action == Action.HANDOVER else None
    return StaffActed(
        request_id=request_id,
        action=Action(action),
        staff=_text(body, "staff", 64),  # type: ignore[arg-type]
        action_id=action_id,  # type: ignore[arg-type]
        outcome=_text(body, "outcome", 500, optional=True),
        to=to,
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
        request_id=_joined_request(body.get("request_id")),
    )


def _joined_request(value: Any) -> str:
    # Optional: feedback from before it could name the help it was about.
    if value is None or value == "":
        return ""
    if not valid_id(value):
        raise WireError("request_id may hold only letters, digits, '-' and '_'")
    return str(value)


# -- a kiosk's storage ------------------------------------------------------


def encode_storage_alert(kiosk: str, writable: bool, detail: str, at: datetime) -> bytes:
    """The kiosk's storage cannot be written (disk full, read-only): it takes no request and sends
    shoppers to the service desk; `writable` true: it takes requests again."""
    return _dump({"kind": "storage", "kiosk": kiosk, "writable": bool(writable), "detail": detail[:200], "at": iso(at)})


def decode_storage_alert(payload: bytes) -> tuple[str, bool, str, datetime]:
    """(kiosk, writable, detail, at) of a storage alert."""
    body = _load(payload)
    if body.get("kind") != "storage":
        raise WireError("kind: expected 'storage'")
    writable, detail = body.get("writable"), body.get("detail") or ""
    if not isinstance(writable, bool):
        raise WireError("writable: expected true or false")
    if not isinstance(detail, str) or len(detail) > 200:
        raise WireError("detail: expected text of at most 200 characters")
    return _text(body, "kiosk", 64), writable, detail, parse_time(body.get("at"), "at")  # type: ignore[return-value]
