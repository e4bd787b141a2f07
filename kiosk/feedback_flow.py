"""The exit feedback's steps on the kiosk's screens: a face, then what went
well or could be better (and, if the shopper wants, the ticket it is about),
then thanks.

Touches the App's screens and the kiosk service, on Kivy's main thread like
the App that owns it. Showing a ticket never stands between the shopper and
*Send*: it is one optional button on the details screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.joining import TicketUnread
from kiosk.visit import Event
from kiosk.wording import unread_ticket

if TYPE_CHECKING:
    from kiosk.app import KioskApp


class FeedbackFlow:
    def __init__(self, app: KioskApp) -> None:
        self.app = app

    def _screen(self, name: str):  # type: ignore[no-untyped-def]
        return self.app.screens.get_screen(name)

    def rate(self, rating: int) -> None:
        """A face: ask what went well or what could be better, by the answer."""
        self.app.visit.rating = rating
        self._screen("feedback_details").prepare(rating, self.app._)
        self.app.go("feedback_details")

    def show_tickets(self) -> None:
        """The shopper wants to show their ticket: this kiosk's recent ones to tap, and the scanner."""
        assert self.app.service is not None
        self._screen("feedback_ticket").show_tickets(self.app.service.recent_tickets())
        self.app.go("feedback_ticket")

    def scan(self, text: str) -> None:
        """The scanner typed a QR code into the field (and Enter)."""
        assert self.app.service is not None
        try:
            request_id = self.app.service.read_ticket(text)
        except TicketUnread as problem:
            self._screen("feedback_ticket").refuse(unread_ticket(problem))
            return
        known = {t.request_id: t.number for t in self.app.service.recent_tickets()}
        own = self.app.service.desk.request(request_id)
        self.pick(request_id, known.get(request_id) or (own.ticket if own is not None else ""))

    def pick(self, request_id: str, number: str) -> None:
        """A ticket chosen (`request_id` "" for none): back to the details, which say so."""
        self.app.visit.show_ticket(request_id, number)
        self._screen("feedback_details").show_ticket(bool(request_id), self.app.visit.ticket_number)
        self.app.go("feedback_details")

    def send(self, reasons: tuple[str, ...], comment: str, contact: str) -> None:
        app = self.app
        assert app.service is not None
        app.service.give_feedback(app.visit.rating, reasons, comment, contact, app.visit.ticket_request)
        app.screens.current = "thanks"
        app._idle_saw(Event.THANKS)
