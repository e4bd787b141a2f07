"""What goes into the desk (facts, in the past tense) and what comes out (effects).

Pure: no I/O. Frozen dataclasses, so they can cross threads and be compared in tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.lifecycle import Action
from core.model import Feedback, Kind, LogEntry, Request, Ticket

# -- facts (inputs) -----------------------------------------------------------


@dataclass(frozen=True)
class HelpRequested:
    """The shopper asked for help on this kiosk's screen."""

    request_id: str
    kind: Kind
    details: dict[str, str] = field(default_factory=dict, hash=False)
    token: str = field(default="", repr=False)  # the phone page's token (core/model.py Request.token); "": none


@dataclass(frozen=True)
class CancelRequested:
    """The shopper withdrew a request: on this kiosk's screen (`token` None),
    or on their phone's ticket page, through the web service, with the
    request's token (checked by the desk: a wrong one is ignored)."""

    request_id: str
    token: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class StaffActed:
    """A staff pager asked to claim, release, resolve or hand over a request."""

    request_id: str
    action: Action  # claim | release | resolve | hand_over (core/lifecycle.py STAFF_ACTIONS)
    staff: str
    action_id: str
    outcome: str | None = None
    to: str | None = None  # hand_over: the colleague who takes it


@dataclass(frozen=True)
class FeedbackGiven:
    feedback_id: str
    rating: int
    reasons: tuple[str, ...] = ()
    comment: str = ""
    contact: str = ""  # given only with the shopper's consent to be contacted
    request_id: str = ""  # the ticket the shopper showed (scanned QR or tapped number), if any


Event = HelpRequested | CancelRequested | StaffActed | FeedbackGiven

# -- effects (outputs) --------------------------------------------------------


@dataclass(frozen=True)
class Publish:
    """Send this request state (retained) or feedback to the broker."""

    message: Request | Feedback


@dataclass(frozen=True)
class PrintTicket:
    ticket: Ticket


@dataclass(frozen=True)
class Store:
    record: LogEntry | Feedback


@dataclass(frozen=True)
class StatusChanged:
    """Tell the kiosk's screen where the shopper's request now stands."""

    request: Request


@dataclass(frozen=True)
class Ignored:
    """A network message that changed nothing, and why (for the log)."""

    reason: str
    event: Event


@dataclass(frozen=True)
class Alert:
    """Tell staff (and anyone following the store) that a request needs attention.

    level 1: unclaimed past the first limit, everyone again; 2: past the second,
    managers; 3: past the last, the shopper is sent to the service desk.
    """

    request: Request
    level: int


@dataclass(frozen=True)
class UnhappyShopper:
    """An unhappy shopper agreed to be contacted: tell the managers now,
    while the shopper may still be in the store."""

    feedback: Feedback


Effect = Publish | PrintTicket | Store | StatusChanged | Ignored | Alert | UnhappyShopper
