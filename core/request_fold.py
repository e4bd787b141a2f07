"""Stored log entries folded straight into one compact state per request, for reports and exports.

Pure: standard library only, no I/O, no clock.

The same rules as core/request_rows.fold_steps (which stays the definition,
for LogEntry objects; tests/test_records.py checks both agree), kept as the
steps stream instead of sorted at the end: the fold needs only the earliest
or latest step of each kind in the order (time, lifecycle rank, seq), so each
step is compared with what is kept and dropped. A step is a sort key made of
whole numbers (microseconds, rank, seq) and a request a short list, because a
year of a busy store is 320,000 steps of 110,000 requests: a LogEntry, a
tuple, a sort and a RequestRow each cost more time than reading the file.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from core.model import Kind, Status
from core.records import VERSION, entry_from_dict, to_iso_utc
from core.request_rows import EVENT_RANK, SERVICE_DESK_LEVEL, RequestRow
from core.stamps import Stamps, utc_datetime

_KINDS = {kind.value: kind for kind in Kind}
_SEQ_LIMIT = 1 << 32  # a seq this large is kept as this in the order (a real one is a handful)
_MASKED = 1024  # seqs below this are bits of an int; a larger one turns the request's seqs into a set

# The indices of a request's state (a list: a year of them, so no object each).
TICKET, KIND, KIOSK, FIRST = 0, 1, 2, 3  # of its first step in the order; FIRST is that step's key
CREATED, CLAIMED, CLAIM_LAST, CLAIMED_BY = 4, 5, 6, 7  # keys; the staff of the last claim
RELEASED, MOVED, STATUS = 8, 9, 10  # releases; the key and status of the last claim or release
RESOLVED, RESOLVED_BY, RESOLVE_OUTCOME = 11, 12, 13
CANCELLED, CANCEL_OUTCOME, ESCALATION, DETAILS, SEQS, OLD_STEPS = 14, 15, 16, 17, 18, 19


def at_of(key: int | None) -> int | None:
    """The microseconds of a step's key."""
    return None if key is None else key >> 35


