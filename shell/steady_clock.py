"""A clock for the kiosk that never runs backwards, when NTP steps the box's clock back.

The desk orders requests by when they were made, escalates them by how long they waited and ends
phone tokens by their age, all from `now`. A wall clock stepped back would put the next shopper ahead
of those already waiting and make every request look younger. This clock hands out the wall time while
it moves forward; once the wall clock is behind what was already handed out, it goes on from there at
CATCH_UP of the real pace (measured by the monotonic clock, which no step moves) until the wall clock
is level again — like NTP's own slewing, only faster. Nothing is reordered; while it catches up a
wait is measured a little short, so an escalation comes a little late, never early. A step forward is
taken as it is. `floor`: the newest time the kiosk already wrote (its log after a restart), below
which it never goes. Touches the system's wall and monotonic clocks only.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

log = logging.getLogger(__name__)

CATCH_UP = 0.8  # of the real pace while the wall clock is behind: a step of a minute is gone in five


def wall_now() -> datetime:
    return datetime.now(UTC)


class SteadyClock:
    def __init__(
        self,
        wall: Callable[[], datetime] = wall_now,
        steady: Callable[[], float] = time.monotonic,
        floor: datetime | None = None,
    ) -> None:
        self._wall = wall
        self._steady = steady
        self._last = floor
        self._last_steady = steady()
        self.behind = timedelta(0)  # how far the wall clock is behind the time handed out

    def now(self) -> datetime:
        wall, steady = self._wall(), self._steady()
        elapsed = max(0.0, steady - self._last_steady)
        self._last_steady = steady
        if self._last is None or wall >= self._last:
            if self.behind:
                log.warning("the wall clock is level again with the kiosk's time")
            self._last, self.behind = wall, timedelta(0)
            return wall
        if not self.behind:
            log.warning("the wall clock went back %s: the kiosk's time goes on from %s", self._last - wall, self._last)
        self._last = max(wall, self._last + timedelta(seconds=elapsed * CATCH_UP))
        self.behind = self._last - wall
        return self._last
