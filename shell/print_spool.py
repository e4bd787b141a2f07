"""Printing on a thread of its own, so a slow or stuck printer never freezes the screen.

Touches the printer port (on its own thread) and nothing else; results go
back to the front's thread through `call_soon(fn, *args)`, the same hand-over
broker messages use. The rules:

- One ticket at a time, in the order taken. Before each ticket the printer is
  asked how it is (`DLE EOT`, where it answers): a ticket is sent only while
  it can print. Not to trust "written" as "printed", it is asked again after.
- Which ticket may be queued, sent or printed again is core/print_jobs.py's
  table (at most once per request; none sent after its shopper left), kept
  here under a lock because the spool's thread and the screen's both use it.
- While the printer is not well it is asked every `poll_seconds`, so its
  recovery is seen without waiting for the next shopper.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from core.model import PrinterState, Ticket
from core.print_jobs import Job, PrintJobs
from core.words import PRINTER_WORDS
from shell.ports import PrinterError, TicketPrinter

log = logging.getLogger(__name__)

CallSoon = Callable[..., None]  # call_soon(fn, *args): run fn(*args) on the front's thread
# (request id, None if printed or why not)
Printed = Callable[[str, str | None], None]
# (state, what the printer or the port said)
StateSeen = Callable[[PrinterState, str], None]



@dataclass(frozen=True)
class _Work:
    ticket: Ticket
    done: Callable[[str | None], None] | None = None  # a staff test ticket: its own answer


class PrintSpool:
    def __init__(
        self,
        printer: TicketPrinter,
        *,
        ask_status: bool = True,
        poll_seconds: float = 5.0,
        max_age: float = 60.0,
    ) -> None:
        self.printer = printer
        self.ask_status = ask_status
        self.poll_seconds = poll_seconds
        self._work: queue.Queue[_Work | None] = queue.Queue()
        self._lock = threading.Lock()
        self._jobs = PrintJobs(max_age)
        self.state: PrinterState | None = None  # last seen; None before the first look
        self._thread = threading.Thread(target=self._run, name="print-spool", daemon=True)

    def start(self, call_soon: CallSoon, *, on_printed: Printed, on_state: StateSeen) -> None:
        """Start printing; answers go to `on_printed` and `on_state` through `call_soon`."""
        self.call_soon = call_soon
        self.on_printed = on_printed
        self.on_state = on_state
        self._thread.start()

    # -- from the front's thread ----------------------------------------------

    def submit(self, ticket: Ticket) -> bool:
        """Queue `ticket`; False (and nothing queued) if it printed already or is waiting."""
        with self._lock:
            if not self._jobs.queue(ticket.request_id, time.monotonic()):
                return False
        self._work.put(_Work(ticket))
        return True

    def job(self, request_id: str) -> Job | None:
        """Where the request's ticket stands (core/print_jobs.py)."""
        with self._lock:
            return self._jobs.get(request_id)

    def last_error(self) -> str | None:
        with self._lock:
            return self._jobs.last_error

    def forget(self, request_id: str) -> None:
        """The request ended: nothing is printed for it any more."""
        with self._lock:
            self._jobs.forget(request_id)

    def test(self, ticket: Ticket, done: Callable[[str | None], None]) -> None:
        """A staff test ticket: `done(None or why not)` on the front's thread."""
        self._work.put(_Work(ticket, done))

    def close(self, timeout: float = 10.0) -> None:
        self._work.put(None)
        if self._thread.is_alive():
            self._thread.join(timeout)

    # -- the spool's thread ----------------------------------------------------

    def _run(self) -> None:
        if self.ask_status:
            self._look()
        while True:
            bad = self.state is not None and not self.state.prints
            try:
                work = self._work.get(timeout=self.poll_seconds if bad else None)
            except queue.Empty:
                self._look()  # waiting for it to recover
                continue
            if work is None:
                return
            if work.done is not None:
                self.call_soon(work.done, self._print(work.ticket))
                continue
            request_id = work.ticket.request_id
            with self._lock:
                error = self._jobs.send(request_id, time.monotonic())
            if error is None:
                error = self._print(work.ticket)
                with self._lock:
                    self._jobs.finish(request_id, error)
            else:
                log.warning("ticket %s dropped: %s", work.ticket.number, error)
            self.call_soon(self.on_printed, request_id, error)

    def _print(self, ticket: Ticket) -> str | None:
        if self.ask_status:
            state = self._look()
            if not state.prints:
                log.error("ticket %s not sent: printer %s", ticket.number, PRINTER_WORDS[state])
                return f"printer {PRINTER_WORDS[state]}"
        try:
            self.printer.print_ticket(ticket)
        except PrinterError as exc:
            log.error("ticket %s not printed: %s", ticket.number, exc)
            self._seen(PrinterState.FAILED, str(exc))
            return str(exc)
        if self.ask_status:
            state = self._look()
            if state is PrinterState.PAPER_OUT:  # it ran out during this ticket
                return f"printer {PRINTER_WORDS[state]}"
        else:
            self._seen(PrinterState.OK, "ticket sent")
        return None

    def _look(self) -> PrinterState:
        try:
            state = self.printer.status()
        except PrinterError as exc:
            self._seen(PrinterState.NOT_ANSWERING, str(exc))
            return PrinterState.NOT_ANSWERING
        self._seen(state, PRINTER_WORDS[state])
        return state

    def _seen(self, state: PrinterState, detail: str) -> None:
        if state is not self.state:
            log.info("printer: %s (%s)", state.value, detail)
            self.state = state
            self.call_soon(self.on_state, state, detail)