class StepFolder:
    """Collects stored log entries (dicts, as in the files) into per-request states.

    The same step delivered again — the same (request id, seq), or for seq 0
    the very same record — counts once, the first one read winning, as in
    core/request_rows.RowFolder.
    """

    def __init__(self, stamps: Stamps, *, details: bool = True) -> None:
        """`details=False`: keep of what the shopper asked only the language (the figures need no more)."""
        self.stamps = stamps
        self.states: dict[str, list[Any]] = {}
        self.details = details
        # A year's 110,000 requests repeat a few kiosks, staff, outcomes, tickets and languages: one
        # copy of each instead of one per record read keeps a year's states in half the memory.
        self._shared: dict[Any, Any] = {}

    def add_table(self, table: Mapping[str, Any]) -> None:
        """Every record of one file; ValueError `record <id>: <what is wrong>` for the first bad one."""
        read, states, ranks, shared, keep_details = (
            self.stamps.read,
            self.states,
            EVENT_RANK,
            self._shared,
            self.details,
        )
        for doc_id, record in table.items():
            try:
                rid, event = record["request_id"], record["event"]
                rank, seq, details = ranks[event], record.get("seq", 0), record.get("details") or {}
                staff, outcome, kind = record.get("staff"), record.get("outcome"), _KINDS[record["kind"]]
                if (
                    record["v"] != VERSION
                    or type(rid) is not str
                    or type(record["ticket"]) is not str
                    or type(record["kiosk"]) is not str
                    or type(seq) is not int
                    or seq < 0
                    or not (staff is None or type(staff) is str)
                    or not (outcome is None or type(outcome) is str)
                    or type(details) is not dict
                    or (details and not all(type(k) is str and type(v) is str for k, v in details.items()))
                ):
                    raise ValueError
                key = (((read(record["at"], "log entry record: at") << 3) | rank) << 32) | min(seq, _SEQ_LIMIT - 1)
            except (KeyError, TypeError, ValueError, AttributeError):
                try:
                    entry_from_dict(record)  # says what is wrong
                except ValueError as exc:
                    raise ValueError(f"record {doc_id}: {exc}") from None
                record = _canonical(record)  # readable after all (an offset in `at`, a missing field)
                rid, event, rank, seq = record["request_id"], record["event"], ranks[record["event"]], record["seq"]
                staff, outcome, kind, details = (
                    record["staff"],
                    record["outcome"],
                    Kind(record["kind"]),
                    record["details"],
                )
                key = (((read(record["at"], "at") << 3) | rank) << 32) | min(seq, _SEQ_LIMIT - 1)
            if staff is not None:
                staff = shared.setdefault(staff, staff)
            if outcome is not None:
                outcome = shared.setdefault(outcome, outcome)
            if details and not keep_details and event != "escalated":
                language = details.get("language")
                details = (
                    shared.setdefault(("language", language), {"language": language}) if language is not None else {}
                )
            state = states.get(rid)
            if state is None:
                ticket, kiosk = record["ticket"], record["kiosk"]
                state = states[rid] = [shared.setdefault(ticket, ticket), kind, shared.setdefault(kiosk, kiosk), key,
                                       None, None, None, None, 0, None, Status.OPEN, None, None, None, None, None,
                                       0, None, 0, None]  # fmt: skip
            elif seq:
                seqs = state[SEQS]
                if type(seqs) is int and seq < _MASKED:
                    if seqs >> seq & 1:
                        continue  # the same step again
                elif _seen_in_set(state, seq):
                    continue
            else:
                old = (event, key, staff, outcome, details, record["ticket"], kind, record["kiosk"])
                if state[OLD_STEPS] is None:
                    state[OLD_STEPS] = [old]
                elif old in state[OLD_STEPS]:
                    continue
                else:
                    state[OLD_STEPS].append(old)
            if seq:
                if type(state[SEQS]) is int and seq < _MASKED:
                    state[SEQS] |= 1 << seq
                else:
                    _seen_in_set(state, seq)
            elif state[OLD_STEPS] is None:
                state[OLD_STEPS] = [(event, key, staff, outcome, details, record["ticket"], kind, record["kiosk"])]
            if key < state[FIRST]:
                state[FIRST], state[TICKET], state[KIND], state[KIOSK] = key, record["ticket"], kind, record["kiosk"]
            if event == "escalated":
                level = details.get("level", "")
                state[ESCALATION] = max(state[ESCALATION], int(level) if level.isdigit() else 1)
                continue  # the level is the escalation column, not what the shopper asked
            if event == "handed_over":  # a colleague holds it now; the claim time stays the first claim's
                if state[CLAIM_LAST] is None or key >= state[CLAIM_LAST]:
                    state[CLAIM_LAST], state[CLAIMED_BY] = key, staff
                continue  # `from` is who handed it over, not what the shopper asked
            if details:
                if state[DETAILS] is None:
                    state[DETAILS] = [(key, details)]
                else:
                    state[DETAILS].append((key, details))
            if event == "created":
                if state[CREATED] is None or key < state[CREATED]:
                    state[CREATED] = key
            elif event == "claimed":
                if state[CLAIMED] is None or key < state[CLAIMED]:
                    state[CLAIMED] = key
                if state[CLAIM_LAST] is None or key >= state[CLAIM_LAST]:
                    state[CLAIM_LAST], state[CLAIMED_BY] = key, staff
                if state[MOVED] is None or key >= state[MOVED]:
                    state[MOVED], state[STATUS] = key, Status.CLAIMED
            elif event == "released":
                state[RELEASED] += 1
                if state[MOVED] is None or key >= state[MOVED]:
                    state[MOVED], state[STATUS] = key, Status.OPEN
            elif event == "resolved":
                if state[RESOLVED] is None or key < state[RESOLVED]:
                    state[RESOLVED], state[RESOLVED_BY], state[RESOLVE_OUTCOME] = key, staff, outcome
            elif event == "cancelled" and (state[CANCELLED] is None or key < state[CANCELLED]):
                state[CANCELLED], state[CANCEL_OUTCOME] = key, outcome


def _seen_in_set(state: list[Any], seq: int) -> bool:
    """The rare request with a seq too large for bits: its seqs become a set. Adds `seq`; whether it was there."""
    seqs = state[SEQS]
    if type(seqs) is int:
        seqs = state[SEQS] = {n for n in range(1, seqs.bit_length()) if seqs >> n & 1}
    seen = seq in seqs
    seqs.add(seq)
    return seen


