"""What goes on a printed ticket, in words, and what the printer can do.

Pure: plain values, no I/O. The kiosk fills `TicketContent` in the shopper's
language (kiosk/printed_ticket.py); printer/ticket_layout.py turns it into
bytes for a `PrinterSetup`. Keeping the words out of the layout keeps the
layout free of languages and the wording free of printer commands.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Font A (12 x 24 dots) columns and printable dots at 203 dpi, by paper width
# (core/model.py PAPER_WIDTHS).
_COLUMNS = {58: 32, 80: 48}
_DOTS = {58: 384, 80: 576}


@dataclass(frozen=True)
class TicketContent:
    """Every line of one ticket, already in the shopper's language."""

    number: str  # printed large: "H-007"
    kind: str  # "Ask for help"
    store: str = ""
    greeting: str = ""  # "Good morning! Your ticket:"
    details: tuple[str, ...] = ()  # the item and where it is, the return reason, the topic
    place: str = ""  # "You are number 2 in line"; empty once nobody waits ahead
    wait: str = ""  # "Expected wait: about 3 min"
    time: str = ""  # "2026-11-24 10:15", store-local
    qr: str = ""  # the QR code's payload (the request id or a URL); empty: no code
    thanks: str = ""
    language: str = "en"  # kiosk language code: zh_* text may use the double-byte mode


@dataclass(frozen=True)
class PrinterSetup:
    """The printer as configured: python-escpos profile, paper, character sets."""

    profile: str = "default"
    paper_mm: int = 80
    double_byte: str = ""  # "gb18030" | "big5" | "": Chinese then printed as pictures
    code_pages: tuple[str, ...] = field(default=("CP858", "CP1252", "CP850", "CP437"))

    @property
    def columns(self) -> int:
        return _COLUMNS[self.paper_mm]

    @property
    def dots(self) -> int:
        return _DOTS[self.paper_mm]


ANY_PRINTER = PrinterSetup()  # python-escpos's default profile on 80 mm paper, no Chinese characters
