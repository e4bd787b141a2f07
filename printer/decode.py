"""Reading back what a printer was sent: text lines, large text, QR codes, cuts.

Pure: bytes in, tickets out; no I/O. For tests, the virtual printer and
previews. It knows the ESC/POS commands a receipt printer commonly gets and
skips each by its length; it never fails on junk: an unknown byte is skipped,
a command cut short by the end of the data ends the decoding.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

ESC, GS, DLE, FS = 0x1B, 0x1D, 0x10, 0x1C

# Commands with a fixed number of parameter bytes after the two command bytes.
_ESC_PARAMS = {
    ord("@"): 0, ord("2"): 0, ord("<"): 0,
    ord("!"): 1, ord("-"): 1, ord("3"): 1, ord("E"): 1, ord("G"): 1, ord("J"): 1, ord("M"): 1,
    ord("R"): 1, ord("U"): 1, ord("V"): 1, ord("a"): 1, ord("c"): 2, ord("d"): 1, ord("e"): 1, ord("r"): 1,
    ord("t"): 1, ord("{"): 1, ord("$"): 2, ord("\\"): 2, ord("p"): 3, ord("%"): 1, ord("?"): 1, ord(" "): 1,
}  # fmt: skip
_GS_PARAMS = {
    ord("!"): 1, ord("B"): 1, ord("H"): 1, ord("I"): 1, ord("a"): 1, ord("b"): 1, ord("f"): 1,
    ord("h"): 1, ord("r"): 1, ord("w"): 1, ord("L"): 2, ord("W"): 2, ord("P"): 2, ord("$"): 2, ord("\\"): 2,
}  # fmt: skip
_FS_PARAMS = {ord("&"): 0, ord("."): 0, ord("!"): 1, ord("-"): 1, ord("C"): 1, ord("W"): 1, ord("p"): 2}
# DLE real-time commands: DLE EOT n, DLE ENQ n, DLE DC4 fn m t.
_DLE_PARAMS = {0x04: 1, 0x05: 1, 0x14: 3}

# ESC t n: the character tables of the Epson standard that Python can decode.
CODE_PAGES = {
    0: "cp437", 2: "cp850", 3: "cp860", 4: "cp863", 5: "cp865", 16: "cp1252", 17: "cp866", 18: "cp852",
    19: "cp858", 39: "iso8859_2", 40: "iso8859_15", 45: "cp1250", 46: "cp1251",
}  # fmt: skip
_CUTS_WITH_FEED = (65, 66, 97, 98, 103, 104)  # GS V m n; m 0, 1, 48, 49 take no n


@dataclass(frozen=True)
class PrintedTicket:
    """What came out of the printer between two cuts."""

    lines: list[str] = field(default_factory=list)  # every line of text, in order
    qr: list[str] = field(default_factory=list)  # native QR payloads
    cut: bool = False  # False: the data ended before the next cut
    large: list[str] = field(default_factory=list)  # the lines printed enlarged
    images: int = 0  # raster/bit images (an image QR, a logo)
    # Everything in print order, for pictures: ("text" | "large" | "qr" |
    # "picture", content); a picture's content is its index in `pictures`.
    rows: list[tuple[str, str]] = field(default_factory=list)
    # Raster images (GS v 0) as sent: (bytes per row, rows, bits; 1 = black).
    pictures: list[tuple[int, int, bytes]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


class _Reader:
    def __init__(self, data: bytes, double_byte: str) -> None:
        self.data = data
        self.double_byte = double_byte
        self.tickets: list[PrintedTicket] = []
        self.consumed = 0  # bytes up to and including the last cut
        self.line = bytearray()
        self.segments: list[str] = []  # the line so far, decoded where the character set changed
        self.large = False
        self.codec = "cp437"
        self.kanji = False  # FS & … FS .: the printer's double-byte mode
        self._fresh()

    def _fresh(self) -> None:
        self.rows: list[tuple[str, str]] = []
        self.pictures: list[tuple[int, int, bytes]] = []
        self.images = 0

    def switch(self) -> None:
        """The character set is about to change: decode what came before."""
        codec = self.double_byte if self.kanji else self.codec
        self.segments.append(self.line.decode(codec, errors="replace"))
        self.line.clear()

    def end_line(self) -> None:
        self.switch()
        text = "".join(self.segments).strip()
        if text:
            self.rows.append(("large" if self.large else "text", text))
        self.segments.clear()

    def ticket(self, cut: bool) -> PrintedTicket:
        return PrintedTicket(
            lines=[text for kind, text in self.rows if kind != "qr"],
            qr=[text for kind, text in self.rows if kind == "qr"],
            cut=cut,
            large=[text for kind, text in self.rows if kind == "large"],
            images=self.images,
            rows=list(self.rows),
            pictures=list(self.pictures),
        )

    def cut(self, end: int) -> None:
        self.end_line()
        self.tickets.append(self.ticket(cut=True))
        self.consumed = min(end, len(self.data))
        self._fresh()

    def run(self) -> list[PrintedTicket]:
        i, data = 0, self.data
        while i < len(data):
            byte = data[i]
            if byte in (ESC, GS, FS, DLE):
                i = self.command(i)
            elif byte in (0x0A, 0x0C):  # LF, FF: print the line
                self.end_line()
                i += 1
            elif byte >= 0x20 and byte != 0x7F:
                self.line.append(byte)
                i += 1
            else:
                i += 1  # CR, NUL, DEL and other control bytes print nothing
        self.end_line()
        if self.rows or self.images:
            self.tickets.append(self.ticket(cut=False))
        return self.tickets

    def command(self, i: int) -> int:
        """Apply the command at `i`; the index after it."""
        data = self.data
        if i + 1 >= len(data):
            return len(data)
        prefix, name = data[i], data[i + 1]
        arg = data[i + 2] if i + 2 < len(data) else 0
        if prefix == DLE:
            return i + 2 + _DLE_PARAMS.get(name, 0)
        if prefix == FS:
            if name == ord("("):
                return self.block(i)
            if name in (ord("&"), ord(".")):
                self.switch()
                self.kanji = name == ord("&")
            return i + 2 + _FS_PARAMS.get(name, 0)
        if prefix == ESC:
            return self.esc(i, name, arg)
        return self.gs(i, name, arg)

    def esc(self, i: int, name: int, arg: int) -> int:
        data = self.data
        if name == ord("@"):  # initialise: back to normal text and the first table
            self.end_line()
            self.large, self.codec, self.kanji = False, "cp437", False
        elif name == ord("!"):
            self.set_large(bool(arg & 0x30))  # double height / double width bits
        elif name == ord("t"):
            self.switch()
            self.codec = CODE_PAGES.get(arg, "cp437")
        elif name in (ord("d"), ord("J")):  # print and feed
            self.end_line()
        elif name == ord("*"):  # bit image: m nL nH, then nL+nH*256 columns
            width = data[i + 3] + 256 * data[i + 4] if i + 4 < len(data) else 0
            self.images += 1
            return i + 5 + width * (3 if arg >= 32 else 1)
        elif name == ord("D"):  # tab stops, ended by NUL
            end = data.find(b"\x00", i + 2)
            return len(data) if end < 0 else end + 1
        elif name == ord("("):
            return self.block(i)
        return i + 2 + _ESC_PARAMS.get(name, 0)

    def gs(self, i: int, name: int, arg: int) -> int:
        data = self.data
        if name == ord("!"):
            self.set_large(arg != 0)
            return i + 3
        if name == ord("V"):
            end = i + 4 if arg in _CUTS_WITH_FEED else i + 3
            self.cut(end)
            return end
        if name == ord("(") or (name == ord("8") and arg == ord("L")):
            return self.block(i)
        if name == ord("v") and arg == ord("0"):  # raster image: m xL xH yL yH
            if i + 7 >= len(data):
                return len(data)
            width, height = data[i + 4] + 256 * data[i + 5], data[i + 6] + 256 * data[i + 7]
            self.end_line()
            self.rows.append(("picture", str(len(self.pictures))))
            self.pictures.append((width, height, bytes(data[i + 8 : i + 8 + width * height])))
            self.images += 1
            return i + 8 + width * height
        if name == ord("k"):  # barcode: m, then NUL-ended (m <= 6) or n bytes
            if arg <= 6:
                end = data.find(b"\x00", i + 3)
                return len(data) if end < 0 else end + 1
            return i + 4 + (data[i + 3] if i + 3 < len(data) else 0)
        return i + 2 + _GS_PARAMS.get(name, 0)

    def set_large(self, large: bool) -> None:
        if large != self.large and self.line:
            self.end_line()
        self.large = large

    def block(self, i: int) -> int:
        """X ( x pL pH … or GS 8 L p1 p2 p3 p4 …: a counted block of bytes."""
        data = self.data
        if data[i + 1] == ord("8"):
            if i + 6 >= len(data):
                return len(data)
            size = int.from_bytes(data[i + 3 : i + 7], "little")
            start = i + 7
        else:
            if i + 4 >= len(data):
                return len(data)
            size = data[i + 3] + 256 * data[i + 4]
            start = i + 5
        body = data[start : start + size]
        # GS ( k … 49 80 48 <data>: store QR data (cn 49, fn 80); fn 81 prints it.
        if data[i] == GS and data[i + 2] == ord("k") and body[:3] == b"1P0":
            self.end_line()
            self.rows.append(("qr", body[3:].decode("utf-8", errors="replace")))
        elif data[i] == GS and (data[i + 1] == ord("8") or data[i + 2] == ord("L")):
            self.images += 1
        return start + size


def decode(data: bytes, double_byte: str = "gb18030") -> list[PrintedTicket]:
    """Every ticket in a byte stream, split at each cut; the last one may be uncut.

    `double_byte` is the printer's own character set for `FS &` text (gb18030, big5).
    """
    return _Reader(bytes(data), double_byte or "gb18030").run()


def tickets_in(data: bytes, double_byte: str = "gb18030") -> tuple[list[PrintedTicket], int]:
    """The finished (cut) tickets in `data`, and how many bytes they took.

    For a reader of a live stream: keep `data[taken:]` and decode it again,
    with more bytes, once they arrive.
    """
    reader = _Reader(bytes(data), double_byte or "gb18030")
    tickets = reader.run()
    return [t for t in tickets if t.cut], reader.consumed