def _canonical(record: Mapping[str, Any]) -> dict[str, Any]:
    entry = entry_from_dict(record)
    return {"request_id": entry.request_id, "ticket": entry.ticket, "kind": entry.kind.value, "kiosk": entry.kiosk,
            "event": entry.event, "at": to_iso_utc(entry.at), "staff": entry.staff, "outcome": entry.outcome,
            "details": entry.details, "seq": entry.seq}  # fmt: skip


def cancelled_key(state: list[Any]) -> int | None:
    """The cancel that counts: the first one, if it came before any resolve."""
    cancelled, resolved = state[CANCELLED], state[RESOLVED]
    return cancelled if cancelled is not None and (resolved is None or cancelled < resolved) else None


def missing_steps(state: list[Any]) -> int:
    seqs = state[SEQS]
    if type(seqs) is int:
        return seqs.bit_length() - 1 - seqs.bit_count() if seqs else 0
    return max(seqs) - len(seqs)


def details_of(state: list[Any]) -> dict[str, str]:
    """What the shopper asked: the steps' details merged in their order (the escalation level aside)."""
    found = state[DETAILS]
    if found is None:
        return {}
    if len(found) == 1:
        return dict(found[0][1])
    merged: dict[str, str] = {}
    for _, details in sorted(found, key=lambda pair: pair[0]):
        merged.update(details)
    return merged


def first_seen(state: list[Any]) -> int | None:
    """When a request without its `created` step showed up: its claim, else its cancel, else its resolve."""
    return at_of(state[CLAIMED] if state[CLAIMED] is not None else cancelled_key(state) or state[RESOLVED])


def ordered(states: Mapping[str, list[Any]]) -> list[tuple[str, list[Any]]]:
    """(request id, state) by creation (or first step) time, then id, as core/request_rows orders rows."""
    return sorted(
        states.items(), key=lambda item: (at_of(item[1][CREATED] if item[1][CREATED] is not None else item[1][FIRST]),
                                          item[0]),
    )  # fmt: skip


def row_of(request_id: str, state: list[Any]) -> RequestRow:
    """The RequestRow core/request_rows.fold_steps makes of the same steps."""
    created, claimed, resolved, cancelled = (
        at_of(state[CREATED]), at_of(state[CLAIMED]), at_of(state[RESOLVED]), at_of(cancelled_key(state)),
    )  # fmt: skip
    if resolved is not None:
        status, outcome = Status.RESOLVED, state[RESOLVE_OUTCOME]
    elif cancelled is not None:
        status, outcome = Status.CANCELLED, state[CANCEL_OUTCOME]
    else:
        status, outcome = state[STATUS], None
    details = details_of(state)
    return RequestRow(
        request_id=request_id,
        ticket=state[TICKET],
        kind=state[KIND],
        kiosk=state[KIOSK],
        details=details,
        created_at=utc_datetime(created),
        claimed_by=state[CLAIMED_BY],
        claimed_at=utc_datetime(claimed),
        released=state[RELEASED],
        resolved_at=utc_datetime(resolved),
        resolved_by=state[RESOLVED_BY] if resolved is not None else None,
        cancelled_at=utc_datetime(cancelled),
        outcome=outcome,
        seconds_to_claim=None if created is None or claimed is None else (claimed - created) / 1_000_000,
        seconds_to_resolve=None if created is None or resolved is None else (resolved - created) / 1_000_000,
        status=status,
        escalation=state[ESCALATION],
        service_desk=state[ESCALATION] >= SERVICE_DESK_LEVEL,
        language=details.get("language", ""),
        abandoned=cancelled is not None and claimed is None,
        missing_steps=missing_steps(state),
    )


def rows_of(states: Mapping[str, list[Any]]) -> Iterator[RequestRow]:
    for request_id, state in ordered(states):
        yield row_of(request_id, state)


def language_of(state: list[Any]) -> str:
    """The shopper's language on the kiosk ("" in records from before it was kept)."""
    found = state[DETAILS]
    if found is None:
        return ""
    if len(found) == 1:
        return found[0][1].get("language", "")
    return details_of(state).get("language", "")
