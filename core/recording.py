"""What the store's record keeps of each message, and whether it holds it already.

Pure: standard library only, no I/O, no clock (the time a message arrived is
passed in). The store server's recorder (store_server/recorder.py) and the
import of a kiosk's data dir ask these rules and carry out what they say.

Rules:
- Every request state is one lifecycle step (core/records.py
  `entry_from_state`); its identity is (request id, seq). A state whose seq
  the record holds is a copy (QoS 1 delivers at least once, owners republish
  open requests after a broker restart) and is dropped.
- Feedback is identified by its id, a search by its id, an alert by what it
  is about: an escalation by request, level and time, a printer alert by
  kiosk, state and time, an unhappy shopper by the feedback id, a rule alert
  of the store server's (core/live_wire.py `rule_alert_record`) by its rule
  and time.
- An alert is kept in a small form: kind, kiosk, time and what it is about.
  An unhappy-shopper alert keeps only the feedback id, never the shopper's
  contact details: the feedback record holds them, under retention.
- A gap: a state arrives whose seq is more than one above the highest the
  record holds for that request (the broker lost the states between, or they
  came before the recorder). It is recorded all the same (the state says
  where the request stands now) and the missing seq numbers are named once.
  Reports see the gap themselves: a request's seq numbers run 1, 2, 3 … with
  a hole.
- History imported from a kiosk's data dir: entries from before log entries
  carried their seq (seq 0) are numbered by their order per request, exactly
  as the kiosk numbers states: created is 1, each next step one more.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from core import wire
from core.model import Feedback, LogEntry, Request, Search, valid_id
from core.records import VERSION, entry_from_state

REQUESTS, FEEDBACK, SEARCHES, ALERTS = "requests", "feedback", "searches", "alerts"  # the record's kinds

Key = tuple[str, ...]  # (kind, identity…): what makes a record the same record
Record = LogEntry | Feedback | Search | dict[str, Any]


@dataclass(frozen=True)
class Keep:
    """A record to store: of `kind`, filed under `at` (its UTC day), known by `key`."""

    kind: str
    key: Key
    at: datetime
    record: Record

    @property
    def day(self) -> date:
        return self.at.astimezone(UTC).date()


@dataclass(frozen=True)
class Skip:
    """Nothing to store: `reason` says why (a cleared retained message, presence, …)."""

    reason: str


# -- identities -------------------------------------------------------------


def entry_key(entry: LogEntry) -> Key:
    return (REQUESTS, entry.request_id, str(entry.seq))


def feedback_key(feedback: Feedback) -> Key:
    return (FEEDBACK, feedback.id)


def search_key(search: Search) -> Key:
    return (SEARCHES, search.id)


def alert_key(alert: dict[str, Any]) -> Key:
    kind = alert["kind"]
    if kind == "escalation":
        return (ALERTS, kind, alert["request_id"], str(alert["level"]), alert["at"])
    if kind == "printer":
        return (ALERTS, kind, alert["kiosk"], alert["state"], alert["at"])
    if kind == "rule":  # the store server's own rule alerts (store_server/live.py)
        return (ALERTS, kind, alert["rule"], alert["at"])
    return (ALERTS, kind, alert["feedback_id"])


def key_of(kind: str, record: Record) -> Key:
    """The identity of a stored record of `kind` (as read back from the record)."""
    if kind == REQUESTS and isinstance(record, LogEntry):
        return entry_key(record)
    if kind == FEEDBACK and isinstance(record, Feedback):
        return feedback_key(record)
    if kind == SEARCHES and isinstance(record, Search):
        return search_key(record)
    if kind == ALERTS and isinstance(record, dict):
        return alert_key(record)
    raise ValueError(f"not a record of kind {kind}: {record!r}")


# -- messages into records --------------------------------------------------


def from_message(store: str, topic: str, payload: bytes, received_at: datetime) -> Keep | Skip:
    """What to keep of one message on the recorder's subscriptions.

    Raises `wire.WireError` for a message that breaks the contract (the
    recorder logs it and lets it go: keeping it would help nobody).
    """
    kind, ids = wire.parse_topic(store, topic)
    if not payload:
        return Skip(f"cleared retained message on {kind}")
    if kind == "state":
        state = wire.decode_request(payload)
        if state.id != ids["request_id"] or state.kiosk != ids["kiosk"]:
            raise wire.WireError("payload id or kiosk does not match its topic")
        entry = state_entry(state, received_at)
        return Keep(REQUESTS, entry_key(entry), entry.at, entry)
    if kind == "feedback":
        feedback = wire.decode_feedback(payload)
        _same_kiosk(feedback.kiosk, ids["device"])
        return Keep(FEEDBACK, feedback_key(feedback), feedback.given_at, feedback)
    if kind == "searches":
        search = wire.decode_search(payload)
        _same_kiosk(search.kiosk, ids["device"])
        return Keep(SEARCHES, search_key(search), search.at, search)
    if kind in ("alerts", "unhappy"):
        alert = decode_alert(payload)
        _same_kiosk(alert["kiosk"], ids["device"])
        return Keep(ALERTS, alert_key(alert), wire.parse_time(alert["at"], "at"), alert)  # type: ignore[arg-type]
    return Skip(f"{kind} is followed, not recorded")


def _same_kiosk(kiosk: str, device: str) -> None:
    # The broker lets a kiosk write only under its own id; a payload naming
    # another kiosk is forged or broken.
    if kiosk != device:
        raise wire.WireError("payload kiosk does not match its topic")


def state_entry(state: Request, received_at: datetime) -> LogEntry:
    """The log entry of a state. States from kiosks older than `changed_at`
    give no time for a release or an escalation: then it happened, at the
    latest, when it arrived."""
    try:
        return entry_from_state(state)
    except ValueError:
        return entry_from_state(replace(state, changed_at=received_at))


def decode_alert(payload: bytes) -> dict[str, Any]:
    """An alert (alerts/<kiosk>: escalation or printer; unhappy/<kiosk>) in the
    record's small form. Raises `wire.WireError` naming what is wrong."""
    body = wire._load(payload)
    kind = body.get("kind")
    kiosk = body.get("kiosk")
    if not valid_id(kiosk):
        raise wire.WireError("kiosk: expected an id")
    at = wire.iso(wire.parse_time(body.get("at"), "at"))
    stored: dict[str, Any] = {"v": VERSION, "kind": kind, "kiosk": kiosk, "at": at}
    if kind == "escalation":
        level = wire._int(body, "level", 1, 3)
        request_id = body.get("request_id")
        if not valid_id(request_id):
            raise wire.WireError("request_id: expected an id")
        request_kind = body.get("request_kind")
        if request_kind not in ("find", "return", "help"):
            raise wire.WireError("request_kind: expected find, return or help")
        ticket = wire._text(body, "ticket", 16)
        stored.update(level=level, request_id=request_id, ticket=ticket, request_kind=request_kind)
    elif kind == "printer":
        stored["state"] = wire.decode_printer(payload).state.value
    elif kind == "unhappy_shopper":
        feedback = wire.decode_unhappy(payload)
        assert feedback is not None  # kind checked above
        if not valid_id(feedback.id):
            raise wire.WireError("feedback_id: expected an id")
        stored["feedback_id"] = feedback.id  # the contact stays in the feedback record only
    else:
        raise wire.WireError(f"kind: unknown alert {str(kind)[:40]!r}")
    return stored


