"""A queue ticket laid out as ESC/POS bytes. The only module that imports escpos.

Pure: ticket in, bytes out; no I/O. python-escpos builds the commands on its
`Dummy` printer (which only collects bytes), with the configured printer
profile; sending them is printer/serial_port.py's business (ARCHITECTURE §2).

Every piece of text passes `printable()` first: python-escpos's `text()` lets
control bytes through (a shopper's note holding ESC @, GS V or ESC p would
reset the printer, cut the paper or open a cash drawer), and one character it
cannot place in a code page makes it send a whole line as GB18030, garbling
the rest (ARCHITECTURE §7). This version prints plain ASCII: accents are
folded (é → e, ß → ss), other scripts become '?'. Printing other languages
needs code pages or images and comes later.
"""

from __future__ import annotations

import logging
import unicodedata
from datetime import tzinfo

from escpos.exceptions import Error as EscposError
from escpos.printer import Dummy

from core.model import Kind, Ticket
from core.text import clean_text
from shell.ports import PrinterError

log = logging.getLogger(__name__)

KIND_WORDS = {Kind.FIND: "Find an item", Kind.RETURN: "Return an item", Kind.HELP: "Ask for help"}
HELP_TOPICS = {"question": "Product question", "complaint": "Complaint", "other": "Something else"}
LINE = 32  # characters per line in font A on 58 mm paper (80 mm fits 48): every line fits both
NUMBER_MAX = 12  # double width: 16 fit on 58 mm paper
QR_MAX = 200
QR_SIZE = 5  # dots per module: about 2.5 cm across for a 16-character id

# Latin letters that NFKD does not take apart, and punctuation people paste.
_FOLD = str.maketrans(
    {
        "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O",
        "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ı": "i",
        "‘": "'", "’": "'", "‚": ",", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"',
        "–": "-", "—": "-", "‐": "-", "−": "-", "€": "EUR", "£": "GBP", "•": "*", "·": ".",
    }
)  # fmt: skip


def printable(text: str, limit: int = LINE, *, ellipsis: bool = False) -> str:
    """One line of plain printable ASCII (0x20-0x7E): no byte a printer could obey.

    `clean_text` drops C0, DEL, C1 and format characters (bidi overrides);
    anything left outside printable ASCII becomes '?', so escpos never has a
    reason to switch code page or encoding for it.
    """
    cleaned = clean_text(text, 4 * limit + 8).translate(_FOLD)
    folded = unicodedata.normalize("NFKD", cleaned)
    kept = "".join(ch for ch in folded if not unicodedata.combining(ch))
    line = "".join(ch if " " <= ch <= "~" else "?" for ch in kept).strip()
    if len(line) > limit:
        line = line[: limit - 3].rstrip() + "..." if ellipsis and limit > 3 else line[:limit]
    return line


def detail_line(ticket: Ticket) -> str:
    """The one detail staff and shopper care about, by request type."""
    details = ticket.details
    if ticket.kind is Kind.FIND:
        return details.get("item", "")
    if ticket.kind is Kind.RETURN:
        return details.get("reason", "")
    topic = details.get("topic", "")
    return HELP_TOPICS.get(topic, topic)


def _printer(profile: str) -> Dummy:
    try:
        return Dummy(profile=profile)
    except (KeyError, EscposError) as exc:  # escpos raises KeyError for a name it does not know
        raise PrinterError(f"unknown printer profile {profile!r} (not in python-escpos's capabilities)") from exc


def _qr(p: Dummy, payload: str, profile: str) -> None:
    """A native QR code (about 40 bytes); an image only where the profile has no QR command."""
    features = p.profile.supports
    if features("qrCode"):
        p.qr(payload, native=True, size=QR_SIZE)
        return
    # Same image command choice as escpos's own image(), limited to what the profile has.
    impl = next((name for name in ("bitImageRaster", "graphics", "bitImageColumn") if features(name)), None)
    if impl is None:
        log.info("printer profile %s prints no QR codes or images; printing the code as text", profile)
        p.text(payload + "\n")
        return
    p.qr(payload, native=False, size=QR_SIZE, image_arguments={"impl": impl, "center": False})


def layout(
    ticket: Ticket, *, store_name: str, tz: tzinfo, profile: str = "default", qr_payload: str | None = None
) -> bytes:
    """The ticket's bytes: store, welcome, number in large type, type, detail,
    place, local time, QR code (the request id unless `qr_payload`), thanks, cut.

    Raises PrinterError for an unknown profile or a layout escpos refuses.
    """
    p = _printer(profile)
    try:
        p.set(align="center", bold=True)
        p.text(printable(store_name) + "\n")
        p.set(align="center", bold=False)
        p.text("Welcome! Your ticket:\n")
        p.set(align="center", bold=True, double_width=True, double_height=True)
        p.text(printable(ticket.number, NUMBER_MAX) + "\n")
        p.set(align="center", normal_textsize=True, bold=False)
        p.text(KIND_WORDS[ticket.kind] + "\n")
        detail = printable(detail_line(ticket), ellipsis=True)
        if detail:
            p.text(detail + "\n")
        if ticket.place_in_line > 0:
            p.text(f"Place in line: {ticket.place_in_line}\n")
        p.text(f"{ticket.issued_at.astimezone(tz):%Y-%m-%d %H:%M}\n")
        payload = printable(qr_payload or ticket.request_id, QR_MAX)
        if payload:
            _qr(p, payload, profile)
        p.text("Thank you for waiting.\n")
        # Feeds past the cutter, then cuts; a profile without a cutter gets the feed only.
        p.cut()
    except (EscposError, ValueError) as exc:
        raise PrinterError(f"cannot lay out ticket {ticket.number}: {exc}") from exc
    return bytes(p.output)
