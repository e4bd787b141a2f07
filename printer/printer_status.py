"""A receipt printer's real-time status (ESC/POS `DLE EOT n`), both directions.

Pure: standard library and core only; no I/O, no clock. The kiosk side sends
the queries and turns the one-byte answers into a PrinterState (`state_from`);
the virtual printer side finds the queries in what it receives
(`split_queries`) and builds the answers a printer would send (`status_byte`).
Keeping both here means the bits are written down once.

The bits, after the Epson ESC/POS reference for `DLE EOT n`:

- every status byte has bits 1 and 4 set and bits 0 and 7 clear
  (`byte & 0x93 == 0x12`); a byte that does not match is not a status answer
  (a stray byte, line noise, an Automatic Status Back packet) and counts as no
  answer at all;
- n=1 (printer status): bit 3 offline;
- n=2 (offline cause): bit 2 cover open, bit 5 printing stopped by paper end,
  bit 6 an error occurred;
- n=4 (roll paper sensor): bits 2 and 3 paper near end, bits 5 and 6 paper end.
  Either bit of a pair counts: a sensor half-way through reporting is better
  read as "check the paper" than as "fine".

Rules for `state_from`, first match wins:

1. no status answer at all          -> NOT_ANSWERING
2. paper end (n=4 bits 5|6, n=2 bit 5) -> PAPER_OUT
3. cover open (n=2 bit 2)            -> COVER_OPEN
4. offline (n=1 bit 3) or error (n=2 bit 6) -> OFFLINE
5. paper near end (n=4 bits 2|3)     -> PAPER_LOW
6. otherwise                         -> OK

Queries that were not answered simply add nothing: a printer that answers
n=1 but not n=4 (no paper sensor) is judged on n=1 alone.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TypeGuard

from core.model import PrinterState

log = logging.getLogger(__name__)

DLE, EOT = 0x10, 0x04

PRINTER_STATUS = bytes((DLE, EOT, 1))  # DLE EOT 1
OFFLINE_CAUSE = bytes((DLE, EOT, 2))  # DLE EOT 2
ROLL_PAPER = bytes((DLE, EOT, 4))  # DLE EOT 4
QUERIES: Mapping[int, bytes] = {1: PRINTER_STATUS, 2: OFFLINE_CAUSE, 4: ROLL_PAPER}

PAPER = ("ok", "low", "out")  # what a simulated paper roll can be

_FIXED_MASK, _FIXED_BITS = 0x93, 0x12  # bits 0, 1, 4, 7 of every status byte
_OFFLINE = 0x08  # n=1
_COVER_OPEN, _PAPER_END_STOP, _ERROR = 0x04, 0x20, 0x40  # n=2
_NEAR_END, _PAPER_END = 0x0C, 0x60  # n=4


def is_status_byte(byte: int | None) -> TypeGuard[int]:
    """Whether `byte` has the fixed bits of a `DLE EOT` answer."""
    return byte is not None and 0 <= byte <= 0xFF and byte & _FIXED_MASK == _FIXED_BITS


def state_from(answers: Mapping[int, int | None]) -> PrinterState:
    """One state from the answers to `DLE EOT n`, keyed by n (None: no answer)."""
    valid = {n: byte for n, byte in answers.items() if is_status_byte(byte)}
    ignored = {n: byte for n, byte in answers.items() if byte is not None and n not in valid}
    if ignored:
        log.debug("not status answers, ignored: %s", ignored)
    if not valid:
        return PrinterState.NOT_ANSWERING
    printer, cause, paper = (valid.get(n, _FIXED_BITS) for n in (1, 2, 4))
    if paper & _PAPER_END or cause & _PAPER_END_STOP:
        return PrinterState.PAPER_OUT
    if cause & _COVER_OPEN:
        return PrinterState.COVER_OPEN
    if printer & _OFFLINE or cause & _ERROR:
        return PrinterState.OFFLINE
    if paper & _NEAR_END:
        return PrinterState.PAPER_LOW
    return PrinterState.OK


def status_byte(n: int, *, paper: str, cover_open: bool, offline: bool) -> int:
    """The byte a printer in this state answers to `DLE EOT n` (n = 1, 2 or 4).

    `paper` is one of PAPER. A real printer goes offline by itself when its
    cover opens or its paper runs out, so n=1 reports offline then too;
    `offline` stands for any other cause (waiting for recovery, feed button).
    """
    if paper not in PAPER:
        raise ValueError(f"paper: expected one of {', '.join(PAPER)}, got {paper!r}")
    if n == 1:
        return _FIXED_BITS | (_OFFLINE if offline or cover_open or paper == "out" else 0)
    if n == 2:
        return _FIXED_BITS | (_COVER_OPEN if cover_open else 0) | (_PAPER_END_STOP if paper == "out" else 0)
    if n == 4:
        # An empty roll also reads as near its end: both sensors see no paper.
        return _FIXED_BITS | {"ok": 0, "low": _NEAR_END, "out": _NEAR_END | _PAPER_END}[paper]
    raise ValueError(f"DLE EOT n: expected n of 1, 2 or 4, got {n}")


def split_queries(data: bytes) -> tuple[bytes, list[int], int]:
    """What a printer makes of received bytes: (content, queries, kept).

    `queries` are the n of every `DLE EOT n` (n in QUERIES) in `data`, in
    order; `content` is `data` without them. Like a real printer, the stream
    is not parsed: a query is recognised wherever it appears. The last `kept`
    bytes of `data` (0, 1 or 2: a lone DLE, or DLE EOT) may be the start of a
    query cut by the end of a read; they are in neither result: put them in
    front of the next read.
    """
    content = bytearray()
    queries: list[int] = []
    i = 0
    while i < len(data):
        if data[i] == DLE and i + 1 == len(data):
            return bytes(content), queries, 1
        if data[i] == DLE and data[i + 1] == EOT:
            if i + 2 == len(data):
                return bytes(content), queries, 2
            if data[i + 2] in QUERIES:
                queries.append(data[i + 2])
                i += 3
                continue
        content.append(data[i])
        i += 1
    return bytes(content), queries, 0
