"""A queue ticket laid out as ESC/POS bytes. The only module that imports escpos.

Pure: content in, bytes out; no I/O beyond reading a font for pictures.
python-escpos builds the commands on its `Dummy` printer (which only collects
bytes) with the configured printer profile; sending them is
printer/serial_port.py's business: layout stays a pure function whose bytes
tests can compare, as python-escpos's own tests do.

How each line reaches paper, decided line by line:
- Latin text (English, Dutch accents) in one single-byte code page the
  profile has (CP858 first: it has é, ë, ï and €), chosen once per ticket
  with `ESC t`; letters the page lacks are folded (ł → l).
- Chinese in the printer's own double-byte mode (`FS &` … `FS .`) when the
  config names its character set (GB18030 or Big5) and the line fits it:
  about two bytes a character.
- Anything else (Chinese without that mode, a simplified character a Big5
  printer lacks) as a picture of the line.

Every text passes printer/text_fit.py's `clean` first: python-escpos's
`text()` lets control bytes through, and on its own it sends a whole line as
GB18030 once it sees one Chinese character, garbling the Latin around it
(both tried with python-escpos 3.1); here escpos's encoder is pinned to the chosen code page.
"""

from __future__ import annotations

import copy
import logging

from escpos.exceptions import Error as EscposError
from escpos.printer import Dummy

from printer.raster_text import text_picture
from printer.text_fit import clean, columns, encodes, in_code_page, wrap
from printer.ticket_content import ANY_PRINTER, PrinterSetup, TicketContent
from shell.ports import PrinterError

log = logging.getLogger(__name__)

KANJI_ON, KANJI_OFF = b"\x1c&", b"\x1c."  # FS &, FS .: the double-byte mode
QR_MAX = 300
QR_SIZE = 5  # dots per module: about 2.5 cm across for a 16-character id
NUMBER_MAX = 12
CODECS = {"gb18030": "gb18030", "big5": "big5"}


def _printer(setup: PrinterSetup) -> Dummy:
    try:
        p = Dummy(profile=setup.profile)
    except (KeyError, EscposError) as exc:  # escpos raises KeyError for a name it does not know
        raise PrinterError(f"unknown printer profile {setup.profile!r} (not in python-escpos's capabilities)") from exc
    media = p.profile.profile_data["media"]
    if media["width"]["pixels"] == "Unknown":
        # escpos prints a warning to stdout on every image for such a profile;
        # tell this instance (not the shared profile) the configured paper.
        data = copy.deepcopy(p.profile.profile_data)
        data["media"]["width"] = {"mm": setup.paper_mm, "pixels": setup.dots}
        p.profile.profile_data = data
    return p


def check(setup: PrinterSetup) -> None:
    """PrinterError if python-escpos does not know the setup's profile."""
    _printer(setup)


def code_page(p: Dummy, setup: PrinterSetup) -> str:
    """The first preferred code page this printer has (escpos name, e.g. CP858)."""
    have = set(p.profile.profile_data["codePages"].values())
    return next((name for name in setup.code_pages if name in have), "CP437")


class _Lines:
    """Writes lines onto the Dummy, each in the cheapest form the printer reads."""

    def __init__(self, p: Dummy, setup: PrinterSetup) -> None:
        self.p = p
        self.setup = setup
        self.page = code_page(p, setup)
        self.codec = self.page.lower()
        self.double_byte = CODECS.get(setup.double_byte)
        if self.double_byte:
            p._raw(KANJI_OFF)  # some Chinese printers start in double-byte mode
        p.charcode(self.page)  # ESC t n, and escpos's encoder stays on this page

    def line(self, text: str) -> None:
        for part in wrap(text, self.setup.columns):
            self._one(part)

    def _one(self, text: str) -> None:
        latin = in_code_page(text, self.codec)
        if latin is not None:
            self.p.text(latin + "\n")
        elif self.double_byte and encodes(text, self.double_byte):
            self.p._raw(KANJI_ON + text.encode(self.double_byte) + KANJI_OFF + b"\n")
        else:
            self.picture(text)

    def picture(self, text: str) -> None:
        self.p.image(text_picture(text, self.setup.dots), impl=_image_impl(self.p), center=False)


def _image_impl(p: Dummy) -> str:
    supports = p.profile.supports
    return next((name for name in ("bitImageRaster", "graphics", "bitImageColumn") if supports(name)), "bitImageRaster")


def _qr(p: Dummy, payload: str) -> None:
    """A native QR code (GS ( k, about 40 bytes) where the profile has one, a
    raster picture of the code otherwise (thousands of bytes)."""
    if p.profile.supports("qrCode"):
        p.qr(payload, native=True, size=QR_SIZE)
    else:
        p.qr(payload, native=False, size=QR_SIZE, image_arguments={"impl": _image_impl(p), "center": False})


def layout(content: TicketContent, setup: PrinterSetup = ANY_PRINTER) -> bytes:
    """The ticket's bytes: store, greeting, number in large type, type, details,
    place in line, expected wait, time, QR code, thanks, cut.

    Raises PrinterError for an unknown profile or a layout escpos refuses.
    """
    p = _printer(setup)
    try:
        lines = _Lines(p, setup)
        p.set(align="center", bold=True)
        lines.line(clean(content.store))
        p.set(bold=False)
        lines.line(clean(content.greeting))
        p.set(bold=True, double_width=True, double_height=True)
        number = clean(content.number, NUMBER_MAX)
        lines.line(number if columns(number) * 2 <= setup.columns else number[: setup.columns // 2])
        p.set(normal_textsize=True)
        lines.line(clean(content.kind))
        p.set(bold=False)
        for detail in content.details[:3]:
            lines.line(clean(detail))
        for text in (content.place, content.wait, content.time):
            if text:
                lines.line(clean(text))
        payload = "".join(ch for ch in clean(content.qr, QR_MAX) if " " < ch <= "~")
        if payload:
            _qr(p, payload)
        if content.thanks:
            lines.line(clean(content.thanks))
        p.cut()  # feeds past the cutter first; a profile without a cutter gets the feed
    except (EscposError, ValueError) as exc:
        raise PrinterError(f"cannot lay out ticket {content.number}: {exc}") from exc
    return bytes(p.output)
