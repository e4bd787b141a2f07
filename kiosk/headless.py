"""The headless kiosk: the same service as the touchscreen, driven by lines.

One command per line on stdin, one event per line on stdout, each starting
with a keyword (docs in README "Headless kiosk"). For a service-desk terminal,
scripted demos and load tests. Touches stdin/stdout and the kiosk service.
"""

from __future__ import annotations

import shlex
import sys
import threading
from typing import TextIO

from core.contact import ContactError, check_contact
from core.finder import Finder
from core.joining import TicketUnread
from core.model import FACES, Kind, LocalError, Request, Status
from core.self_test import ANSWER_SECONDS, result_words
from core.words import HELP_TOPICS
from kiosk.language import DEFAULT, LANGUAGES, shared_translations
from kiosk.printed_ticket import qr_text
from kiosk.wording import STORAGE_FULL, reasons_for
from shell.kiosk_service import KioskService, TicketView
from shell.loop import Loop
from shell.storage_watch import StorageUnwritable

USAGE = (
    "commands: find <query> | return <receipt or -> <reason> | help <question|complaint|other> [note]"
    " | feedback [ticket=<number, request id or QR link>] [contact=<phone or e-mail>] <1-4>"
    " [reasons: a word of each, comma-separated, or -] [comment]"
    " (contact= is the shopper's consent to be contacted; quote it when it has spaces:"
    " contact='+31 6 1234 5678'; an unhappy face with a contact alerts the managers)"
    " | search <terms> | language <en|nl|zh_Hans|zh_Hant> | cancel <ticket> | list"
    " | selftest [seconds to answer, 30 unless given] | selftest who | quit"
)
SEARCH_LIMIT = 8  # results a `search` prints


