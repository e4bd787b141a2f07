"""When a request nobody has claimed needs more attention.

Pure: no I/O, no clock; time is passed in.

Levels, counted from when the shopper asked (their wait is what matters):
0  just asked: the pagers of the request's staff were alerted;
1  past the first limit: every pager again, with a louder alert;
2  past the second: the managers;
3  past the last: the kiosk asks the shopper to go to the service desk.
A claim or a release sets the level back to 0; a released request that has
already waited long escalates again at once to the level its wait has reached.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core.model import Kind, Request, Status

EVERYONE, MANAGERS, SERVICE_DESK = 1, 2, 3


@dataclass(frozen=True)
class Limits:
    """Seconds a request may wait unclaimed before each level (increasing)."""

    everyone: int = 60
    managers: int = 180
    service_desk: int = 300

    def __post_init__(self) -> None:
        if not 0 < self.everyone < self.managers < self.service_desk:
            raise ValueError(f"escalation limits must be positive and increasing, got {self.as_tuple()}")

    def as_tuple(self) -> tuple[int, int, int]:
        return (self.everyone, self.managers, self.service_desk)


DEFAULT_LIMITS = {kind: Limits() for kind in Kind}


def due_level(request: Request, now: datetime, limits: Limits) -> int:
    """The level an open, unclaimed request should be at by `now`."""
    if request.status is not Status.OPEN:
        return request.escalation
    waited = (now - request.created_at).total_seconds()
    reached = sum(1 for limit in limits.as_tuple() if waited >= limit)
    return max(reached, request.escalation)


def next_deadline(request: Request, limits: Limits) -> datetime | None:
    """When this request escalates next, or None if it never will."""
    if request.status is not Status.OPEN or request.escalation >= SERVICE_DESK:
        return None
    return request.created_at + timedelta(seconds=limits.as_tuple()[request.escalation])
