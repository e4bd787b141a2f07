"""How log entries, feedback and searches look on disk (the fold into rows: core/request_rows.py).

Pure: standard library only, no I/O, no clock.

Records are plain JSON-able dicts carrying a version field (`"v": 1`) so that
a later format can still read today's files. Timestamps are ISO 8601 in UTC
with a trailing `Z` (`2026-11-24T09:15:02.250000Z`), whatever zone the
datetime came in.

Writing refuses what reading would refuse (a naive datetime, an unknown event,
a rating outside 1..4): a bad value is caught while its caller can still see
it, instead of lying in a file that an export later cannot read.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from core.lifecycle import handed_over_by
from core.model import FACES, Feedback, Kind, LogEntry, Request, Search, Status
from core.request_rows import EVENT_RANK as _EVENT_RANK
from core.request_rows import EVENTS, RequestRow, RowFolder, Step, fold_steps, request_rows, step_of

# The fold lives in core/request_rows.py; its names are kept here for callers.
__all__ = ["EVENTS", "RequestRow", "RowFolder", "Step", "fold_steps", "request_rows", "step_of"]

VERSION = 1


# --- timestamps -----------------------------------------------------------


def to_iso_utc(moment: datetime) -> str:
    """`2026-11-24T09:15:02Z`: the instant in UTC; a naive datetime is refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: timestamps must be timezone-aware")
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"


def from_iso_utc(text: object, *, name: str = "timestamp") -> datetime:
    """Parse an ISO 8601 timestamp with a zone (`Z` or an offset) into UTC."""
    if not isinstance(text, str):
        raise ValueError(f"{name}: expected an ISO 8601 string, got {text!r}")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{name}: not an ISO 8601 timestamp: {text!r}") from None
    if moment.tzinfo is None:
        raise ValueError(f"{name}: timestamp has no zone (expected a trailing Z): {text!r}")
    return moment.astimezone(UTC)


# --- field readers with messages that name the field -----------------------