class HeadlessKiosk:
    def __init__(
        self, service: KioskService, loop: Loop, out: TextIO = sys.stdout, finder: Finder | None = None
    ) -> None:
        self.service = service
        self.finder = finder  # the store's catalog for `search`; None: no catalog
        self.loop = loop
        self.out = out
        self._last_status: dict[str, tuple[str, str | None, int]] = {}
        self._taking = False
        self.language = DEFAULT  # the shopper's, as picked on Welcome: kept with each request, its ticket printed in it
        service.listeners.append(self._status_changed)
        service.print_listeners.append(self._printed)
        service.printer_listeners.append(lambda state, detail: self.say("printer", state.value, shlex.quote(detail)))
        # Storage that cannot be written, and written again (shell/storage_watch.py): for staff.
        service.storage.listeners.append(
            lambda writable, detail: self.say("storage", "resumed" if writable else "unwritable", shlex.quote(detail))
        )
        service.self_test.listeners.append(lambda result: self.say("selftest", *result_words(result)))

    def say(self, *words: str) -> None:
        self.out.write(" ".join(words) + "\n")
        self.out.flush()

    # -- input ---------------------------------------------------------------

    def read(self, stream: TextIO) -> None:
        """Reader thread: hand every line to the loop; stop it at end of input."""
        for line in stream:
            self.loop.call_soon(self.handle, line)
        self.loop.call_soon(self.loop.stop)

    def start_reader(self, stream: TextIO) -> threading.Thread:
        thread = threading.Thread(target=self.read, args=(stream,), name="stdin", daemon=True)
        thread.start()
        return thread

    def handle(self, line: str) -> None:
        words = line.strip().split(maxsplit=1)
        if not words:
            return
        command, rest = words[0].lower(), (words[1] if len(words) > 1 else "")
        try:
            if command == "quit":
                self.loop.stop()
            elif command == "find":
                self._take(Kind.FIND, {"item": self._need(rest, "find needs what you are looking for")})
            elif command == "return":
                receipt, _, reason = rest.partition(" ")
                self._need(reason.strip(), "return needs a receipt number (or -) and a reason")
                self._take(Kind.RETURN, {"receipt": "" if receipt == "-" else receipt, "reason": reason})
            elif command == "help":
                topic, _, note = rest.partition(" ")
                if topic not in HELP_TOPICS:
                    raise ValueError(f"help needs a topic: {', '.join(HELP_TOPICS)}")
                self._take(Kind.HELP, {"topic": topic, "note": note})
            elif command == "feedback":
                self._feedback(rest)
            elif command == "search":
                self._search(self._need(rest, "search needs what you are looking for"))
            elif command == "language":
                codes = [code for code, _name in LANGUAGES]
                if rest.strip() not in codes:
                    raise ValueError(f"language needs one of {', '.join(codes)}")
                self.language = rest.strip()
                self.say("language", self.language)
            elif command == "cancel":
                self._cancel(rest.strip())
            elif command == "selftest":
                self._self_test(rest.strip())
            elif command == "list":
                for request in self.service.desk.open_requests():
                    self._status_changed(self.service.view(request.id), force=True)
            else:
                raise ValueError(f"unknown command {command!r}; {USAGE}")
        except StorageUnwritable as exc:
            # Nothing was taken: the shopper is sent to the desk, in their language, and no ticket line follows.
            sentence = shared_translations().tr(STORAGE_FULL, self.language)
            self.say("service-desk", shlex.quote(sentence), f"why={shlex.quote(str(exc))}")
        except (ValueError, LocalError) as exc:
            self.say("error", str(exc))

    @staticmethod
    def _need(value: str, message: str) -> str:
        if not value.strip():
            raise ValueError(message)
        return value.strip()

    def _take(self, kind: Kind, details: dict[str, str]) -> None:
        self._taking = True  # the ticket line comes first, then status lines
        try:
            view = self.service.request_help(kind, {**details, "language": self.language})
        finally:
            self._taking = False
        self._last_status[view.request.id] = (view.request.status.value, None, 0)
        # "printing": a `printed` line follows when the spool answers.
        printed = "printing" if view.printing else ("yes" if view.printed else "no")
        words = [
            "ticket",
            view.request.ticket,
            f"id={view.request.id}",
            f"type={kind.value}",
            f"place={view.place_in_line}",
            f"printed={printed}",
        ]
        if view.request.token:  # the store's QR opens the shopper's phone page (printer.qr_url with {token})
            words.append(f"link={self._phone_link(view.request)}")
        if view.print_error:
            words.append(f"printer_error={shlex.quote(view.print_error)}")
        self.say(*words)

    def _phone_link(self, request: Request) -> str:
        """The printed QR code's link: what the shopper's phone opens."""
        kiosk = self.service
        return qr_text(kiosk.qr_url, request.id, request.ticket, kiosk.store_id, kiosk.kiosk_id, request.token)

    def _feedback(self, rest: str) -> None:
        given, rest = feedback_options(rest)
        request_id, contact = "", ""
        if "ticket" in given:
            try:
                request_id = self.service.read_ticket(given["ticket"])
            except TicketUnread as exc:
                raise ValueError(f"feedback not kept: {exc}; scan the ticket's QR code or give its number") from None
        if "contact" in given:
            contact = checked_contact(given["contact"])
        words = rest.split(maxsplit=2)
        if not words or not words[0].isdigit() or int(words[0]) not in FACES:
            raise ValueError("feedback needs a rating from 1 (very unhappy) to 4 (very happy)")
        reasons: tuple[str, ...] = ()
        if len(words) > 1 and words[1] != "-":
            reasons = offered_reasons(int(words[0]), words[1])
        comment = words[2] if len(words) > 2 else ""
        feedback = self.service.give_feedback(int(words[0]), reasons, comment, contact, request_id=request_id)
        joined = [f"request={feedback.request_id}"] if feedback.request_id else []
        if feedback.contact:  # never repeated on the line: it is the shopper's own
            joined.append("contact=kept")
        self.say(
            "feedback",
            feedback.id,
            f"rating={feedback.rating}",
            f"face={shlex.quote(FACES[feedback.rating])}",
            *joined,
            "thanks",
        )

    def _search(self, terms: str) -> None:
        """The finder's results for `terms`, then the search kept (one finished search)."""
        if self.finder is None:
            raise ValueError("no catalog to search (catalog.path): nothing kept")
        found = self.finder.search(terms, limit=SEARCH_LIMIT)
        for item in found:
            where = [f"aisle={shlex.quote(item.aisle)}", f"shelf={shlex.quote(item.shelf)}", f"stock={item.stock}"]
            self.say("found", item.sku, shlex.quote(item.names["en"]), *where)
        self.service.searched(terms, found)
        search = self.service.search_finished()
        if search is None:
            raise ValueError("search not kept: nothing left to look for once cleaned, or the log could not be written")
        self.say("searched", search.id, f"results={search.results}", f"out_of_stock={len(search.out_of_stock)}")

    def _self_test(self, seconds: str) -> None:
        """Start the self test; its `selftest ok|failed …` line follows when it ends."""
        if seconds == "who":  # the pagers a test now would ask
            pagers = ",".join(sorted(self.service.self_test.pagers.values())) or "-"
            self.say("selftest", "who", f"pagers={shlex.quote(pagers)}")
            return
        if seconds and not seconds.isdigit():
            raise ValueError("selftest takes the seconds the pagers have to answer (e.g. selftest 30), or nothing")
        try:
            test = self.service.self_test.start(int(seconds) if seconds else ANSWER_SECONDS)
        except ValueError as exc:
            raise ValueError(f"selftest not started: {exc}") from None
        pagers = ",".join(name for _device, name in test.pagers) or "-"
        self.say("selftest", "started", f"test={test.test_id}", f"pagers={shlex.quote(pagers)}")

    def _cancel(self, ticket: str) -> None:
        for request in self.service.desk.open_requests():
            if request.ticket == ticket.upper():
                self.service.cancel(request.id)
                return
        raise ValueError(f"no open request {ticket!r}")

    # -- output --------------------------------------------------------------

    def _printed(self, request_id: str, error: str | None) -> None:
        request = self.service.desk.request(request_id)
        if request is not None:
            words = [f"printer_error={shlex.quote(error)}"] if error else []
            self.say("printed", request.ticket, "no" if error else "yes", *words)

    def _status_changed(self, view: TicketView, force: bool = False) -> None:
        if self._taking:
            return
        request = view.request
        state = (request.status.value, request.claimed_by, request.escalation)
        if not force and self._last_status.get(request.id) == state:
            return
        self._last_status[request.id] = state
        words = ["status", request.ticket, request.status.value]
        if request.claimed_by:
            words.append(shlex.quote(request.claimed_by))
        if request.status is Status.OPEN:
            words.append(f"place={view.place_in_line}")
            if request.escalation:
                words.append(f"escalation={request.escalation}")
        self.say(*words)


