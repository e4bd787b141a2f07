"""A request's lifecycle: who may move it where, and what each move changes.

Pure: standard library only, no I/O, no clock (`now` is passed in).

Rules
-----
1. A request moves only along `TRANSITIONS` below; each row says what the
   move writes into the request. Anything else is refused with a `Refusal`.
2. The first claim wins: a claim for a request someone holds is `TAKEN`.
3. Only the staff member holding a request may release or resolve it
   (`NOT_HOLDER`). An open request nobody holds may be resolved directly by
   any staff member (a colleague dealt with it).
4. The shopper may cancel a request until it has ended: on the kiosk's
   screen, or on their phone's ticket page with the request's token (the
   desk checks the token; core/phone.py).
7. A holder may hand a request over to a named colleague (`HANDOVER`): the
   colleague holds it from then on, the claim time stays the first claim's
   (the shopper's wait ended then). Handing over to nobody or to oneself is
   `NO_COLLEAGUE`.
5. Whoever acts on a request answers its escalation: every move sets it back
   to 0 (a release starts the waiting over).
6. What a pager offers as buttons (`offered`): *Claim* on an open request,
   *Resolve*, *Hand over* and *Release* on one its holder has. Resolving an open request
   is allowed (rule 3) but not offered: claiming first tells the shopper who
   is coming. The console pager can still send it.

The desk (core/desk.py) applies these rules to the requests it owns; pagers
ask the same functions before they send, so every front agrees with the desk.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum, StrEnum

from core.model import Request, Status


class Action(StrEnum):
    CLAIM = "claim"
    RELEASE = "release"
    RESOLVE = "resolve"
    CANCEL = "cancel"  # the shopper's, on the kiosk's screen or their phone (with the token)
    HANDOVER = "hand_over"  # to a named colleague (rule 7)

    @property
    def logged_as(self) -> str:
        """The word the request log keeps for this move."""
        return {
            "claim": "claimed",
            "release": "released",
            "resolve": "resolved",
            "cancel": "cancelled",
            "hand_over": "handed_over",
        }[self.value]


# What staff may send over MQTT (docs/mqtt-api.md); cancel is the shopper's.
STAFF_ACTIONS = (Action.CLAIM, Action.RELEASE, Action.RESOLVE, Action.HANDOVER)


class Role(StrEnum):
    """A staff member's role: which requests their pager shows (core/board.py)."""

    FLOOR = "floor"  # finding and help
    RETURNS = "returns"  # returns for a refund
    MANAGER = "manager"  # everything, escalations past the first, unhappy shoppers


class Fill(Enum):
    """What a move writes into a field, filled in when it happens."""

    STAFF = "the acting staff member"
    NOW = "the time of the move"
    OUTCOME = "what the staff member noted"
    COLLEAGUE = "the colleague it is handed to"
    NOTHING = "cleared"


@dataclass(frozen=True)
class Move:
    target: Status
    sets: Mapping[str, Fill]


TRANSITIONS: dict[tuple[Status, Action], Move] = {
    (Status.OPEN, Action.CLAIM): Move(Status.CLAIMED, {"claimed_by": Fill.STAFF, "claimed_at": Fill.NOW}),
    (Status.OPEN, Action.RESOLVE): Move(
        Status.RESOLVED,
        {"claimed_by": Fill.STAFF, "claimed_at": Fill.NOW, "resolved_at": Fill.NOW, "outcome": Fill.OUTCOME},
    ),
    (Status.OPEN, Action.CANCEL): Move(Status.CANCELLED, {"resolved_at": Fill.NOW}),
    (Status.CLAIMED, Action.RELEASE): Move(Status.OPEN, {"claimed_by": Fill.NOTHING, "claimed_at": Fill.NOTHING}),
    (Status.CLAIMED, Action.RESOLVE): Move(Status.RESOLVED, {"resolved_at": Fill.NOW, "outcome": Fill.OUTCOME}),
    (Status.CLAIMED, Action.CANCEL): Move(Status.CANCELLED, {"resolved_at": Fill.NOW}),
    (Status.CLAIMED, Action.HANDOVER): Move(Status.CLAIMED, {"claimed_by": Fill.COLLEAGUE}),
}

# Moves only the holder of a claimed request may make (rules 3 and 7).
HOLDER_ONLY = (Action.RELEASE, Action.RESOLVE, Action.HANDOVER)


class Refusal(Enum):
    TAKEN = "someone holds it already"  # rule 2
    NOT_HOLDER = "someone else holds it"  # rule 3
    NOT_NOW = "not from its current status"  # rule 1 (e.g. releasing an open request, anything once ended)
    NO_COLLEAGUE = "hand over to a named colleague, not to yourself"  # rule 7


def refusal(request: Request, action: Action, staff: str | None, to: str | None = None) -> Refusal | None:
    """Why `staff` may not do `action` to `request` now (`to`: the colleague of a
    hand over), or None if they may."""
    if (request.status, action) not in TRANSITIONS:
        return Refusal.TAKEN if action is Action.CLAIM and request.status is Status.CLAIMED else Refusal.NOT_NOW
    if request.status is Status.CLAIMED and action in HOLDER_ONLY and request.claimed_by != staff:
        return Refusal.NOT_HOLDER
    if action is Action.HANDOVER and (not to or not to.strip() or to.strip().casefold() == (staff or "").casefold()):
        return Refusal.NO_COLLEAGUE
    return None


def offered(request: Request, staff: str) -> tuple[Action, ...]:
    """The buttons a pager shows `staff` for `request` (rule 6)."""
    if request.status is Status.OPEN:
        return (Action.CLAIM,)
    return tuple(
        a for a in (Action.RESOLVE, Action.HANDOVER, Action.RELEASE) if refusal(request, a, staff, "?") is None
    )


def handed_over_by(request: Request) -> str | None:
    """Who handed the request over, when its last change was a hand over
    (rule 7): it is held, and the one who changed it is not its holder. The
    record (core/records.py) and the pagers' notices (core/board.py) ask this."""
    if request.status is not Status.CLAIMED or not request.changed_by or request.changed_by == request.claimed_by:
        return None
    return request.changed_by


def moved(
    request: Request,
    action: Action,
    staff: str | None,
    now: datetime,
    outcome: str | None,
    to: str | None = None,
) -> Request:
    """The request after a move `refusal` allowed, with the table's field changes (rule 5: escalation 0)."""
    move = TRANSITIONS[(request.status, action)]
    values = {Fill.STAFF: staff, Fill.NOW: now, Fill.OUTCOME: outcome, Fill.NOTHING: None, Fill.COLLEAGUE: to}
    fields = {name: values[fill] for name, fill in move.sets.items()}
    return replace(
        request,
        status=move.target,
        seq=request.seq + 1,
        escalation=0,
        changed_at=now,
        changed_by=staff,
        **fields,  # type: ignore[arg-type]
    )
