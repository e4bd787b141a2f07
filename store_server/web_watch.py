"""One event stream's mailbox in the web service: the newest change only, and its last notices.

Touches nothing but memory; lives on the service's asyncio loop. A slow phone
never makes memory grow: a change not yet sent is replaced by the next one (a
bounded queue of one that keeps the newest), and notices are capped.
"""

from __future__ import annotations

import asyncio
from collections import deque

NOTICES_KEPT = 50  # per stream, while its phone is slow to read them


class Watcher:
    """One event stream's mailbox: the newest change only, and its last notices."""

    def __init__(self, member: str | None = None, session: str = "", request_id: str = "") -> None:
        self.member = member  # casefolded name, for a staff stream
        self.session = session  # and the SHA-256 of its session id
        self.request_id = request_id  # the request of a ticket page's stream
        self.latest: int | None = None  # the newest change counter not yet sent
        self.notices: deque[dict[str, object]] = deque(maxlen=NOTICES_KEPT)
        self.wake = asyncio.Event()
        self.closed = False

    def changed(self, counter: int) -> None:
        self.latest = counter  # an older one not yet sent is simply replaced
        self.wake.set()

    def notice(self, body: dict[str, object]) -> None:
        self.notices.append(body)
        self.wake.set()

    def close(self) -> None:
        self.closed = True
        self.wake.set()

    async def next(self, timeout: float) -> bool:
        """Wait for something to send; False after `timeout` with nothing."""
        if not self.wake.is_set():
            try:
                async with asyncio.timeout(timeout):  # no task per wait, unlike asyncio.wait_for
                    await self.wake.wait()
            except TimeoutError:
                return False
        self.wake.clear()
        return True
