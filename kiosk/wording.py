"""What the kiosk says to the shopper, worked out from plain values.

Pure: no I/O, no Kivy. The screens show these strings; keeping them here keeps
the screens dumb and lets the tests check the wording without a window.
Every sentence is an English message id, marked `N_(...)` where it is only
named here and translated through `_` (kiosk/language.py) where it is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core import words
from core.catalog import Item
from core.joining import TicketUnread
from core.model import PrinterState, unhappy
from core.ticket_words import place_words, stand_words, wait_words
from shell.kiosk_service import TicketView

__all__ = ["place_words", "wait_words"]  # the printed ticket's and the tests' (core/ticket_words.py)

Translate = Callable[[str], str]


def N_(message: str) -> str:
    """Marks a message for translation where it is defined; `_` translates it where it is shown."""
    return message


# The shared English words (core/words.py), as the screens list them; they are
# message ids too (tests/test_languages.py reads them from there).
KIND_WORDS = words.KIND_WORDS
HELP_TOPICS = tuple(words.HELP_TOPICS.items())
RETURN_REASONS = (
    N_("Wrong size"),
    N_("Damaged or faulty"),
    N_("Not as described"),
    N_("Changed my mind"),
    N_("Other"),
)
FACES = tuple(words.FACE_WORDS.items())

# After the face: what to ask, and the reasons to choose from, by the answer.
UNHAPPY_REASONS = (
    N_("I waited too long"),
    N_("I could not find what I needed"),
    N_("Staff could not help me"),
    N_("Prices"),
    N_("Something else"),
)
HAPPY_REASONS = (
    N_("Quick help"),
    N_("Friendly staff"),
    N_("I found what I needed"),
    N_("Good prices"),
    N_("Something else"),
)


def reasons_for(rating: int) -> tuple[str, tuple[str, ...]]:
    """The question and the reasons to offer after a face (1 very unhappy … 4 very happy)."""
    if unhappy(rating):
        return N_("What could we do better?"), UNHAPPY_REASONS
    return N_("What went well?"), HAPPY_REASONS


# core/contact.py's message, named here so that it is translated.
BAD_CONTACT = N_("Enter a phone number or an e-mail address, or leave it empty.")
# When the kiosk's storage cannot be written (disk full): nothing the shopper asked for is kept,
# so the kiosk must not pretend it was (shell/storage_watch.py).
STORAGE_FULL = N_("This kiosk cannot take your request right now. Nothing was kept. Please go to the service desk.")


def storage_full_words(_: Translate = str) -> TicketWords:
    """The ticket screen when the request could not be kept: no number, the service desk."""
    return TicketWords(number="", kind="", headline=_(STORAGE_FULL), detail="", printer="", final=True)


def unread_ticket(problem: TicketUnread) -> str:
    """What the shopper is told when a scan names no ticket (core/joining.py), a message id."""
    if problem.earlier_day:
        return N_("That ticket is from an earlier day. Tap your number, or go on without a ticket.")
    return N_("That is not a ticket from this store. Scan the QR code on your ticket, or tap your number.")


def greeting(hour: int) -> str:
    """Good morning / afternoon / evening, by the store's local hour (a message id)."""
    if 5 <= hour < 12:
        return N_("Good morning!")
    if 12 <= hour < 18:
        return N_("Good afternoon!")
    return N_("Good evening!")


@dataclass(frozen=True)
class TicketWords:
    number: str
    kind: str
    headline: str
    detail: str
    printer: str  # empty when the ticket was printed
    final: bool
    wait: str = ""  # the expected wait, while nobody has come yet
    print_again: bool = False  # offer *Print again*: it failed and someone is still to come


def ticket_words(view: TicketView, _: Translate = str) -> TicketWords:
    """The ticket screen for one request, as it stands now, in the shopper's language."""
    request = view.request
    stand = stand_words(request, view.place_in_line, view.wait_seconds, _)
    if view.printing:
        printer = _("Printing your ticket…")
    elif view.print_error is not None:
        printer = _("Your ticket could not be printed. Please remember your number.")
    else:
        printer = ""
    return TicketWords(
        number=request.ticket,
        kind=_(KIND_WORDS[request.kind]),
        headline=stand.headline,
        detail=stand.detail,
        printer=printer,
        final=request.status.is_final,
        wait=stand.wait,
        print_again=view.can_print_again,
    )


def printer_words(port: str, state: PrinterState | None, detail: str, last_error: str | None) -> str:
    """The printer line on the staff maintenance screen (English: staff only)."""
    if not port:
        return "Printer: none configured (printer.port)"
    if state is None:
        said = "not asked yet"
    else:
        said = f"{state.value.replace('_', ' ')} ({detail})" if detail else state.value.replace("_", " ")
    return f"Printer {port}: {said}" + (f"; last ticket error: {last_error}" if last_error else "")


def connection_words(up: bool, _: Translate = str) -> str:
    if up:
        return ""
    return _("Staff pagers are not reachable right now: your request is kept and sent when they are back.")


def form_problem(what: str) -> str:
    """The message id shown when a form is sent incomplete."""
    return {
        "item": N_("Type what you are looking for, or scan it."),
        "reason": N_("Choose a reason for the return."),
        "topic": N_("Choose what you need help with."),
    }[what]


@dataclass(frozen=True)
class ItemRow:
    """One search result on the Find screen."""

    sku: str
    name: str
    where: str


def item_row(item: Item, language: str, _: Translate = str) -> ItemRow:
    """The item's name in the shopper's language, where it is and whether it is there."""
    where = _("Aisle {aisle} · Shelf {shelf}").format(aisle=item.aisle or "?", shelf=item.shelf or "?")
    stock = _("{count} in stock").format(count=item.stock) if item.stock > 0 else _("Out of stock")
    return ItemRow(item.sku, item.name(language), f"{where} · {stock}")


def find_details(item: Item, language: str = "en") -> dict[str, str]:
    """What a *Take me there* request tells staff: the item by its English name
    and where it is; the shopper's own name for it goes on their printed ticket."""
    details = {"item": item.names["en"], "sku": item.sku, "aisle": item.aisle, "shelf": item.shelf}
    if item.name(language) != details["item"]:
        details["item_local"] = item.name(language)
    return details