def offered_reasons(rating: int, typed: str) -> tuple[str, ...]:
    """The reasons the screen offers after this face, named by a word of each
    (`waited,staff`): the report counts the screen's reasons, not free words."""
    _question, offered = reasons_for(rating)
    chosen = []
    for word in (w.strip().lower() for w in typed.split(",") if w.strip()):
        matches = [reason for reason in offered if word in reason.lower()]
        if len(matches) != 1:
            named = "; ".join(offered)
            why = "is none of" if not matches else "names more than one of"
            raise ValueError(f"feedback not kept: reason {word!r} {why}: {named}")
        chosen.append(matches[0])
    return tuple(dict.fromkeys(chosen))


FEEDBACK_OPTIONS = ("ticket", "contact")
QUOTES = "\"'"


def feedback_options(rest: str) -> tuple[dict[str, str], str]:
    """The `ticket=` and `contact=` words before the rating, in any order, each once (a value
    with spaces in quotes: `contact='+31 6 1234 5678'`), and what follows them."""
    given: dict[str, str] = {}
    rest = rest.lstrip()
    while True:
        name = next((n for n in FEEDBACK_OPTIONS if rest.lower().startswith(f"{n}=")), None)
        if name is None:
            return given, rest
        if name in given:
            raise ValueError(f"feedback not kept: {name}= given twice")
        value = rest[len(name) + 1 :]
        if value[:1] and value[:1] in QUOTES:
            end = value.find(value[0], 1)
            if end < 0:
                raise ValueError(f"feedback not kept: the quote after {name}= is never closed")
            given[name], rest = value[1:end], value[end + 1 :].lstrip()
        else:
            word, _, rest = value.partition(" ")
            given[name], rest = word, rest.lstrip()


def checked_contact(typed: str) -> str:
    """The shopper's contact as the screen checks it (core/contact.py); leaving it is the consent
    to be contacted. Anything else is refused, and the refusal does not repeat what was typed."""
    try:
        contact = check_contact(typed)
    except ContactError:
        contact = ""
    if not contact:
        raise ValueError("feedback not kept: contact= needs a phone number (6 to 15 digits) or an e-mail address")
    return contact
