"""The small ports through which the shell carries out the core's effects.

Each adapter (one per library) implements one of these and turns its library's
errors into the exceptions below, so nothing above the adapters ever sees a
paho, pyserial, escpos or TinyDB exception.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from core.model import Feedback, LogEntry, PrinterState, Search, Ticket


class PrinterError(Exception):
    """The ticket could not be printed (port missing, write timed out, ...)."""


class StoreError(Exception):
    """The log could not be written or read."""


class TransportError(Exception):
    """The broker could not be asked to do something."""


class TicketPrinter(Protocol):
    """Blocking: called on the print spool's thread (shell/print_spool.py), never the screen's."""

    def print_ticket(self, ticket: Ticket) -> None:
        """Lay out and send one ticket; raise PrinterError if it cannot."""

    def status(self) -> PrinterState:
        """Ask the printer how it is (within a second); NOT_ANSWERING if it says nothing."""


class EventLog(Protocol):
    def append_entry(self, entry: LogEntry) -> None: ...

    def append_feedback(self, feedback: Feedback) -> None: ...

    def append_search(self, search: Search) -> None:
        """What a shopper looked for on the Find screen (terms only)."""

    def entries_between(self, first: date, last: date) -> list[LogEntry]: ...

    def feedback_between(self, first: date, last: date) -> list[Feedback]: ...

    def scrub_free_text_before(self, first_kept: date) -> int:
        """Remove free text from records of days before `first_kept`; how many changed."""

    def close(self) -> None:
        """Let go of the storage (another process may write it next)."""


MessageHandler = Callable[[str, bytes], None]

# Called once the broker has answered a publish: (accepted, reason). May be
# called on the transport's own thread.
Acknowledged = Callable[[bool, str], None]


class Transport(Protocol):
    def publish(
        self,
        topic: str,
        payload: bytes,
        *,
        retain: bool = False,
        expiry: int | None = None,
        on_done: Acknowledged | None = None,
    ) -> None: ...

    def waiting(self) -> int:
        """Messages handed over and not yet acknowledged by the broker."""

    def close(self) -> None: ...


class Link(Protocol):
    """A device's connection to the store's broker, as the fronts see it."""

    on_connection: Callable[[bool], None] | None  # up or down, on the link's own thread

    @property
    def problem(self) -> str | None:
        """What is wrong, in words (shell/broker_trouble.py); None: all well."""

    def start(self, deliver: MessageHandler) -> None:
        """Connect in the background; every message received goes to `deliver(topic, payload)`."""

    def close(self) -> None: ...


@dataclass(frozen=True)
class Outgoing:
    """One message on its way to the broker, kept until the broker has it.

    `key` sorts in publishing order (it starts with a running number).
    """

    key: str
    topic: str
    payload: bytes
    retain: bool = False
    expiry: int | None = None


class OutboxStore(Protocol):
    """Durable storage for messages the broker has not acknowledged yet.

    Thread-safe: `remove` is called from the transport's thread.
    """

    def add(self, message: Outgoing) -> None:
        """Keep `message`; it is on disk when this returns (or StoreError)."""

    def remove(self, key: str) -> None: ...

    def pending(self) -> list[Outgoing]:
        """Everything still waiting, oldest first."""


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
