"""What the store shows on phones and at the door: the shopper's ticket page and the entrance board.

Pure: no I/O, no clock (`now` is passed in). The web service (store_server/)
keeps every request state it hears and asks these functions what each page
shows; the pages only draw it.

Rules
-----
1. A ticket page is reached only through its request's token (128 random
   bits, core/model.py `Request.token`). The token opens the page while the
   request is open and for `TOKEN_GRACE` after it ended (to see how it
   ended and rate the help); after that, or for any token nobody issued,
   the answer is the same plain "not found".
2. The page shows what the kiosk's ticket screen shows: number, place in
   line and expected wait (core/waiting.py, the same rules), who is coming
   (their first name), escalations, the service desk. Never the shopper's
   note, item or receipt, nor anything else they typed.
3. The shopper may cancel while the request is open or claimed; once it is
   resolved (not cancelled) and within the grace, rate the help with the
   four faces, once.
4. The entrance board shows the numbers being helped now, how many wait,
   and how soon help usually comes: the median time to claim of today's
   (store-local) claimed requests, in whole minutes rounded up; none
   before the day's first claim. No names.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from statistics import median

from core.escalation import SERVICE_DESK
from core.model import Kind, Request, Status
from core.waiting import estimated_wait, place_in_line

TOKEN_GRACE = timedelta(minutes=30)  # rule 1

# Where a request stands, as the ticket page says it (rule 2).
WAITING, ON_THE_WAY, STILL_LOOKING, SERVICE_DESK_NOW, DONE, CANCELLED = (
    "waiting", "on_the_way", "still_looking", "service_desk", "done", "cancelled",
)  # fmt: skip


def ended_at(request: Request) -> datetime | None:
    if not request.status.is_final:
        return None
    return request.resolved_at or request.changed_at or request.created_at


def token_opens(request: Request, now: datetime, grace: timedelta = TOKEN_GRACE) -> bool:
    """Whether the request's token still opens its page (rule 1); `grace`: the store's, if it set one."""
    if not request.token:
        return False
    end = ended_at(request)
    return end is None or now < end + grace


def first_name(staff: str | None) -> str:
    return (staff or "").split(" ")[0]


@dataclass(frozen=True)
class ShopperView:
    """One ticket page, as it stands now (rule 2): nothing the shopper typed."""

    ticket: str
    kind: Kind
    stands: str  # WAITING | ON_THE_WAY | STILL_LOOKING | SERVICE_DESK_NOW | DONE | CANCELLED
    place_in_line: int  # 0 once someone comes or it ended
    wait_seconds: int  # the probable wait still ahead, 0 when not waiting
    helper: str  # the first name of who is coming or came; "" if nobody
    language: str  # the shopper's language on the kiosk
    can_cancel: bool
    can_rate: bool
    seq: int  # the state's seq: a page drops older copies


def stands(request: Request) -> str:
    if request.status is Status.CLAIMED:
        return ON_THE_WAY
    if request.status is Status.RESOLVED:
        return DONE
    if request.status is Status.CANCELLED:
        return CANCELLED
    if request.escalation >= SERVICE_DESK:
        return SERVICE_DESK_NOW
    return STILL_LOOKING if request.escalation else WAITING


def shopper_view(
    request: Request,
    requests: Iterable[Request],
    recent_claims: Sequence[float],
    now: datetime,
    rated: bool = False,
    grace: timedelta = TOKEN_GRACE,
) -> ShopperView:
    """`requests`: every request known (for the place in line); `recent_claims`:
    seconds to claim of recent requests of this type (core/waiting.py)."""
    place = place_in_line(request, requests)
    where = stands(request)
    waited = max(0.0, (now - request.created_at).total_seconds())
    return ShopperView(
        ticket=request.ticket,
        kind=request.kind,
        stands=where,
        place_in_line=place,
        wait_seconds=estimated_wait(place, waited, recent_claims) if where == WAITING else 0,
        helper=first_name(request.claimed_by),
        language=request.details.get("language", "en"),
        can_cancel=not request.status.is_final,
        can_rate=request.status is Status.RESOLVED and not rated and token_opens(request, now, grace),
        seq=request.seq,
    )


@dataclass(frozen=True)
class BoardView:
    """The entrance board (rule 4)."""

    helped_now: tuple[str, ...]  # ticket numbers someone is on the way to, oldest first
    waiting: int
    usual_minutes: int | None  # None: nobody was claimed today yet


def board_view(requests: Iterable[Request], now: datetime, tz: tzinfo) -> BoardView:
    today = now.astimezone(tz).date()
    helped: list[Request] = []
    waiting = 0
    claims: list[float] = []
    for request in requests:
        if request.status is Status.CLAIMED:
            helped.append(request)
        elif request.status is Status.OPEN:
            waiting += 1
        if request.claimed_at is not None and request.created_at.astimezone(tz).date() == today:
            claims.append((request.claimed_at - request.created_at).total_seconds())
    helped.sort(key=lambda r: (r.created_at, r.ticket))
    usual = max(1, math.ceil(median(claims) / 60)) if claims else None
    return BoardView(tuple(r.ticket for r in helped), waiting, usual)
