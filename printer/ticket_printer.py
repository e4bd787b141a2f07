"""The kiosk's TicketPrinter port: lay a ticket out, send it down the pipe.

Touches nothing itself: layout is printer/ticket_layout.py (python-escpos),
the port is printer/serial_port.py (pyserial).
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Protocol

from core.model import Ticket
from printer.ticket_layout import layout


class Pipe(Protocol):
    def write(self, data: bytes) -> None: ...


class EscposTicketPrinter:
    def __init__(self, pipe: Pipe, *, store_name: str, tz: tzinfo, profile: str = "default") -> None:
        self.pipe = pipe
        self.store_name = store_name
        self.tz = tz
        self.profile = profile

    def print_ticket(self, ticket: Ticket) -> None:
        """Raises PrinterError when the ticket cannot be laid out or sent."""
        self.pipe.write(layout(ticket, store_name=self.store_name, tz=self.tz, profile=self.profile))
