"""What the kiosk's ticket screen shows for one request (made by shell/kiosk_service.py).

Pure data: touches nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.model import Request


@dataclass(frozen=True)
class TicketView:
    """What the ticket screen shows for one request."""

    request: Request
    place_in_line: int
    print_error: str | None = None  # why the ticket is not on paper
    wait_seconds: int = 0  # the probable wait still ahead (core/waiting.py)
    printing: bool = False  # on its way to the printer

    @property
    def printed(self) -> bool:
        return self.print_error is None and not self.printing

    @property
    def can_print_again(self) -> bool:
        """The ticket failed to print and someone is still to come."""
        return self.print_error is not None and not self.printing and not self.request.status.is_final


StatusListener = Callable[[TicketView], None]
