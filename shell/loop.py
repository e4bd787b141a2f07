"""A plain one-thread loop for the text fronts (headless kiosk, console pager).

Other threads (stdin reader, paho's network thread) never touch the services:
they `call_soon`, and the loop runs each call on its own thread, in order.
This is what Kivy's `Clock.schedule_once` does for the touchscreen fronts.
"""

from __future__ import annotations

import logging
import queue
import shlex
import threading
from collections.abc import Callable
from datetime import UTC, datetime

log = logging.getLogger(__name__)


def connection_words(up: bool, problem: str | None) -> tuple[str, ...]:
    """The text fronts' `connection up` / `connection down <why>` line."""
    if up:
        return ("connection", "up")
    return ("connection", "down", shlex.quote(problem)) if problem else ("connection", "down")


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class Loop:
    def __init__(self) -> None:
        self._calls: queue.Queue[tuple[Callable[..., object], tuple[object, ...]] | None] = queue.Queue()

    def call_soon(self, fn: Callable[..., object], *args: object) -> None:
        self._calls.put((fn, args))

    def every(self, seconds: float, fn: Callable[[], object]) -> Callable[[], None]:
        """Queue `fn` every `seconds` until the returned function is called."""
        stopped = threading.Event()

        def tick() -> None:
            while not stopped.wait(seconds):
                self.call_soon(fn)

        threading.Thread(target=tick, name="ticker", daemon=True).start()
        return stopped.set

    def stop(self) -> None:
        self._calls.put(None)

    def run(self) -> None:
        """Run calls until `stop()`; an exception in one call is logged, not fatal."""
        while True:
            item = self._calls.get()
            if item is None:  # stop()
                return
            fn, args = item
            try:
                fn(*args)
            except Exception:
                log.exception("error in %s", getattr(fn, "__name__", fn))
