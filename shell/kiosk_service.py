"""The kiosk's shell: runs the desk and carries out its effects through ports.

Touches only the ports (transport, printer, event log, clock); which library
sits behind each is the adapters' business. Not thread-safe by design: every
call, including `on_message`, must come from the one thread the front runs
(Kivy's main loop, or the headless loop), which is how the desk stays a plain
object with no locks.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from core import wire
from core.desk import Desk
from core.events import (
    Alert,
    CancelRequested,
    Effect,
    FeedbackGiven,
    HelpRequested,
    Ignored,
    PrintTicket,
    Publish,
    StatusChanged,
    Store,
    UnhappyShopper,
)
from core.model import Feedback, Kind, LogEntry, Request, Ticket
from core.retention import cutoff
from shell.ports import Clock, EventLog, PrinterError, StoreError, TicketPrinter, Transport

log = logging.getLogger(__name__)

# A finished request's retained state stays on the broker this long, so a pager
# that was away sees how it ended, then the broker drops it by itself.
FINISHED_STATE_EXPIRY = 3600


@dataclass(frozen=True)
class TicketView:
    """What the ticket screen shows for one request."""

    request: Request
    place_in_line: int
    printed: bool = True
    print_error: str | None = None
    wait_seconds: int = 0  # the probable wait still ahead (core/waiting.py)


StatusListener = Callable[[TicketView], None]


class KioskService:
    def __init__(
        self,
        *,
        desk: Desk,
        store_id: str,
        transport: Transport,
        printer: TicketPrinter | None,
        event_log: EventLog,
        clock: Clock,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex[:16],
        retention_days: int | None = None,
    ) -> None:
        self.desk = desk
        self.store_id = store_id
        self.kiosk_id = desk.kiosk_id
        self.transport = transport
        self.printer = printer
        self.event_log = event_log
        self.clock = clock
        self.new_id = new_id
        self.listeners: list[StatusListener] = []
        self.rejected: Counter[str] = Counter()
        self._print_errors: dict[str, str] = {}
        self.retention_days = retention_days
        self._retention_done_on: date | None = None

    def subscriptions(self) -> list[str]:
        return [wire.my_actions(self.store_id, self.kiosk_id)]

    # -- from the screen ----------------------------------------------------

    def request_help(self, kind: Kind, details: dict[str, str]) -> TicketView:
        request_id = self.new_id()
        self._run(self.desk.handle(HelpRequested(request_id, kind, details), self.clock.now()))
        return self.view(request_id)

    def cancel(self, request_id: str) -> None:
        self._run(self.desk.handle(CancelRequested(request_id), self.clock.now()))

    def give_feedback(
        self, rating: int, reasons: tuple[str, ...] = (), comment: str = "", contact: str = ""
    ) -> Feedback:
        """Keep one shopper's feedback; `contact` only with their consent (checked on screen)."""
        effects = self.desk.handle(FeedbackGiven(self.new_id(), rating, reasons, comment, contact), self.clock.now())
        self._run(effects)
        return next(e.record for e in effects if isinstance(e, Store) and isinstance(e.record, Feedback))

    def print_test(self) -> str:
        """Print a test ticket for staff; what happened, in words."""
        if self.printer is None:
            return "no printer configured (printer.port)"
        ticket = Ticket("printer-test", "TEST", Kind.HELP, 0, self.clock.now(), {"topic": "other"})
        try:
            self.printer.print_ticket(ticket)
        except PrinterError as exc:
            return f"test ticket NOT printed: {exc}"
        return "test ticket sent to the printer; check that it came out"

    def last_print_error(self) -> str | None:
        return next(reversed(self._print_errors.values()), None)

    def tick(self) -> None:
        """Called by the front about once a second: escalate what is due, and
        once a day forget free text past the retention period."""
        deadline = self.desk.get_timer()
        now = self.clock.now()
        if deadline is not None and now >= deadline:
            self._run(self.desk.handle_timer(now))
        today = now.date()
        if self.retention_days and self._retention_done_on != today:
            self._retention_done_on = today
            try:
                self.event_log.scrub_free_text_before(cutoff(today, self.retention_days))
            except StoreError as exc:
                log.error("retention: free text could not be removed: %s", exc)

    def view(self, request_id: str) -> TicketView:
        request = self.desk.request(request_id)
        if request is None:
            raise KeyError(request_id)
        error = self._print_errors.get(request_id)
        wait = self.desk.estimated_wait(request_id, self.clock.now())
        return TicketView(request, self.desk.place_in_line(request_id), error is None, error, wait)

    # -- from the broker ----------------------------------------------------

    def on_message(self, topic: str, payload: bytes) -> None:
        try:
            kind, ids = wire.parse_topic(self.store_id, topic)
            if kind != "action" or ids["kiosk"] != self.kiosk_id:
                raise wire.WireError(f"not an action for this kiosk: {topic}")
            event = wire.decode_action(ids["request_id"], payload)
        except wire.WireError as exc:
            self._reject(str(exc), topic)
            return
        self._run(self.desk.handle(event, self.clock.now()))

    def _reject(self, reason: str, topic: str) -> None:
        self.rejected[reason.split(":")[0]] += 1
        log.warning("rejected message on %s: %s", topic, reason)

    # -- carrying out effects ------------------------------------------------

    def _run(self, effects: list[Effect]) -> None:
        # Stored first: a request the shopper saw accepted must survive even if
        # publishing or printing fails right after.
        for effect in effects:
            if isinstance(effect, Store):
                if isinstance(effect.record, LogEntry):
                    self.event_log.append_entry(effect.record)
                else:
                    self.event_log.append_feedback(effect.record)
        for effect in effects:
            if isinstance(effect, Publish):
                self._publish(effect.message)
            elif isinstance(effect, PrintTicket):
                self._print(effect)
            elif isinstance(effect, StatusChanged):
                view = self.view(effect.request.id)
                for listener in list(self.listeners):
                    listener(view)
            elif isinstance(effect, Alert):
                topic = wire.alert_topic(self.store_id, effect.request.kiosk)
                self.transport.publish(topic, wire.encode_alert(effect.request, effect.level, self.clock.now()))
            elif isinstance(effect, UnhappyShopper):
                topic = wire.alert_topic(self.store_id, effect.feedback.kiosk)
                self.transport.publish(topic, wire.encode_unhappy(effect.feedback, self.clock.now()))
            elif isinstance(effect, Ignored):
                self._reject(effect.reason, "desk")

    def _publish(self, message: Request | Feedback) -> None:
        if isinstance(message, Request):
            topic = wire.state_topic(self.store_id, message.kiosk, message.id)
            expiry = FINISHED_STATE_EXPIRY if message.status.is_final else None
            self.transport.publish(topic, wire.encode_request(message), retain=True, expiry=expiry)
        else:
            topic = wire.feedback_topic(self.store_id, message.kiosk)
            self.transport.publish(topic, wire.encode_feedback(message))

    def _print(self, effect: PrintTicket) -> None:
        if self.printer is None:
            self._print_errors[effect.ticket.request_id] = "no printer configured"
            return
        try:
            self.printer.print_ticket(effect.ticket)
        except PrinterError as exc:
            log.error("ticket %s not printed: %s", effect.ticket.number, exc)
            self._print_errors[effect.ticket.request_id] = str(exc)
