"""A staff pager's view of the store: what is waiting, who holds what.

Pure: no I/O, no clock. The pager only ever *asks* (claim, release, resolve);
the kiosk that owns a request decides and republishes its state. The board
turns those states into notices for the person holding the pager, including
the one that matters most when two people tap at once: "taken by Anna".
"""

from __future__ import annotations

from dataclasses import dataclass

from core.escalation import EVERYONE
from core.events import StaffActed
from core.lifecycle import STAFF_ACTIONS, Action, Role, handed_over_by
from core.model import NAME_MAX, Kind, LocalError, Request, Status
from core.text import clean_text


@dataclass(frozen=True)
class Notice:
    """Something the pager should tell its holder.

    kind: new (someone waits for help) | claimed (by me) | taken (my claim lost)
          | handed (handed over; `by` the giver) | changed | closed
          | escalated (waiting too long: louder; level 2 and 3 for managers only)
    """

    kind: str
    request: Request
    by: str | None = None


class Board:
    def __init__(self, staff: str, role: Role | str = Role.FLOOR) -> None:
        name = clean_text(staff, NAME_MAX)
        if not name:
            raise LocalError("a pager needs a staff name")
        self.staff = name
        self.role = Role(role)
        self._requests: dict[str, Request] = {}
        self._my_claims: set[str] = set()

    def concerns(self, request: Request) -> bool:
        """Whether this pager's holder should see the request.

        Returns go to the returns staff, finding and help to the floor staff;
        a request that waited past the first limit goes to everyone (and one
        somebody holds stays in view); managers see everything.
        """
        if self.role is Role.MANAGER or request.escalation >= EVERYONE or request.claimed_by == self.staff:
            return True
        return (request.kind is Kind.RETURN) == (self.role is Role.RETURNS)

    def open_requests(self) -> list[Request]:
        """What this pager shows, oldest first: every shopper is served in turn."""
        return sorted(
            (r for r in self._requests.values() if not r.status.is_final and self.concerns(r)),
            key=lambda r: (r.created_at, r.ticket),
        )

    def find(self, ticket_or_id: str) -> Request | None:
        """The request a ticket number or id names (the newest, if several do)."""
        found = self.matching(ticket_or_id)
        return found[-1] if found else None

    def matching(self, ticket_or_id: str) -> list[Request]:
        """The open requests a person means by a ticket number (`h-001` works),
        `kiosk-2/H-001` (two kiosks set up with one ticket format), or an id."""
        text = ticket_or_id.strip()
        kiosk, _, ticket = text.rpartition("/")
        wanted = ticket.upper()
        found = [
            r for r in self.open_requests() if (r.ticket == wanted or r.id.upper() == wanted) and kiosk in ("", r.kiosk)
        ]
        if not found and text in self._requests:
            found = [self._requests[text]]
        return found

    def ask(self, action: Action | str, request: Request, action_id: str, outcome: str | None = None) -> StaffActed:
        """The message to send to the request's owner for one of my actions."""
        if action not in STAFF_ACTIONS:
            raise LocalError(f"unknown action {action!r}")
        action = Action(action)
        if action is Action.CLAIM:
            self._my_claims.add(request.id)
        return StaffActed(request.id, action, self.staff, action_id, outcome)

    def apply_state(self, state: Request) -> list[Notice]:
        """A state arrived from the broker; older copies than ours are dropped."""
        known = self._requests.get(state.id)
        if known is not None and state.seq <= known.seq:
            return []
        self._requests[state.id] = state
        if state.status.is_final:
            self._my_claims.discard(state.id)
            seen = known is not None and self.concerns(known)
            return [Notice("closed", state, state.claimed_by)] if seen else []
        if state.id in self._my_claims and state.status is Status.CLAIMED:
            self._my_claims.discard(state.id)
            if state.claimed_by == self.staff:
                return [Notice("claimed", state, self.staff)]
            return [Notice("taken", state, state.claimed_by)]
        if not self.concerns(state):
            return []  # another team's request, still on time
        if known is None:
            # Someone already holds it (a pager that joined late): no one to call.
            if state.status is not Status.OPEN:
                return [Notice("changed", state, state.claimed_by)]
            return [Notice("new", state)]
        if state.status is Status.OPEN and state.escalation > known.escalation and self._alerted_at(state.escalation):
            return [Notice("escalated", state)]
        if (giver := handed_over_by(state)) is not None:
            return [Notice("handed", state, giver)]
        return [Notice("changed", state, state.claimed_by)]

    def _alerted_at(self, level: int) -> bool:
        """Level 1 calls everyone again; beyond it only the managers are called."""
        return level == EVERYONE or self.role is Role.MANAGER

    def forget(self, request_id: str) -> None:
        """The retained state was cleared on the broker."""
        self._requests.pop(request_id, None)
        self._my_claims.discard(request_id)
