"""The printed ticket's words, in the language the shopper chose.

Pure: no I/O. Fills printer/ticket_content.py's `TicketContent` from a core
`Ticket` with the kiosk's translations, so the paper says what the screen
says: the same type, reason, place in line and expected wait, and a QR code
that may open the shopper's ticket page on their phone (`{token}`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo

from core.model import Kind, Ticket
from kiosk.wording import HELP_TOPICS, KIND_WORDS, N_, greeting, place_words, wait_words
from printer.ticket_content import TicketContent
from shell.phone_tokens import PhoneTicket

YOUR_NUMBER = N_("Your ticket number:")
NO_RECEIPT = N_("No receipt")
RECEIPT = N_("Receipt {receipt}")
THANKS = N_("Thank you for waiting. Please keep this ticket.")


def printed_ticket(
    ticket: Ticket,
    tr: Callable[[str, str], str],
    *,
    store_name: str,
    tz: tzinfo,
    store_id: str = "",
    kiosk_id: str = "",
    qr_url: str = "",
    entrance: str = "",
) -> TicketContent:
    language = ticket.language

    def _(message: str) -> str:
        return tr(message, language)

    local = ticket.issued_at.astimezone(tz)
    token = ticket.token if isinstance(ticket, PhoneTicket) else ""
    qr = qr_text(qr_url, ticket.request_id, ticket.number, store_id, kiosk_id, token)
    waiting = ticket.place_in_line > 0
    return TicketContent(
        number=ticket.number,
        kind=_(KIND_WORDS[ticket.kind]),
        # A store with two entrances: the shopper's ticket says which one.
        store=f"{store_name} · {entrance}" if entrance else store_name,
        greeting=f"{_(greeting(local.hour))} {_(YOUR_NUMBER)}",
        details=_details(ticket, _),
        place=place_words(ticket.place_in_line, _) if waiting else "",
        wait=wait_words(ticket.wait_seconds, _) if waiting else "",
        time=f"{local:%Y-%m-%d %H:%M}",
        qr=qr,
        thanks=_(THANKS),
        language=language,
    )


def qr_text(qr_url: str, request_id: str, number: str, store_id: str, kiosk_id: str, token: str = "") -> str:
    """What a ticket's QR code holds: the store's link (printer.qr_url, its
    placeholders checked with the config: shell/config.py QR_FIELDS) or, without
    one, the request id. `token`: the request's phone token, for `{token}`."""
    if not qr_url:
        return request_id
    return qr_url.format(request_id=request_id, ticket=number, store=store_id, kiosk=kiosk_id, token=token)


def _details(ticket: Ticket, _: Callable[[str], str]) -> tuple[str, ...]:
    d = ticket.details
    if ticket.kind is Kind.FIND:
        item = d.get("item_local") or d.get("item", "")
        where = (
            _("Aisle {aisle} · Shelf {shelf}").format(aisle=d["aisle"], shelf=d.get("shelf", "?"))
            if d.get("aisle")
            else ""
        )
        return tuple(line for line in (item, where) if line)
    if ticket.kind is Kind.RETURN:
        receipt = _(RECEIPT).format(receipt=d["receipt"]) if d.get("receipt") else _(NO_RECEIPT)
        return tuple(line for line in (_(d["reason"]) if d.get("reason") else "", receipt) if line)
    topic = dict(HELP_TOPICS).get(d.get("topic", ""))
    return (_(topic),) if topic else ()
