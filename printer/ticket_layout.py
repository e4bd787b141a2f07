"""A queue ticket laid out as ESC/POS bytes. The only module that imports escpos.

Pure: ticket in, bytes out. python-escpos builds the commands on its `Dummy`
printer (which only collects bytes), with the configured printer profile;
sending them is printer/serial_port.py's business (ARCHITECTURE §2).

Every piece of text passes `printable()` first: python-escpos's `text()` lets
control bytes through (a shopper's note holding ESC @, GS V or ESC p would
reset the printer, cut the paper or open a cash drawer), and one character it
cannot place in a code page makes it send a whole line as GB18030, garbling
the rest (ARCHITECTURE §7). This version prints Latin text: accents are
folded (é → e), other scripts become '?'.
"""

from __future__ import annotations

import unicodedata
from datetime import tzinfo

from escpos.exceptions import Error as EscposError
from escpos.printer import Dummy

from core.model import Kind, Ticket
from core.text import clean_text
from shell.ports import PrinterError

KIND_WORDS = {Kind.FIND: "Find an item", Kind.RETURN: "Return an item", Kind.HELP: "Ask for help"}
HELP_TOPICS = {"question": "Product question", "complaint": "Complaint", "other": "Something else"}
LINE = 32  # characters per line in font A on 58 mm paper; 80 mm fits 48
DETAIL_MAX = 2 * LINE


def printable(text: str, limit: int = LINE) -> str:
    """One line of plain printable ASCII: no byte that a printer could obey."""
    cleaned = clean_text(text, 4 * limit)  # no control or format characters, one line
    folded = unicodedata.normalize("NFKD", cleaned)
    kept = "".join(ch for ch in folded if not unicodedata.combining(ch))
    ascii_only = "".join(ch if " " <= ch <= "~" else "?" for ch in kept)
    return ascii_only[:limit]


def detail_line(ticket: Ticket) -> str:
    """The one detail staff and shopper care about, by request type."""
    details = ticket.details
    if ticket.kind is Kind.FIND:
        return details.get("item", "")
    if ticket.kind is Kind.RETURN:
        return details.get("reason", "")
    return HELP_TOPICS.get(details.get("topic", ""), "")


def layout(
    ticket: Ticket, *, store_name: str, tz: tzinfo, profile: str = "default", qr_payload: str | None = None
) -> bytes:
    """The ticket's bytes: store, number in large type, type, place, time, QR, cut."""
    try:
        p = Dummy(profile=profile)
    except Exception as exc:  # escpos raises several kinds for an unknown profile
        raise PrinterError(f"unknown printer profile {profile!r}: {exc}") from exc
    try:
        p.set(align="center", bold=True)
        p.text(printable(store_name) + "\n")
        p.set(align="center", bold=False)
        p.text("Welcome! Your ticket:\n")
        p.set(align="center", bold=True, double_width=True, double_height=True)
        p.text(printable(ticket.number, 12) + "\n")
        p.set(align="center", normal_textsize=True, bold=False)
        p.text(KIND_WORDS[ticket.kind] + "\n")
        detail = detail_line(ticket)
        if detail:
            p.text(printable(detail) + "\n")
        if ticket.place_in_line > 0:
            p.text(f"Place in line: {ticket.place_in_line}\n")
        p.text(f"{ticket.issued_at.astimezone(tz):%Y-%m-%d %H:%M}\n")
        # Native QR (GS ( k): about 30 bytes where an image QR is thousands.
        native = bool(p.profile.supports("qrCode"))
        p.qr(printable(qr_payload or ticket.request_id, 200), native=native, size=5)
        p.text("Thank you for waiting.\n")
        p.cut()
    except EscposError as exc:
        raise PrinterError(f"cannot lay out ticket {ticket.number}: {exc}") from exc
    return bytes(p.output)
