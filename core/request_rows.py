"""The request log folded into one row per request, for exports, reports and live figures.

Pure: standard library only, no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from core.model import Kind, LogEntry, Status

# Lifecycle steps in the order they happen; the rank breaks ties between
# entries stamped with the same instant (created and claimed in one tick).
EVENTS = ("created", "claimed", "released", "resolved", "cancelled", "escalated", "handed_over")
EVENT_RANK = {event: rank for rank, event in enumerate(EVENTS)}

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
        entry.at, EVENT_RANK[entry.event], entry.event, entry.seq, entry.staff, entry.outcome,
        entry.details, entry.request_id, entry.ticket, entry.kind, entry.kiosk,
    )  # fmt: skip


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
        if event == "handed_over":  # a colleague holds it now; the claim time stays the first claim's
            claimed_by = staff
            continue  # `from` is who handed it over, not what the shopper asked
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

    def add(self, step: Step) -> None:
        steps = self._steps.get(step[7])
        if steps is None:
            self._steps[step[7]] = [step]
            return
        seq = step[3]
        # A request has a handful of steps: looking through them costs less
        # than a set of every (request id, seq) of a year.
        if any(seen[3] == seq for seen in steps) if seq else step in steps:
            return
        steps.append(step)

    def rows(self) -> list[RequestRow]:
        """One row per request, ordered by creation (or first step) time; empties the folder."""
        rows = []
        while self._steps:
            _, steps = self._steps.popitem()
            row = fold_steps(steps)
            rows.append((row.created_at or steps[0][0], row.request_id, row))
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