# -- gaps -------------------------------------------------------------------


def missing_before(known: Iterable[int], seq: int) -> tuple[int, ...]:
    """The seq numbers a newly arrived state `seq` jumps over: those between the
    highest the record holds for its request and `seq` (none when it follows on,
    or arrives late)."""
    highest = max(known, default=0)
    return tuple(range(highest + 1, seq))


def gaps(seqs: Iterable[int]) -> tuple[int, ...]:
    """The seq numbers missing from one request's recorded steps (1 … highest)."""
    have = set(seqs)
    return tuple(n for n in range(1, max(have, default=0)) if n not in have)


def runs(numbers: Iterable[int]) -> str:
    """`3-5, 8`: seq numbers in words for a log line."""
    ordered = sorted(set(numbers))
    parts: list[str] = []
    start = previous = None
    for n in [*ordered, None]:
        if n is not None and previous is not None and n == previous + 1:
            previous = n
            continue
        if start is not None:
            parts.append(str(start) if start == previous else f"{start}-{previous}")
        start = previous = n
    return ", ".join(parts)


# -- import -----------------------------------------------------------------


def numbered(entries: Iterable[LogEntry]) -> list[LogEntry]:
    """A kiosk's log entries with every seq filled in: one without (from before
    entries carried it) is one more than the step before it of its request.

    `entries` in the order they happened (the kiosk's own order: by time,
    file order for steps of one instant).
    """
    last: dict[str, int] = {}
    out = []
    for entry in entries:
        seq = entry.seq or last.get(entry.request_id, 0) + 1
        last[entry.request_id] = seq
        out.append(entry if seq == entry.seq else replace(entry, seq=seq))
    return out
