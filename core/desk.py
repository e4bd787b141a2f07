"""The kiosk's service desk: owner of every request the kiosk takes.

Pure: no I/O, no clock. Facts go in (`handle(event, now)`), effects come out.

Rules
-----
1. The kiosk that takes a request owns it: only it decides the request's state
   and republishes it (retained) after every change. Staff pagers only ask.
2. A request moves as core/lifecycle.py's table and rules say. Anything else
   that comes from the network (late, duplicated or plain wrong) becomes
   `Ignored` with the reason; anything illegal from our own screen raises
   `LocalError`.
3. A claim that lost is answered by publishing the current state again, so
   the claimer learns who won even if it missed the state that said so
   (others drop the copy: same seq).
4. Each staff action carries an `action_id`; one that was already applied is
   a duplicate (MQTT QoS 1 delivers at least once) and is ignored, so a late
   copy of an old claim can never re-claim a released request.
5. Ticket numbers run per type per store-local day (`F-001`, `R-001`,
   `H-001`, in the kiosk's own format: core/numbering.py) and continue where
   the stored log left off after a restart. A number still held by an open
   request (one left open at closing, past midnight) is skipped: no two open
   requests of a kiosk ever share a number.
6. Place in line counts the open, unclaimed requests of the same type taken
   before this one, plus one (core/waiting.py).
7. Deadlines are data: `get_timer()` says when the next unclaimed request
   escalates, `handle_timer(now)` escalates what is due (core/escalation.py).
   Escalating changes a request's level, never its status.
8. A request's phone token (core/model.py `Request.token`) comes with the
   shopper's request, is kept in the created step of the log (so a restart
   keeps it) and is the only way to cancel from a phone: a cancel from the
   network without the right token is ignored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, tzinfo

from core.contact import ContactError, check_contact
from core.escalation import DEFAULT_LIMITS, Limits, due_level, next_deadline
from core.events import (
    Alert,
    CancelRequested,
    Effect,
    Event,
    FeedbackGiven,
    HelpRequested,
    Ignored,
    PrintTicket,
    Publish,
    StaffActed,
    StatusChanged,
    Store,
    UnhappyShopper,
)
from core.lifecycle import STAFF_ACTIONS, TRANSITIONS, Action, Refusal, moved, refusal
from core.model import (
    FACES,
    NAME_MAX,
    TEXT_MAX,
    Feedback,
    Kind,
    LocalError,
    LogEntry,
    Request,
    Status,
    Ticket,
    valid_id,
)
from core.numbering import DEFAULT_FORMAT, number_of, ticket_number
from core.text import clean_text
from core.waiting import RECENT, estimated_wait, place_in_line

# What the log calls each move, back to the move (restoring after a restart).
LOGGED = {action.logged_as: action for action in Action}


class Desk:
    """Every request one kiosk owns, and the day's ticket counters."""

    def __init__(
        self,
        kiosk_id: str,
        tz: tzinfo,
        limits: dict[Kind, Limits] | None = None,
        *,
        ticket_format: str = DEFAULT_FORMAT,
        entrance: str = "",
    ) -> None:
        self.kiosk_id = kiosk_id
        self.tz = tz
        self.ticket_format = ticket_format
        self.entrance = entrance
        self.limits = {**DEFAULT_LIMITS, **(limits or {})}
        self._requests: dict[str, Request] = {}
        self._issued: dict[tuple[date, Kind], int] = {}
        self._applied_actions: dict[str, set[str]] = {}
        self._claim_seconds: dict[Kind, list[float]] = {}  # created → claimed, for wait estimates

    # -- restoring after a restart ------------------------------------------

    @classmethod
    def restore(
        cls,
        kiosk_id: str,
        tz: tzinfo,
        entries: Iterable[LogEntry],
        limits: dict[Kind, Limits] | None = None,
        *,
        ticket_format: str = DEFAULT_FORMAT,
        entrance: str = "",
    ) -> Desk:
        """Rebuild counters and request states from this kiosk's stored log."""
        desk = cls(kiosk_id, tz, limits, ticket_format=ticket_format, entrance=entrance)
        for entry in sorted(entries, key=lambda e: e.at):
            if entry.kiosk != kiosk_id:
                continue
            desk._replay(entry)
        return desk

    def _replay(self, entry: LogEntry) -> None:
        if entry.event == "created":
            day = entry.at.astimezone(self.tz).date()
            key = (day, entry.kind)
            # A ticket that does not end in its number (a custom format) counts one on.
            n = number_of(entry.ticket) or self._issued.get(key, 0) + 1
            self._issued[key] = max(self._issued.get(key, 0), n)
            self._requests[entry.request_id] = Request(
                id=entry.request_id,
                kind=entry.kind,
                ticket=entry.ticket,
                kiosk=entry.kiosk,
                created_at=entry.at,
                details=dict(entry.details),
                entrance=self.entrance,
                changed_at=entry.at,
                token=entry.token,
            )
            return
        request = self._requests.get(entry.request_id)
        if request is not None and entry.event == "escalated" and entry.details.get("level", "").isdigit():
            level = int(entry.details["level"])
            self._requests[request.id] = replace(
                request, escalation=level, seq=request.seq + 1, changed_at=entry.at, changed_by=None
            )
            return
        action = LOGGED.get(entry.event)
        if request is None or action is None:
            return
        if action is Action.HANDOVER:  # the entry names who holds it now, and who handed it over
            if request.status is Status.CLAIMED and entry.staff:  # anything else: a log damaged by hand
                before = entry.details.get("from") or request.claimed_by
                self._requests[request.id] = moved(request, action, before, entry.at, None, to=entry.staff)
        elif (request.status, action) in TRANSITIONS:
            self._requests[request.id] = moved(request, action, entry.staff, entry.at, entry.outcome)
            if action is Action.CLAIM:
                self._note_claim(self._requests[request.id])

    def _note_claim(self, request: Request) -> None:
        if request.claimed_at is not None:
            seconds = (request.claimed_at - request.created_at).total_seconds()
            recent = self._claim_seconds.setdefault(request.kind, [])
            recent.append(seconds)
            del recent[:-RECENT]

    # -- queries --------------------------------------------------------------

    def request(self, request_id: str) -> Request | None:
        return self._requests.get(request_id)

    def requests(self) -> list[Request]:
        return sorted(self._requests.values(), key=lambda r: r.created_at)

    def open_requests(self) -> list[Request]:
        return [r for r in self.requests() if not r.status.is_final]

    def place_in_line(self, request_id: str) -> int:
        """1 for the next to be served; 0 once someone holds it or it ended."""
        return place_in_line(self._requests[request_id], self._requests.values())

    def estimated_wait(self, request_id: str, now: datetime) -> int:
        """Seconds this shopper will probably still wait (core/waiting.py)."""
        me = self._requests[request_id]
        waited = (now - me.created_at).total_seconds()
        return estimated_wait(self.place_in_line(request_id), waited, self._claim_seconds.get(me.kind, []))

    # -- deadlines ------------------------------------------------------------

    def get_timer(self) -> datetime | None:
        """When `handle_timer` should next be called, or None if nothing waits."""
        deadlines = [next_deadline(r, self.limits[r.kind]) for r in self.open_requests()]
        return min((d for d in deadlines if d is not None), default=None)

    def handle_timer(self, now: datetime) -> list[Effect]:
        """Escalate every unclaimed request whose wait passed a limit."""
        effects: list[Effect] = []
        for request in self.open_requests():
            level = due_level(request, now, self.limits[request.kind])
            if level <= request.escalation:
                continue
            moved = replace(request, escalation=level, seq=request.seq + 1, changed_at=now, changed_by=None)
            self._requests[moved.id] = moved
            entry = replace(self._entry(moved, "escalated", now), details={"level": str(level)})
            effects += [Store(entry), Publish(moved), Alert(moved, level), StatusChanged(moved)]
        return effects

    # -- the one entry point ------------------------------------------------

    def handle(self, event: Event, now: datetime) -> list[Effect]:
        if now.tzinfo is None:
            raise LocalError("now must be timezone-aware")
        if isinstance(event, HelpRequested):
            return self._help_requested(event, now)
        if isinstance(event, CancelRequested):
            return self._cancel(event, now)
        if isinstance(event, StaffActed):
            return self._staff_acted(event, now)
        if isinstance(event, FeedbackGiven):
            return self._feedback(event, now)
        raise LocalError(f"unknown event {event!r}")

    def _help_requested(self, event: HelpRequested, now: datetime) -> list[Effect]:
        if not valid_id(event.request_id):
            raise LocalError(f"bad request id {event.request_id!r}")
        if event.request_id in self._requests:
            raise LocalError(f"request {event.request_id} already taken")
        if not isinstance(event.kind, Kind):
            raise LocalError(f"unknown request type {event.kind!r}")
        if event.token and not (valid_id(event.token) and len(event.token) >= 22):
            raise LocalError("a phone token is at least 22 URL-safe characters (128 random bits)")
        details = {str(k)[:40]: clean_text(str(v), TEXT_MAX) for k, v in event.details.items() if v}
        key = (now.astimezone(self.tz).date(), event.kind)
        held = {r.ticket for r in self.open_requests()}
        self._issued[key] = self._issued.get(key, 0) + 1
        while ticket_number(event.kind, self._issued[key], self.ticket_format) in held:
            self._issued[key] += 1
        request = Request(
            id=event.request_id,
            kind=event.kind,
            ticket=ticket_number(event.kind, self._issued[key], self.ticket_format),
            kiosk=self.kiosk_id,
            created_at=now,
            details=details,
            entrance=self.entrance,
            changed_at=now,
            token=event.token,
        )
        self._requests[request.id] = request
        ticket = Ticket(
            request_id=request.id,
            number=request.ticket,
            kind=request.kind,
            place_in_line=self.place_in_line(request.id),
            issued_at=now,
            details=details,
            wait_seconds=self.estimated_wait(request.id, now),
        )
        return [
            Store(replace(self._entry(request, "created", now), token=request.token)),
            Publish(request),
            PrintTicket(ticket),
            StatusChanged(request),
        ]

    def _cancel(self, event: CancelRequested, now: datetime) -> list[Effect]:
        request = self._requests.get(event.request_id)
        if event.token is not None and (request is None or not request.token or event.token != request.token):
            return [Ignored(f"cancel of {event.request_id} from a phone without its token", event)]
        if request is None:
            raise LocalError(f"no request {event.request_id}")
        if refusal(request, Action.CANCEL, None) is not None:
            # The shopper pressed cancel just as staff resolved it: not a bug.
            return [Ignored(f"{request.ticket} is already {request.status.value}", event)]
        return self._apply(request, Action.CANCEL, None, now, None)

    def _staff_acted(self, event: StaffActed, now: datetime) -> list[Effect]:
        request = self._requests.get(event.request_id)
        if request is None:
            return [Ignored(f"unknown request {event.request_id}", event)]
        if event.action not in STAFF_ACTIONS:
            return [Ignored(f"unknown action {event.action!r}", event)]
        staff = clean_text(event.staff, NAME_MAX)
        if not staff:
            return [Ignored("no staff name", event)]
        applied = self._applied_actions.setdefault(request.id, set())
        if event.action_id in applied:
            return [Ignored(f"duplicate action {event.action_id}", event)]
        action = Action(event.action)
        to = clean_text(event.to, NAME_MAX) if event.to else None
        refused = refusal(request, action, staff, to)
        if refused is Refusal.TAKEN:
            # Rule 3: tell the loser again who won.
            return [Ignored(f"{request.ticket} already claimed by {request.claimed_by}", event), Publish(request)]
        if refused is Refusal.NOT_HOLDER:
            return [Ignored(f"{request.ticket} is held by {request.claimed_by}, not {staff}", event)]
        if refused is Refusal.NO_COLLEAGUE:
            return [Ignored(f"cannot hand {request.ticket} over to {to!r}", event)]
        if refused is not None:
            return [Ignored(f"cannot {action.value} {request.ticket}: {request.status.value}", event)]
        applied.add(event.action_id)
        outcome = clean_text(event.outcome, TEXT_MAX) if event.outcome else None
        return self._apply(request, action, staff, now, outcome, to)

    def _apply(
        self,
        request: Request,
        action: Action,
        staff: str | None,
        now: datetime,
        outcome: str | None,
        to: str | None = None,
    ) -> list[Effect]:
        after = moved(request, action, staff, now, outcome, to)
        self._requests[after.id] = after
        if action is Action.CLAIM:
            self._note_claim(after)
        entry = self._entry(after, action.logged_as, now, staff, outcome)
        if action is Action.HANDOVER:  # the log names who holds it now, and who handed it over
            entry = replace(entry, staff=to, details={"from": staff or ""})
        effects: list[Effect] = [
            Store(entry),
            Publish(after),
            StatusChanged(after),
        ]
        # A change of who is waiting moves everyone behind in that line.
        for other in self.open_requests():
            behind = other.status is Status.OPEN and other.created_at > after.created_at
            if other.kind is after.kind and other.id != after.id and behind:
                effects.append(StatusChanged(other))
        return effects

    def _entry(
        self,
        request: Request,
        event: str,
        now: datetime,
        staff: str | None = None,
        outcome: str | None = None,
    ) -> LogEntry:
        return LogEntry(
            request_id=request.id,
            ticket=request.ticket,
            kind=request.kind,
            kiosk=request.kiosk,
            event=event,
            at=now,
            staff=staff,
            outcome=outcome,
            details=dict(request.details) if event == "created" else {},
            seq=request.seq,
        )

    def _feedback(self, event: FeedbackGiven, now: datetime) -> list[Effect]:
        if not valid_id(event.feedback_id):
            raise LocalError(f"bad feedback id {event.feedback_id!r}")
        if event.rating not in FACES:
            raise LocalError(f"rating must be one of {sorted(FACES)}, got {event.rating!r}")
        if event.request_id and not valid_id(event.request_id):
            raise LocalError(f"bad request id {event.request_id!r} for feedback: check it on screen first")
        feedback = Feedback(
            id=event.feedback_id,
            kiosk=self.kiosk_id,
            rating=event.rating,
            given_at=now,
            reasons=tuple(clean_text(r, NAME_MAX) for r in event.reasons if r.strip()),
            comment=clean_text(event.comment, TEXT_MAX),
            contact=self._contact(event.contact),
            request_id=event.request_id,
        )
        effects: list[Effect] = [Store(feedback), Publish(feedback)]
        if feedback.unhappy and feedback.contact:
            effects.append(UnhappyShopper(feedback))
        return effects

    @staticmethod
    def _contact(text: str) -> str:
        try:
            return check_contact(text)
        except ContactError as exc:
            raise LocalError(f"contact details must be checked on screen first: {exc}") from None
