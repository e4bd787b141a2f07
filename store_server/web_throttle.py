"""Counting attempts per address in a sliding window: sign-ins that failed, tokens nobody issued.

Pure apart from its memory; time is passed in (monotonic seconds). Used by
the web service to answer 429 to an address that guesses (PINs, tokens).
"""

from __future__ import annotations

from collections import deque


class Throttle:
    """`limit` hits within `window` seconds from one address: it is held back until they leave the window."""

    def __init__(self, limit: int, window: float = 60.0, addresses: int = 10_000) -> None:
        self.limit = limit
        self.window = window
        self.addresses = addresses  # a bound on memory: the oldest addresses are forgotten first
        self._hits: dict[str, deque[float]] = {}

    def _recent(self, address: str, now: float) -> deque[float]:
        hits = self._hits.get(address)
        if hits is None:
            return deque()
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if not hits:
            del self._hits[address]
        return hits

    def held(self, address: str, now: float) -> bool:
        """Whether `address` is held back now."""
        return len(self._recent(address, now)) >= self.limit

    def hit(self, address: str, now: float) -> bool:
        """Count one hit; whether `address` is held back with it."""
        hits = self._recent(address, now)
        if not hits:
            if len(self._hits) >= self.addresses:
                self._hits.pop(next(iter(self._hits)))
            self._hits[address] = hits
        hits.append(now)
        return len(hits) >= self.limit
