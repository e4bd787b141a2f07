"""Tickets as the kiosk makes them, for the printer tests: every type, any language."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from core.model import Kind, Ticket
from kiosk.language import LANGUAGES, Translations
from kiosk.printed_ticket import printed_ticket
from printer.decode import PrintedTicket, decode
from printer.ticket_content import PrinterSetup, TicketContent

AMS = ZoneInfo("Europe/Amsterdam")
AT = datetime(2026, 11, 24, 9, 15, tzinfo=UTC)  # 10:15 in the store
TR = Translations()
CODES = [code for code, _name in LANGUAGES]
DETAILS = {
    Kind.FIND: {"item": "Wall paint blue matt 2.5 l", "aisle": "7", "shelf": "A"},
    Kind.RETURN: {"receipt": "R1234", "reason": "Wrong size"},
    Kind.HELP: {"topic": "complaint", "note": "not printed"},
}
LOCAL_ITEM = {"nl": "Muurverf blauw mat 2,5 l", "zh_Hans": "蓝色哑光墙面漆 2.5升", "zh_Hant": "藍色霧面牆面漆 2.5公升"}
# What each type's detail line says, by language (the catalog's and the kiosk's own words).
DETAIL_WORDS = {
    Kind.FIND: lambda code: LOCAL_ITEM.get(code, DETAILS[Kind.FIND]["item"]),
    Kind.RETURN: lambda code: TR.tr("Wrong size", code),
    Kind.HELP: lambda code: TR.tr("Complaint", code),
}
NATIVE = PrinterSetup(double_byte="gb18030")  # python-escpos's default profile: native QR, code pages


def ticket(kind: Kind, language: str = "en", details: dict[str, str] | None = None) -> Ticket:
    d = dict(DETAILS[kind] if details is None else details, language=language)
    if kind is Kind.FIND and language in LOCAL_ITEM and details is None:
        d["item_local"] = LOCAL_ITEM[language]
    return Ticket("3f9c2a7e1b4d4c10", f"{kind.prefix}-007", kind, 2, AT, d, wait_seconds=180)


def content(t: Ticket, qr_url: str = "", store: str = "Paint & Co. Zuid") -> TicketContent:
    return printed_ticket(t, TR.tr, store_name=store, tz=AMS, store_id="s1", kiosk_id="kiosk-1", qr_url=qr_url)


def one(data: bytes, setup: PrinterSetup = NATIVE) -> PrintedTicket:
    [printed] = decode(data, setup.double_byte)
    return printed
