"""Reading back what a printer was sent: text lines, large text, QR codes, cuts.

Pure: bytes in, tickets out. For tests, the virtual printer and previews. It
knows the ESC/POS commands a receipt printer commonly gets, skips each by its
length, and never fails on junk: an unknown byte is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ESC, GS, DLE, FS = 0x1B, 0x1D, 0x10, 0x1C

# Commands with a fixed number of parameter bytes after the two command bytes.
_ESC_PARAMS = {
    ord("@"): 0, ord("2"): 0, ord("<"): 0,
    ord("!"): 1, ord("-"): 1, ord("3"): 1, ord("E"): 1, ord("G"): 1, ord("J"): 1, ord("M"): 1,
    ord("R"): 1, ord("U"): 1, ord("V"): 1, ord("a"): 1, ord("d"): 1, ord("e"): 1, ord("r"): 1,
    ord("t"): 1, ord("{"): 1, ord("$"): 2, ord("\\"): 2, ord("p"): 3,
}  # fmt: skip
_GS_PARAMS = {
    ord("!"): 1, ord("B"): 1, ord("H"): 1, ord("I"): 1, ord("a"): 1, ord("b"): 1, ord("f"): 1,
    ord("h"): 1, ord("r"): 1, ord("w"): 1, ord("L"): 2, ord("W"): 2, ord("P"): 2,
}  # fmt: skip
_FS_PARAMS = {ord("&"): 0, ord("."): 0, ord("!"): 1, ord("C"): 1, ord("p"): 2}


@dataclass
class PrintedTicket:
    lines: list[str] = field(default_factory=list)  # every line of text, in order
    large: list[str] = field(default_factory=list)  # the lines printed enlarged
    qr: list[str] = field(default_factory=list)  # native QR payloads
    cut: bool = False
    images: int = 0  # raster images (an image QR, a logo)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.tickets: list[PrintedTicket] = []
        self.current = PrintedTicket()
        self.line = bytearray()
        self.large = False

    def end_line(self) -> None:
        text = self.line.decode("cp437").strip()
        if text:
            self.current.lines.append(text)
            if self.large:
                self.current.large.append(text)
        self.line.clear()

    def cut(self) -> None:
        self.end_line()
        self.current.cut = True
        self.tickets.append(self.current)
        self.current = PrintedTicket()

    def run(self) -> list[PrintedTicket]:
        i, data = 0, self.data
        while i < len(data):
            byte = data[i]
            if byte in (ESC, GS, FS, DLE):
                i = self.command(i)
            elif byte == 0x0A:
                self.end_line()
                i += 1
            elif byte >= 0x20:
                self.line.append(byte)
                i += 1
            else:
                i += 1  # CR, NUL and other control bytes print nothing
        self.end_line()
        if self.current.lines or self.current.qr or self.current.images:
            self.tickets.append(self.current)  # not cut (yet)
        return self.tickets

    def command(self, i: int) -> int:
        """Apply the command at `i`; the index after it."""
        data = self.data
        if i + 1 >= len(data):
            return len(data)
        prefix, name = data[i], data[i + 1]
        arg = data[i + 2] if i + 2 < len(data) else 0
        if prefix == DLE:
            return i + 3  # DLE EOT n, DLE ENQ n: real-time requests
        if prefix == FS:
            return i + 2 + _FS_PARAMS.get(name, 0)
        if prefix == ESC:
            if name == ord("!"):
                self.set_large(bool(arg & 0x30))  # double height / double width bits
            elif name == ord("*"):  # bit image: m nL nH, then nL+nH*256 columns
                width = data[i + 3] + 256 * data[i + 4] if i + 4 < len(data) else 0
                self.current.images += 1
                return i + 5 + width * (3 if arg >= 32 else 1)
            elif name == ord("D"):  # tab stops, ended by NUL
                end = data.find(b"\x00", i + 2)
                return len(data) if end < 0 else end + 1
            return i + 2 + _ESC_PARAMS.get(name, 0)
        # GS
        if name == ord("!"):
            self.set_large(arg != 0)
            return i + 3
        if name == ord("V"):
            self.cut()
            return i + 4 if arg in (65, 66, 97, 98, 103, 104) else i + 3
        if name == ord("(") or (name == ord("8") and arg == ord("L")):
            return self.block(i)
        if name == ord("v") and arg == ord("0"):  # raster image: m xL xH yL yH
            if i + 7 >= len(data):
                return len(data)
            width, height = data[i + 4] + 256 * data[i + 5], data[i + 6] + 256 * data[i + 7]
            self.current.images += 1
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
        """GS ( x pL pH … or GS 8 L p1 p2 p3 p4 …: a counted block of bytes."""
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
        # GS ( k … 49 80 48 <data>: store QR data; 49 65 … 49 81 set up and print it.
        if data[i + 2] == ord("k") and body[:3] == b"1P0":
            self.current.qr.append(body[3:].decode("latin-1"))
        elif data[i + 1] == ord("8") or data[i + 2] == ord("L"):
            self.current.images += 1
        return start + size


def decode(data: bytes) -> list[PrintedTicket]:
    """Every ticket in a byte stream, split at each cut; the last one may be uncut."""
    return _Reader(bytes(data)).run()
