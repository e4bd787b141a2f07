"""How long a shopper will probably wait: from how fast staff claimed lately.

Pure: numbers in, seconds out. Showing an honest estimate matters: people
judge waits fairly up to about three minutes and overestimate beyond that.
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import median

DEFAULT_CLAIM_SECONDS = 90.0  # before anyone has claimed a request of this type today
RECENT = 10  # claims that count: the last ten of the type


def estimated_wait(place: int, waited: float, recent_claims: Sequence[float]) -> int:
    """Seconds still to wait for someone to come, for the `place`-th in line
    who has already waited `waited` seconds; 0 when nobody is waiting."""
    if place <= 0:
        return 0
    typical = median(recent_claims[-RECENT:]) if recent_claims else DEFAULT_CLAIM_SECONDS
    return max(0, round(typical * place - waited))
