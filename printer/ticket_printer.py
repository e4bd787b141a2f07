"""The kiosk's TicketPrinter port: words in, bytes down the pipe, status back.

Touches nothing itself: the words come from `compose` (the kiosk's, in the
shopper's language), the layout is printer/ticket_layout.py (the only escpos
user), the port printer/serial_port.py (the only pyserial user), the status
bits printer/printer_status.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from core.model import PrinterState, Ticket
from printer import printer_status
from printer.ticket_content import ANY_PRINTER, PrinterSetup, TicketContent
from printer.ticket_layout import layout

log = logging.getLogger(__name__)


class Pipe(Protocol):
    def write(self, data: bytes) -> None:
        """Send all of `data` or raise PrinterError."""

    def ask(self, query: bytes, timeout: float = 0.3) -> int | None:
        """Send a real-time query; its one-byte answer, or None if none came."""


class EscposTicketPrinter:
    """Implements shell.ports.TicketPrinter on any pipe (normally a SerialPipe).

    Blocking: the kiosk calls it on its print spool's thread only.
    """

    def __init__(
        self, pipe: Pipe, compose: Callable[[Ticket], TicketContent], setup: PrinterSetup = ANY_PRINTER
    ) -> None:
        self.pipe = pipe
        self.compose = compose
        self.setup = setup

    def bytes_for(self, ticket: Ticket) -> bytes:
        return layout(self.compose(ticket), self.setup)

    def print_ticket(self, ticket: Ticket) -> None:
        """Raises PrinterError when the ticket cannot be laid out or sent."""
        data = self.bytes_for(ticket)
        self.pipe.write(data)
        log.info("ticket %s sent (%d bytes, %s)", ticket.number, len(data), ticket.language)

    def status(self) -> PrinterState:
        """The printer's own answer to DLE EOT 1, 2 and 4; PrinterError if the port fails."""
        answers = {n: self.pipe.ask(query) for n, query in printer_status.QUERIES.items()}
        return printer_status.state_from(answers)