def _record(data: object, what: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise ValueError(f"{what} record: expected an object, got {type(data).__name__}")
    version = data.get("v")
    if version != VERSION:
        raise ValueError(f"{what} record: unsupported version v={version!r} (expected {VERSION})")
    return data


def _str(data: Mapping[str, Any], key: str, what: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise ValueError(f"{what} record: {key}: expected a string, got {value!r}")
    return value


def _opt_str(data: Mapping[str, Any], key: str, what: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{what} record: {key}: expected a string or null, got {value!r}")
    return value


def _details(value: object, what: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ValueError(f"{what} record: details: expected an object of strings, got {value!r}")
    return dict(value)


def _check_event(event: object, what: str) -> str:
    if event not in _EVENT_RANK:
        raise ValueError(f"{what} record: event: expected one of {', '.join(EVENTS)}, got {event!r}")
    return str(event)


def _check_rating(rating: object, what: str) -> int:
    # bool is an int in Python; `true` is not a face.
    if not isinstance(rating, int) or isinstance(rating, bool) or rating not in FACES:
        raise ValueError(f"{what} record: rating: expected one of {sorted(FACES)}, got {rating!r}")
    return rating


# --- log entries -----------------------------------------------------------


def entry_to_dict(entry: LogEntry) -> dict[str, Any]:
    """The stored form of one lifecycle step; raises ValueError for an unstorable entry."""
    _check_event(entry.event, "log entry")
    return {
        "v": VERSION,
        "request_id": entry.request_id,
        "ticket": entry.ticket,
        "kind": Kind(entry.kind).value,
        "kiosk": entry.kiosk,
        "event": entry.event,
        "at": to_iso_utc(entry.at),
        "staff": entry.staff,
        "outcome": entry.outcome,
        "details": dict(entry.details),
        "seq": entry.seq,
        # Only a kiosk's own created step has one (core/model.py Request.token).
        **({"token": entry.token} if entry.token else {}),
    }


def entry_from_dict(data: object) -> LogEntry:
    """Read a stored log entry back; raises ValueError naming what is wrong."""
    what = "log entry"
    record = _record(data, what)
    kind = record.get("kind")
    try:
        parsed_kind = Kind(str(kind))
    except ValueError:
        choices = ", ".join(k.value for k in Kind)
        raise ValueError(f"{what} record: kind: expected one of {choices}, got {kind!r}") from None
    return LogEntry(
        request_id=_str(record, "request_id", what),
        ticket=_str(record, "ticket", what),
        kind=parsed_kind,
        kiosk=_str(record, "kiosk", what),
        event=_check_event(record.get("event"), what),
        at=from_iso_utc(record.get("at"), name=f"{what} record: at"),
        staff=_opt_str(record, "staff", what),
        outcome=_opt_str(record, "outcome", what),
        details=_details(record.get("details"), what),
        seq=_opt_int(record, "seq", what),
        token=_opt_str(record, "token", what) or "",
    )


def entry_from_state(request: Request) -> LogEntry:
    """The lifecycle step a request state records.

    Every change of a request makes one new state (`seq` + 1) and one log
    entry, so a state alone says which step made it: seq 1 is `created`; a
    claimed, resolved or cancelled state is that step; an open state with an
    escalation level was `escalated`, one without was `released` (every move
    sets the level back to 0); a claimed state changed by someone other than
    its holder was `handed_over` to the holder. Its time is the state's `changed_at` (states
    from kiosks before it fall back to the step's own field).
    """
    at = request.changed_at
    staff = outcome = None
    details: dict[str, str] = {}
    if request.seq == 1:
        event, at = "created", at or request.created_at
        details = dict(request.details)
    elif (giver := handed_over_by(request)) is not None:
        event, staff, details = "handed_over", request.claimed_by, {"from": giver}
    elif request.status is Status.CLAIMED:
        event, staff, at = "claimed", request.claimed_by, at or request.claimed_at
    elif request.status is Status.RESOLVED:
        event, staff, outcome = "resolved", request.claimed_by, request.outcome
        at = at or request.resolved_at
    elif request.status is Status.CANCELLED:
        event, at = "cancelled", at or request.resolved_at
    elif request.escalation:
        event, details = "escalated", {"level": str(request.escalation)}
    else:
        event, staff = "released", request.changed_by
    if at is None:
        raise ValueError(f"state {request.id} seq {request.seq}: no time for its {event} step")
    return LogEntry(
        request_id=request.id,
        ticket=request.ticket,
        kind=request.kind,
        kiosk=request.kiosk,
        event=event,
        at=at,
        staff=staff,
        outcome=outcome,
        details=details,
        seq=request.seq,
    )


def _opt_int(data: Mapping[str, Any], key: str, what: str) -> int:
    value = data.get(key, 0)
    if type(value) is not int or value < 0:
        raise ValueError(f"{what} record: {key}: expected a whole number of 0 or more, got {value!r}")
    return value


# --- feedback --------------------------------------------------------------


def feedback_to_dict(feedback: Feedback) -> dict[str, Any]:
    """The stored form of one shopper's feedback; raises ValueError for a bad rating."""
    _check_rating(feedback.rating, "feedback")
    return {
        "v": VERSION,
        "id": feedback.id,
        "kiosk": feedback.kiosk,
        "rating": feedback.rating,
        "given_at": to_iso_utc(feedback.given_at),
        "reasons": list(feedback.reasons),
        "comment": feedback.comment,
        "contact": feedback.contact,
        "request_id": feedback.request_id,
    }


def feedback_from_dict(data: object) -> Feedback:
    """Read stored feedback back; raises ValueError naming what is wrong."""
    what = "feedback"
    record = _record(data, what)
    reasons = record.get("reasons", [])
    if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
        raise ValueError(f"{what} record: reasons: expected a list of strings, got {reasons!r}")
    comment = record.get("comment", "")
    if not isinstance(comment, str):
        raise ValueError(f"{what} record: comment: expected a string, got {comment!r}")
    contact = record.get("contact", "")  # absent in records from before contact details
    if not isinstance(contact, str):
        raise ValueError(f"{what} record: contact: expected a string, got {contact!r}")
    return Feedback(
        id=_str(record, "id", what),
        kiosk=_str(record, "kiosk", what),
        rating=_check_rating(record.get("rating"), what),
        given_at=from_iso_utc(record.get("given_at"), name=f"{what} record: given_at"),
        reasons=tuple(reasons),
        comment=comment,
        contact=contact,
        request_id=_opt_str(record, "request_id", what) or "",  # absent before feedback was joined
    )


# --- searches --------------------------------------------------------------


def search_to_dict(search: Search) -> dict[str, Any]:
    """The stored form of one search on the Find screen."""
    return {
        "v": VERSION,
        "id": search.id,
        "kiosk": search.kiosk,
        "at": to_iso_utc(search.at),
        "term": search.term,
        "results": search.results,
        "out_of_stock": list(search.out_of_stock),
        "taken": search.taken,
    }


def search_from_dict(data: object) -> Search:
    """Read a stored search back; raises ValueError naming what is wrong."""
    what = "search"
    record = _record(data, what)
    out = record.get("out_of_stock", [])
    if not isinstance(out, list) or not all(isinstance(item, str) for item in out):
        raise ValueError(f"{what} record: out_of_stock: expected a list of strings, got {out!r}")
    return Search(
        id=_str(record, "id", what),
        kiosk=_str(record, "kiosk", what),
        at=from_iso_utc(record.get("at"), name=f"{what} record: at"),
        term=_str(record, "term", what),
        results=_opt_int(record, "results", what),
        out_of_stock=tuple(out),
        taken=_opt_str(record, "taken", what) or "",
    )


# --- the fast path of reports ----------------------------------------------


_KINDS = {kind.value: kind for kind in Kind}


def step_from_dict(record: Mapping[str, Any]) -> Step:
    """A stored log entry straight into a Step; raises ValueError like entry_from_dict.

    The fast path of reports: the checks are the same, the LogEntry is skipped.
    """
    if record.get("v") != VERSION:
        return step_of(entry_from_dict(record))  # its message names what is wrong
    try:
        kind = _KINDS[record["kind"]]
        event = record["event"]
        rank = _EVENT_RANK[event]
        at = datetime.fromisoformat(record["at"])
        request_id, ticket, kiosk = record["request_id"], record["ticket"], record["kiosk"]
        staff, outcome, seq = record.get("staff"), record.get("outcome"), record.get("seq", 0)
        details = record.get("details") or {}
        if (
            at.tzinfo is None
            or type(request_id) is not str
            or type(ticket) is not str
            or type(kiosk) is not str
            or type(seq) is not int
            or seq < 0
            or not (staff is None or type(staff) is str)
            or not (outcome is None or type(outcome) is str)
            or type(details) is not dict
        ):
            raise ValueError
    except (KeyError, TypeError, ValueError):
        return step_of(entry_from_dict(record))
    if at.tzinfo is not UTC:
        at = at.astimezone(UTC)
    return (at, rank, event, seq, staff, outcome, details, request_id, ticket, kind, kiosk)


FeedbackFields = tuple[str, str, int, str, list[str], str, str, str]


def feedback_fields(record: Any) -> FeedbackFields:
    """(id, kiosk, rating, given_at as stored, reasons, comment, contact, request_id) of stored feedback,
    checked as feedback_from_dict checks it but for `given_at`, which its reader checks (core/stamps.py)."""
    try:
        rating, fid, kiosk = record["rating"], record["id"], record["kiosk"]
        reasons, comment = record.get("reasons", []), record.get("comment", "")
        contact, request_id, given_at = record.get("contact", ""), record.get("request_id") or "", record["given_at"]
        if (
            record["v"] != VERSION
            or type(rating) is not int
            or rating not in FACES
            or type(fid) is not str
            or type(kiosk) is not str
            or type(reasons) is not list
            or (reasons and not all(type(r) is str for r in reasons))
            or type(comment) is not str
            or type(contact) is not str
            or type(request_id) is not str
        ):
            raise ValueError
    except (KeyError, TypeError, ValueError, AttributeError):
        item = feedback_from_dict(record)  # its message names what is wrong
        given_at = to_iso_utc(item.given_at)
        fid, kiosk, rating, reasons = item.id, item.kiosk, item.rating, list(item.reasons)
        comment, contact, request_id = item.comment, item.contact, item.request_id
    return fid, kiosk, rating, given_at, reasons, comment, contact, request_id


def feedback_from_stored(record: Mapping[str, Any]) -> Feedback:
    """Stored feedback straight into Feedback, the checks of feedback_from_dict on the fast path."""
    try:
        rating, given_at = record["rating"], datetime.fromisoformat(record["given_at"])
        fid, kiosk = record["id"], record["kiosk"]
        reasons, comment = record.get("reasons", []), record.get("comment", "")
        contact, request_id = record.get("contact", ""), record.get("request_id") or ""
        if (
            record.get("v") != VERSION
            or type(rating) is not int
            or rating not in FACES
            or given_at.tzinfo is None
            or type(fid) is not str
            or type(kiosk) is not str
            or type(reasons) is not list
            or not all(type(r) is str for r in reasons)
            or type(comment) is not str
            or type(contact) is not str
            or type(request_id) is not str
        ):
            raise ValueError
    except (KeyError, TypeError, ValueError):
        return feedback_from_dict(record)  # its message names what is wrong
    if given_at.tzinfo is not UTC:
        given_at = given_at.astimezone(UTC)
    return Feedback(fid, kiosk, rating, given_at, tuple(reasons), comment, contact, request_id)
