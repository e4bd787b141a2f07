"""How log entries and feedback look on disk, and the request log folded into rows.

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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from core.model import FACES, Feedback, Kind, LogEntry, Request, Search, Status

VERSION = 1

# Lifecycle steps in the order they happen; the rank breaks ties between
# entries stamped with the same instant (created and claimed in one tick).
EVENTS = ("created", "claimed", "released", "resolved", "cancelled", "escalated")
_EVENT_RANK = {event: rank for rank, event in enumerate(EVENTS)}


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
    )


def entry_from_state(request: Request) -> LogEntry:
    """The lifecycle step a request state records.

    Every change of a request makes one new state (`seq` + 1) and one log
    entry, so a state alone says which step made it: seq 1 is `created`; a
    claimed, resolved or cancelled state is that step; an open state with an
    escalation level was `escalated`, one without was `released` (every move
    sets the level back to 0). Its time is the state's `changed_at` (states
    from kiosks before it fall back to the step's own field).
    """
    at = request.changed_at
    staff = outcome = None
    details: dict[str, str] = {}
    if request.seq == 1:
        event, at = "created", at or request.created_at
        details = dict(request.details)
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


# --- the request log folded into one row per request -----------------------

# One lifecycle step as the fold needs it: a plain tuple, because a year of a
# busy store is 320,000 of them and a frozen dataclass each costs time and memory.
# (at, rank, event, seq, staff, outcome, details, request_id, ticket, kind, kiosk)
Step = tuple[datetime, int, str, int, "str | None", "str | None", dict[str, str], str, str, Kind, str]

SERVICE_DESK_LEVEL = 3  # core/escalation.py: the last level sends the request to the service desk


@dataclass(frozen=True, slots=True)
class RequestRow:
    """Everything the log says about one request, for exports and reports.

    Fields are None when the entries that would tell are not among those
    folded (a request created before the exported range has no created_at).
    `seconds_to_resolve` counts from creation, as the shopper waited it.
    `details` are what the shopper asked (item, reason, topic, …), never the
    escalation level, which is `escalation` (the highest level reached).
    `missing_steps`: seq numbers that never arrived (0 for records before seq).
    """

    request_id: str
    ticket: str
    kind: Kind
    kiosk: str
    details: dict[str, str] = field(default_factory=dict, hash=False)
    created_at: datetime | None = None
    claimed_by: str | None = None  # the last staff member who claimed it
    claimed_at: datetime | None = None  # the first claim: when help was on its way
    released: int = 0
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    cancelled_at: datetime | None = None
    outcome: str | None = None
    seconds_to_claim: float | None = None
    seconds_to_resolve: float | None = None
    status: Status = Status.OPEN
    escalation: int = 0
    service_desk: bool = False  # the last escalation level was reached
    language: str = ""  # the shopper's language on the kiosk; "" in records from before it was kept
    abandoned: bool = False  # cancelled before anyone claimed it
    missing_steps: int = 0


def step_of(entry: LogEntry) -> Step:
    return (
        entry.at, _EVENT_RANK[entry.event], entry.event, entry.seq, entry.staff, entry.outcome,
        entry.details, entry.request_id, entry.ticket, entry.kind, entry.kiosk,
    )  # fmt: skip


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


def fold_steps(steps: list[Step]) -> RequestRow:
    """One request's steps, deduplicated, into its row (sorts `steps` in place)."""
    steps.sort(key=_step_order)
    first = steps[0]
    created = claimed_at = resolved_at = cancelled_at = None
    claimed_by = resolved_by = outcome = None
    released = escalation = 0
    status = Status.OPEN
    details: dict[str, str] = {}
    seqs = set()
    for at, _, event, seq, staff, step_outcome, step_details, *_ in steps:
        if seq:
            seqs.add(seq)
        if event == "escalated":
            level = step_details.get("level", "")
            escalation = max(escalation, int(level) if level.isdigit() else 1)
            continue  # the level is the escalation column, not what the shopper asked
        details.update(step_details)
        if event == "created":
            created = created or at
        elif event == "claimed":
            claimed_at = claimed_at or at
            claimed_by = staff
            if not status.is_final:
                status = Status.CLAIMED
        elif event == "released":
            released += 1
            if not status.is_final:
                status = Status.OPEN
        elif event == "resolved" and resolved_at is None:
            resolved_at, resolved_by, outcome, status = at, staff, step_outcome, Status.RESOLVED
        elif event == "cancelled" and cancelled_at is None and resolved_at is None:
            cancelled_at, outcome, status = at, step_outcome, Status.CANCELLED
    missing = (max(seqs) - len(seqs)) if seqs else 0
    return RequestRow(
        request_id=first[7],
        ticket=first[8],
        kind=first[9],
        kiosk=first[10],
        details=details,
        created_at=created,
        claimed_by=claimed_by,
        claimed_at=claimed_at,
        released=released,
        resolved_at=resolved_at,
        resolved_by=resolved_by,
        cancelled_at=cancelled_at,
        outcome=outcome,
        seconds_to_claim=_seconds(created, claimed_at),
        seconds_to_resolve=_seconds(created, resolved_at),
        status=status,
        escalation=escalation,
        service_desk=escalation >= SERVICE_DESK_LEVEL,
        language=details.get("language", ""),
        abandoned=cancelled_at is not None and claimed_at is None,
        missing_steps=missing,
    )


def _step_order(step: Step) -> tuple[datetime, int, int]:
    return (step[0], step[1], step[3])


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds()


class RowFolder:
    """Collects steps as they are read, one list per request, and folds them.

    A step whose (request id, seq) was seen already is the same step delivered
    again (QoS 1, or the store's record and an imported kiosk dir overlapping)
    and counts once; steps with seq 0 (records from before seq) count once
    when they are exact duplicates.
    """

    def __init__(self) -> None:
        self._steps: dict[str, list[Step]] = {}
        self._seen: set[tuple[str, int]] = set()

    def add(self, step: Step) -> None:
        request_id, seq = step[7], step[3]
        steps = self._steps.get(request_id)
        if steps is None:
            self._steps[request_id] = steps = []
        if seq:
            key = (request_id, seq)
            if key in self._seen:
                return
            self._seen.add(key)
        elif step in steps:
            return
        steps.append(step)

    def rows(self) -> list[RequestRow]:
        """One row per request, ordered by creation (or first step) time; empties the folder."""
        rows = []
        while self._steps:
            _, steps = self._steps.popitem()
            row = fold_steps(steps)
            rows.append((row.created_at or steps[0][0], row.request_id, row))
        self._seen.clear()
        rows.sort(key=lambda triple: (triple[0], triple[1]))
        return [row for *_, row in rows]


def request_rows(entries: Iterable[LogEntry]) -> list[RequestRow]:
    """One row per request, ordered by creation time.

    Entries may come in any order. The same step delivered twice counts once
    (see RowFolder). A request without its `created` entry is placed by its
    earliest entry.
    """
    folder = RowFolder()
    for entry in entries:
        folder.add(step_of(entry))
    return folder.rows()
