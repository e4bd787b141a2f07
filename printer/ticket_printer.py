"""The kiosk's TicketPrinter port: lay a ticket out, send it down the pipe.

Touches nothing itself: the layout is printer/ticket_layout.py (the only
escpos user), the port printer/serial_port.py (the only pyserial user).
"""

from __future__ import annotations

import logging
from datetime import tzinfo
from typing import Protocol

from core.model import Ticket
from printer.ticket_layout import layout

log = logging.getLogger(__name__)


class Pipe(Protocol):
    def write(self, data: bytes) -> None:
        """Send all of `data` or raise PrinterError."""


class EscposTicketPrinter:
    """Implements shell.ports.TicketPrinter on any pipe (normally a SerialPipe)."""

    def __init__(self, pipe: Pipe, *, store_name: str, tz: tzinfo, profile: str = "default") -> None:
        self.pipe = pipe
        self.store_name = store_name
        self.tz = tz
        self.profile = profile

    def print_ticket(self, ticket: Ticket) -> None:
        """Raises PrinterError when the ticket cannot be laid out or sent."""
        data = layout(ticket, store_name=self.store_name, tz=self.tz, profile=self.profile)
        self.pipe.write(data)
        log.info("ticket %s printed (%d bytes)", ticket.number, len(data))
