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
from datetime import date
from typing import TYPE_CHECKING

from core import wire
from core.catalog import Item
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
from core.joining import RecentTicket, read_ticket, recent_tickets
from core.model import Feedback, Kind, LogEntry, PrinterState, Request, Search, Ticket
from core.numbering import clash
from core.retention import cutoff
from core.searches import SearchWatch
from core.self_test import SelfTestError
from shell.phone_tokens import PhoneTokens, new_token, opens_phone_page, with_token
from shell.ports import Clock, EventLog, StoreError, Transport
from shell.self_test_run import SelfTestRun
from shell.storage_watch import StorageWatch
from shell.ticket_view import StatusListener, TicketView

if TYPE_CHECKING:
    from shell.print_spool import PrintSpool

log = logging.getLogger(__name__)

# A finished request's retained state stays on the broker this long, so a pager
# that was away sees how it ended, then the broker drops it by itself.
FINISHED_STATE_EXPIRY = 3600


class KioskService:
    def __init__(
        self,
        *,
        desk: Desk,
        store_id: str,
        transport: Transport,
        spool: PrintSpool | None,
        event_log: EventLog,
        clock: Clock,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex[:16],
        retention_days: int | None = None,
        qr_url: str = "",
    ) -> None:
        """`new_id` makes request, feedback and search ids: 16 hex digits, the shape
        core/joining.py knows another kiosk's scanned ticket by. `qr_url`: the link
        on the printed tickets (printer.qr_url), to read a scanned ticket; with
        `{token}` in it, each request gets a phone token (shell/phone_tokens.py)."""
        self.desk = desk
        self.store_id = store_id
        self.kiosk_id = desk.kiosk_id
        self.transport = transport
        self.spool = spool
        self.event_log = event_log
        self.clock = clock
        self.new_id = new_id
        self.listeners: list[StatusListener] = []
        self.rejected: Counter[str] = Counter()
        self._tickets: dict[str, Ticket] = {}  # this session's tickets, for *Print again*
        # (request id, None if printed or why not), when the spool answers
        self.print_listeners: list[Callable[[str, str | None], None]] = []
        self.printer_state: PrinterState | None = None  # what the printer last said
        self.printer_detail = ""
        self.printer_listeners: list[Callable[[PrinterState, str], None]] = []
        self.retention_days = retention_days
        self._retention_done_on: date | None = None
        # Other kiosks of the store whose ticket numbers would meet ours, and
        # what to tell staff about it (maintenance screen, log).
        self.clashes: dict[str, str] = {}
        self.qr_url = qr_url
        self._search = SearchWatch()  # what the shopper is looking for on the Find screen
        # A token for the shopper's phone page only when the printed QR carries it:
        # nobody else could ever hold it (shell/phone_tokens.py).
        self.phone_tokens = opens_phone_page(qr_url)
        self.tokens = PhoneTokens(store_id, self.kiosk_id, transport)
        self.tokens.resume(desk.requests(), clock.now())
        self.storage = StorageWatch.attach(self)  # disk full: take nothing, send shoppers to the desk
        # The start-of-shift self test; its storage checks probe the event log's folder.
        self.self_test = SelfTestRun(self, getattr(event_log, "data_dir", None))

    def subscriptions(self) -> list[str]:
        return self.topics(self.store_id, self.kiosk_id)

    @staticmethod
    def topics(store_id: str, kiosk_id: str) -> list[str]:
        """Actions on this kiosk's requests, every device's presence (to notice
        another kiosk that would hand out the same ticket numbers), and the
        store's phone tokens (to read another kiosk's scanned ticket link)."""
        return [
            wire.my_actions(store_id, kiosk_id),
            wire.all_devices(store_id),
            wire.all_tokens(store_id),
            # The self test: its own alert back (the broker works) and the pagers' acknowledgements.
            wire.selftest_topic(store_id, kiosk_id),
            wire.my_selftest_acks(store_id, kiosk_id),
        ]

    def restore_retained(self) -> None:
        """Connected to a broker that does not hold this kiosk's session. It may
        have lost every retained message too (restarted without persistence,
        or a new broker): the owner of a request restores its state, or pagers
        would never see the open requests and the next shopper would queue
        behind invisible ones. Receivers drop a copy they already have (same seq)."""
        for request in self.desk.open_requests():
            self._publish(request)
        self.tokens.restore(self.desk.requests(), self.clock.now())
        if self.printer_state is not None:
            self.transport.publish(
                wire.printer_topic(self.store_id, self.kiosk_id),
                wire.encode_printer(self.kiosk_id, self.printer_state, self.printer_detail, self.clock.now()),
                retain=True,
            )

    # -- from the screen ----------------------------------------------------

    def request_help(self, kind: Kind, details: dict[str, str]) -> TicketView:
        request_id = self.new_id()
        token = new_token() if self.phone_tokens else ""
        self._run(self.desk.handle(HelpRequested(request_id, kind, details, token), self.clock.now()))
        view = self.view(request_id)
        self.tokens.made(view.request)  # after its state: a receiver then knows the request
        return view

    def cancel(self, request_id: str) -> None:
        self._run(self.desk.handle(CancelRequested(request_id), self.clock.now()))

    def give_feedback(
        self,
        rating: int,
        reasons: tuple[str, ...] = (),
        comment: str = "",
        contact: str = "",
        request_id: str = "",
    ) -> Feedback:
        """Keep one shopper's feedback; `contact` only with their consent (checked on screen);
        `request_id`: the ticket they showed (read_ticket, recent_tickets), "" for none."""
        given = FeedbackGiven(self.new_id(), rating, reasons, comment, contact, request_id)
        effects = self.desk.handle(given, self.clock.now())
        self._run(effects)
        return next(e.record for e in effects if isinstance(e, Store) and isinstance(e.record, Feedback))

    def recent_tickets(self) -> list[RecentTicket]:
        """This kiosk's tickets a shopper leaving now may hold, newest first (core/joining.py)."""
        return recent_tickets(self.desk.requests(), self.clock.now(), self.desk.tz)

    def read_ticket(self, text: str) -> str:
        """The request id a scanned QR code (or a typed ticket number) names;
        core.joining.TicketUnread when it names none."""
        now, own = self.clock.now(), self.desk.requests()
        return read_ticket(text, own, now, self.desk.tz, self.qr_url, self.tokens.known(own, now))

    # -- what shoppers look for (core/searches.py) ---------------------------

    def searched(self, term: str, shown: list[Item]) -> None:
        """The Find screen's field holds `term` and the finder shows `shown`."""
        self._search.typed(term, shown)

    def search_finished(self, taken: Item | None = None) -> Search | None:
        """The shopper left the Find screen (having taken `taken`, if any): the
        search is stored and published (QoS 1, through the outbox); None when
        there was none. A search that cannot be stored is logged and dropped: it
        must not stop the shopper's request."""
        search = self._search.finish(self.new_id(), self.kiosk_id, self.clock.now(), taken)
        if search is None:
            return None
        try:
            self.event_log.append_search(search)
            self.transport.publish(wire.search_topic(self.store_id, self.kiosk_id), wire.encode_search(search))
        except StoreError as exc:
            log.error("search %r not kept: %s", search.term, exc)
            return None
        return search

    def print_again(self, request_id: str) -> bool:
        """The shopper's *Print again* after a failure; False if there is nothing to print
        (printed already, on its way, finished, or no printer)."""
        ticket = self._tickets.get(request_id)
        if ticket is None or self.spool is None or not self.view(request_id).can_print_again:
            return False
        if not self.spool.submit(ticket):
            return False
        self._tell(request_id)
        return True

    def print_test(self, answer: Callable[[str], None]) -> None:
        """Print a test ticket for staff; `answer(what happened, in words)` once it has."""
        if self.spool is None:
            answer("no printer configured (printer.port)")
            return
        ticket = Ticket("printer-test", "TEST", Kind.HELP, 0, self.clock.now(), {"topic": "other"})

        def done(error: str | None) -> None:
            answer(f"test ticket NOT printed: {error}" if error else "test ticket printed; check that it came out")

        self.spool.test(ticket, done)

    def last_print_error(self) -> str | None:
        return self.spool.last_error() if self.spool is not None else None

    # -- from the print spool (on the front's thread) -----------------------

    def printed(self, request_id: str, error: str | None) -> None:
        """The spool has an answer for a ticket (its table already says so)."""
        for listener in list(self.print_listeners):
            listener(request_id, error)
        self._tell(request_id)

    def printer_state_seen(self, state: PrinterState, detail: str) -> None:
        """Tell staff: a retained status (pagers joining later see it), and an
        alert when it goes wrong or comes right again."""
        before, self.printer_state, self.printer_detail = self.printer_state, state, detail
        now = self.clock.now()
        self.transport.publish(
            wire.printer_topic(self.store_id, self.kiosk_id),
            wire.encode_printer(self.kiosk_id, state, detail, now),
            retain=True,
        )
        if before is not None or state is not PrinterState.OK:
            self.transport.publish(
                wire.alert_topic(self.store_id, self.kiosk_id),
                wire.encode_printer_alert(self.kiosk_id, state, detail, now),
            )
        for listener in list(self.printer_listeners):
            listener(state, detail)

    def _finished(self, request_id: str) -> bool:
        request = self.desk.request(request_id)
        return request is None or request.status.is_final

    def _tell(self, request_id: str) -> None:
        if self.desk.request(request_id) is None:
            return
        view = self.view(request_id)
        for listener in list(self.listeners):
            listener(view)

    def tick(self) -> None:
        """Called by the front about once a second: escalate what is due, and
        once a day forget free text past the retention period."""
        deadline = self.desk.get_timer()
        now = self.clock.now()
        if deadline is not None and now >= deadline:
            self._run(self.desk.handle_timer(now))
        self.tokens.tick(now)
        self.self_test.tick()
        for request_id in [r for r in self._tickets if self._finished(r)]:
            # Nothing can be printed again for a finished request: forget it.
            self._tickets.pop(request_id, None)
            if self.spool is not None:
                self.spool.forget(request_id)
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
        error, printing = self._print_state(request_id)
        wait = self.desk.estimated_wait(request_id, self.clock.now())
        return TicketView(request, self.desk.place_in_line(request_id), error, wait, printing)

    def _print_state(self, request_id: str) -> tuple[str | None, bool]:
        """(why the ticket is not on paper, whether it is on its way), from core/print_jobs.py's table."""
        if request_id not in self._tickets:
            return None, False  # taken before this start: its ticket was dealt with then
        if self.spool is None:
            return "no printer configured", False
        job = self.spool.job(request_id)
        if job is None:
            return None, False
        return job.error, job.state.printing

    # -- from the broker ----------------------------------------------------

    def on_message(self, topic: str, payload: bytes) -> None:
        try:
            kind, ids = wire.parse_topic(self.store_id, topic)
            if kind == "devices":
                if payload:  # empty: a cleared retained presence
                    presence = wire.decode_presence(ids["device"], payload)
                    self._presence(presence)
                    self.self_test.presence(presence)
                return
            if kind in ("selftest", "selftest_ack"):
                try:
                    self.self_test.heard(kind, ids, payload)
                except SelfTestError as exc:
                    raise wire.WireError(f"bad self test message: {exc}") from None
                return
            if kind == "token":
                self.tokens.heard(ids["kiosk"], ids["request_id"], payload, self.clock.now())
                return
            if kind != "action" or ids["kiosk"] != self.kiosk_id:
                raise wire.WireError(f"not an action for this kiosk: {topic}")
            event = wire.decode_action(ids["request_id"], payload)
        except wire.WireError as exc:
            self._reject(str(exc), topic)
            return
        self._run(self.desk.handle(event, self.clock.now()))

    def _presence(self, other: wire.Presence) -> None:
        if other.role != "kiosk" or other.device == self.kiosk_id or not other.ticket_format:
            return
        same = clash(self.desk.ticket_format, other.ticket_format)
        if same is None:
            self.clashes.pop(other.device, None)
            return
        if other.device not in self.clashes:
            log.error(
                "%s and %s (%s) would both hand out ticket %s: give each kiosk of the store its own "
                'kiosk.ticket_format (e.g. "N{type}-{number:03d}" at the north entrance)',
                self.kiosk_id,
                other.device,
                other.name or "no entrance named",
                same,
            )
        self.clashes[other.device] = f"{other.device} also issues {same}: set kiosk.ticket_format"

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
                self._tell(effect.request.id)
            elif isinstance(effect, Alert):
                topic = wire.alert_topic(self.store_id, effect.request.kiosk)
                self.transport.publish(topic, wire.encode_alert(effect.request, effect.level, self.clock.now()))
            elif isinstance(effect, UnhappyShopper):
                topic = wire.unhappy_topic(self.store_id, effect.feedback.kiosk)
                self.transport.publish(topic, wire.encode_unhappy(effect.feedback, self.clock.now()))
            elif isinstance(effect, Ignored):
                self._reject(effect.reason, "desk")

    def _publish(self, message: Request | Feedback) -> None:
        if isinstance(message, Request):
            topic = wire.state_topic(self.store_id, message.kiosk, message.id)
            expiry = FINISHED_STATE_EXPIRY if message.status.is_final else None
            self.transport.publish(topic, wire.encode_request(message), retain=True, expiry=expiry)
            if message.status.is_final:
                self.tokens.ended(message, self.clock.now())
        else:
            topic = wire.feedback_topic(self.store_id, message.kiosk)
            self.transport.publish(topic, wire.encode_feedback(message))

    def _print(self, effect: PrintTicket) -> None:
        """Hand the ticket to the spool; the screen says "printing" until it answers."""
        request = self.desk.request(effect.ticket.request_id)
        ticket = with_token(effect.ticket, request.token if request is not None else "")
        self._tickets[ticket.request_id] = ticket
        if self.spool is not None:
            self.spool.submit(ticket)
