"""What the store talks about: requests, tickets, log entries, feedback.

Pure: standard library only, no I/O, no clock. Every value is a frozen
dataclass so it can be handed between threads and compared in tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Kind(StrEnum):
    """The three things a shopper can ask for at the kiosk."""

    FIND = "find"  # find an item
    RETURN = "return"  # return an item for a refund
    HELP = "help"  # a question, a complaint, anything else

    @property
    def prefix(self) -> str:
        return {"find": "F", "return": "R", "help": "H"}[self.value]


class Status(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in (Status.RESOLVED, Status.CANCELLED)


# Ids travel inside MQTT topics; keeping them to this alphabet means no id can
# ever add a level (`/`) or a wildcard (`+`, `#`) to a topic.
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

# Staff names and outcomes are shown on screens and printed; keep them short.
NAME_MAX = 40
TEXT_MAX = 500


class LocalError(Exception):
    """Our own code asked for something illegal: a bug, never network input."""


def valid_id(value: object) -> bool:
    return isinstance(value, str) and bool(ID_PATTERN.match(value))


@dataclass(frozen=True)
class Request:
    """A request's current state, as the kiosk that owns it decided it.

    `seq` grows by one on every change so that a receiver can tell a late,
    older copy from the newest one.
    """

    id: str
    kind: Kind
    ticket: str
    kiosk: str
    created_at: datetime
    status: Status = Status.OPEN
    seq: int = 1
    details: dict[str, str] = field(default_factory=dict, hash=False)
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    resolved_at: datetime | None = None
    outcome: str | None = None
    escalation: int = 0  # 0 none … 3 sent to the service desk (core/escalation.py)
    entrance: str = ""  # where the owning kiosk stands, as staff call it (kiosk.entrance)
    changed_at: datetime | None = None  # when the change that made this `seq` happened
    changed_by: str | None = None  # the staff member who made it (None: the shopper, the kiosk's timer)
    # The shopper's phone page: 128 random bits (22 URL-safe characters) the
    # kiosk made for this request, printed in the ticket's QR. It is never in
    # the request's state (every pager reads those): only on its own topic,
    # which the web service alone reads (core/topics.py token_topic).
    token: str = field(default="", repr=False)


@dataclass(frozen=True)
class Ticket:
    """What the printer and the ticket screen show the shopper."""

    request_id: str
    number: str
    kind: Kind
    place_in_line: int
    issued_at: datetime
    details: dict[str, str] = field(default_factory=dict, hash=False)
    wait_seconds: int = 0  # the probable wait when it was issued (core/waiting.py)

    @property
    def language(self) -> str:
        """The language the shopper chose on the kiosk (a LANGUAGES code), English by default."""
        return self.details.get("language", "en")


@dataclass(frozen=True)
class LogEntry:
    """One lifecycle step of one request, as stored for managers."""

    request_id: str
    ticket: str
    kind: Kind
    kiosk: str
    event: str  # created | claimed | released | resolved | cancelled | escalated
    at: datetime
    staff: str | None = None
    outcome: str | None = None
    details: dict[str, str] = field(default_factory=dict, hash=False)
    seq: int = 0  # the request state's `seq` this step made (1: created); 0 in records from before
    token: str = field(default="", repr=False)  # a created step's phone token, for the kiosk's restart only


FACES = {1: "very unhappy", 2: "unhappy", 3: "happy", 4: "very happy"}


def unhappy(rating: int) -> bool:
    """Faces 1 and 2: asked what could be better; with contact details, the managers are told."""
    return rating <= 2


@dataclass(frozen=True)
class Feedback:
    """One shopper's exit feedback: a face (1 very unhappy … 4 very happy)."""

    id: str
    kiosk: str
    rating: int
    given_at: datetime
    reasons: tuple[str, ...] = ()
    comment: str = ""
    contact: str = ""  # only when the shopper agreed to be contacted
    request_id: str = ""  # the request this visit's help was, when the shopper showed its ticket

    @property
    def unhappy(self) -> bool:
        return unhappy(self.rating)


@dataclass(frozen=True)
class Search:
    """What a shopper looked for on the Find screen: the words only, no person.

    `results`: how many items the finder showed; `out_of_stock`: those shown
    with no stock, each as "<sku> <English name>"; `taken`: the item the
    shopper asked staff to take them to ("<sku> <English name>"), if any.
    """

    id: str
    kiosk: str
    at: datetime
    term: str
    results: int
    out_of_stock: tuple[str, ...] = ()
    taken: str = ""


# The ticket printers a kiosk can drive: paper widths in mm, and the printer's
# own Chinese character sets ("": none, Chinese is printed as pictures). The
# config checks against these; printer/ lays out for them.
PAPER_WIDTHS = (58, 80)
DOUBLE_BYTE = ("", "gb18030", "big5")


class PrinterState(StrEnum):
    """What the ticket printer last said about itself (its real-time status, DLE EOT)."""

    OK = "ok"
    PAPER_LOW = "paper_low"  # near end: still prints, change the roll soon
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"  # answers, but will not print (error, feed button held, …)
    NOT_ANSWERING = "not_answering"  # no answer on the port, or the port is gone
    FAILED = "failed"  # the last ticket could not be sent (write timeout, port error)

    @property
    def prints(self) -> bool:
        """Whether a ticket may be sent now."""
        return self in (PrinterState.OK, PrinterState.PAPER_LOW)
