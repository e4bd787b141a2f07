"""Bytes on the wire per printed ticket, and what they cost at 9600 baud.

    .venv/bin/python -m bench.ticket_bytes

Every request type in every language, laid out by printer/ticket_layout.py
for three printers: python-escpos's default profile with the printer's own
Chinese characters (double_byte = gb18030; big5 for traditional Chinese),
the same printer without them (Chinese as pictures), and a profile with no
native QR (ZJ-5870, 58 mm). Baseline in the same run: the same lines handed
to python-escpos the plain way (`text()` per line, its default `qr()`, which
is an image, `cut()`). Transfer time is bytes x 10 bits (8N1) / 9600 baud.
Targets: <= 400 bytes for a Latin ticket, <= 800 for a Chinese one in native mode.
"""

from __future__ import annotations

import contextlib
import io
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from escpos.printer import Dummy

from core.model import Kind, Ticket
from kiosk.language import LANGUAGES, Translations
from kiosk.printed_ticket import printed_ticket
from printer.ticket_content import PrinterSetup, TicketContent
from printer.ticket_layout import layout

BAUD = 9600
AMS = ZoneInfo("Europe/Amsterdam")
TR = Translations()
DETAILS = {
    Kind.FIND: {"item": "Wall paint blue matt 2.5 l", "aisle": "7", "shelf": "A"},
    Kind.RETURN: {"receipt": "R2026-1124-0042", "reason": "Damaged or faulty"},
    Kind.HELP: {"topic": "question"},
}
LOCAL_ITEM = {"nl": "Muurverf blauw mat 2,5 l", "zh_Hans": "蓝色哑光墙面漆 2.5升", "zh_Hant": "藍色霧面牆面漆 2.5公升"}


def content(kind: Kind, language: str) -> TicketContent:
    details = dict(DETAILS[kind], language=language)
    if kind is Kind.FIND and language in LOCAL_ITEM:
        details["item_local"] = LOCAL_ITEM[language]
    ticket = Ticket("3f9c2a7e1b4d4c10", f"{kind.prefix}-017", kind, 3, datetime(2026, 11, 24, 9, 15, tzinfo=UTC),
                    details, wait_seconds=240)  # fmt: skip
    return printed_ticket(ticket, TR.tr, store_name="Store Assist Demo Store", tz=AMS)


def escpos_default(c: TicketContent) -> bytes:
    """The same lines the way python-escpos's own examples print them."""
    p = Dummy()
    p.set(align="center")
    for line in (c.store, c.greeting):
        p.text(line + "\n")
    p.set(double_width=True, double_height=True)
    p.text(c.number + "\n")
    p.set(normal_textsize=True)
    for line in (c.kind, *c.details, c.place, c.wait, c.time):
        p.text(line + "\n")
    with contextlib.redirect_stdout(io.StringIO()):  # its "center flag" note, printed per image
        p.qr(c.qr)  # python-escpos's defaults: native=False, an image
    p.text(c.thanks + "\n")
    p.cut()
    return bytes(p.output)


def seconds(size: int) -> float:
    return size * 10 / BAUD


def main() -> int:
    native_zh = {"zh_Hans": "gb18030", "zh_Hant": "big5"}
    print(f"bytes per ticket and transfer time at {BAUD} baud (8N1)")
    print(f"{'ticket':<18}{'native':>16}{'no CJK font':>18}{'58 mm, no QR':>18}{'escpos default':>20}{'layout':>10}")
    worst = {"latin": 0, "chinese": 0}
    for code, _name in LANGUAGES:
        for kind in Kind:
            c = content(kind, code)
            native = PrinterSetup(double_byte=native_zh.get(code, ""))
            started = time.perf_counter()
            ours = layout(c, native)
            took = time.perf_counter() - started
            pictures = layout(c, PrinterSetup())
            small = layout(c, PrinterSetup(profile="ZJ-5870", paper_mm=58, double_byte=native_zh.get(code, "")))
            baseline = escpos_default(c)
            group = "chinese" if code.startswith("zh") else "latin"
            worst[group] = max(worst[group], len(ours))
            cells = [f"{len(d):>6} B {seconds(len(d)):5.2f} s" for d in (ours, pictures, small, baseline)]
            name = f"{code} {kind.value}"
            print(f"{name:<18}{cells[0]:>16}{cells[1]:>18}{cells[2]:>18}{cells[3]:>20}{took * 1000:>7.1f} ms")
    print("escpos default: Chinese leaves as bare GB18030 without FS &, which many printers print as junk")
    print(
        f"largest native ticket: Latin {worst['latin']} B (target <= 400), Chinese {worst['chinese']} B (target <= 800)"
    )
    ok = worst["latin"] <= 400 and worst["chinese"] <= 800
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
