"""How long a shopper will probably wait: from how fast staff claimed lately.

Pure: numbers in, seconds out. Showing an honest estimate matters: people
judge waits fairly up to about three minutes and overestimate beyond that.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from statistics import median

from core.model import Request, Status

DEFAULT_CLAIM_SECONDS = 90.0  # before anyone has claimed a request of this type today
RECENT = 10  # claims that count: the last ten of the type


def place_in_line(me: Request, requests: Iterable[Request]) -> int:
    """1 for the next to be served; 0 once someone holds `me` or it ended.

    The open, unclaimed requests of the same type at the same kiosk taken
    before it, plus one: what the kiosk's ticket screen says, and the
    shopper's phone page (core/phone.py) says the same."""
    if me.status is not Status.OPEN:
        return 0
    ahead = [
        r
        for r in requests
        if r.kind is me.kind
        and r.kiosk == me.kiosk
        and r.status is Status.OPEN
        and (r.created_at, r.ticket) < (me.created_at, me.ticket)
    ]
    return len(ahead) + 1


def estimated_wait(place: int, waited: float, recent_claims: Sequence[float]) -> int:
    """Seconds still to wait for someone to come, for the `place`-th in line
    who has already waited `waited` seconds; 0 when nobody is waiting."""
    if place <= 0:
        return 0
    typical = median(recent_claims[-RECENT:]) if recent_claims else DEFAULT_CLAIM_SECONDS
    return max(0, round(typical * place - waited))
