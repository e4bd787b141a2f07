"""A running app's parts, started and closed in order. Written once for the
kiosk, the pager and their text fronts (kiosk/main.py, staff_pager/main.py).

Touches only the ports. Messages from the broker arrive on the link's own
thread and are handed to the front's thread with `call_soon` before the
service sees them: a service is never called from two threads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from shell.ports import Link, MessageHandler

Service = TypeVar("Service")
CallSoon = Callable[..., None]  # call_soon(fn, *args): run fn(*args) on the front's thread


@dataclass
class Device(Generic[Service]):
    service: Service
    link: Link
    on_message: MessageHandler  # the service's, run on the front's thread
    call_soon: CallSoon
    # What `close` lets go of, in order: the print spool first (it may still
    # report to the broker), then the link, then the event log.
    closers: list[Callable[[], None]] = field(default_factory=list)
    _closed: bool = False

    def start(self, on_connection: Callable[[bool], None] | None = None) -> None:
        """Connect; `on_connection(up)` is called on the front's thread."""
        if on_connection is not None:
            self.link.on_connection = lambda up: self.call_soon(on_connection, up)
        self.link.start(lambda topic, payload: self.call_soon(self.on_message, topic, payload))

    @property
    def problem(self) -> str | None:
        return self.link.problem

    def close(self) -> None:
        """Let go of everything, in order; once."""
        if self._closed:
            return
        self._closed = True
        for close in self.closers:
            close()
