"""Which help a shopper's exit feedback is about: the ticket they show, if any.

Pure: standard library only, no I/O, no clock (`now` is passed in).

Rules
-----
1. Showing a ticket is optional; feedback without one is just as valid.
2. A scanned ticket is read from its QR code, which holds the request id, or
   the store's link with the id in it (`printer.qr_url`, e.g.
   `https://shop.example/t/{request_id}`). A keyboard-wedge scanner types
   what the code holds and ends with Enter or Tab; spaces and control
   characters around it are dropped.
3. One of this kiosk's own requests is accepted when it was taken today
   (store-local); an older ticket is refused, saying so.
4. A request id of the shape kiosks give (16 hex digits) that this kiosk does
   not know is another kiosk's of the store (the shopper came in at the other
   entrance): accepted as it is.
5. Anything else (a product barcode, a stranger's link, a half-read code)
   names no ticket: refused with the reason, and nothing changes.
6. A ticket number (typed at the headless front, or in the store's link by
   `{ticket}`) names one of this kiosk's recent tickets only.
7. Recent tickets, to tap: this kiosk's requests taken today within the last
   RECENT_HOURS, newest first, at most RECENT_MAX; the number only, nothing
   about the shopper.
8. A phone token (in the store's link by `{token}`: the shopper's phone page,
   core/phone.py) names the request it was made for, when the caller knows
   it: this kiosk's own requests' tokens, and those the store's other kiosks
   published (`tokens`, token -> request id). A token nobody knows names no
   ticket (rule 5), and a refusal never repeats anything that could be one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from string import Formatter
from urllib.parse import parse_qsl, urlsplit

from core.model import Request, valid_id

RECENT_HOURS = 3
RECENT_MAX = 6
# The ids kiosks give requests: 16 hex digits of a uuid4 (shell/kiosk_service.py `new_id`).
KIOSK_REQUEST_ID = re.compile(r"[0-9a-f]{16}")
SCAN_MAX = 500  # longer than any ticket's QR code: the rest is not looked at
# What each placeholder of printer.qr_url may stand for in a scanned link.
QR_FIELD_PATTERNS = {
    "request_id": r"[A-Za-z0-9_-]{1,64}",
    "ticket": r"[A-Za-z0-9_.#/-]{1,16}",
    "store": r"[A-Za-z0-9_-]{1,64}",
    "kiosk": r"[A-Za-z0-9_-]{1,64}",
    "token": r"[A-Za-z0-9_-]{22,64}",
}
# Anything longer than a request id in a refused scan may be a token, or most of one
# half read: the refusal leaves it out (rule 8).
TOKEN_LIKE = re.compile(r"[A-Za-z0-9_-]{17,}")


@dataclass(frozen=True)
class RecentTicket:
    """A ticket the shopper may tap: its number, and the request it stands for."""

    number: str
    request_id: str


class TicketUnread(ValueError):
    """What was scanned or typed names no ticket. `earlier_day`: it is one of
    this kiosk's tickets, from an earlier day."""

    def __init__(self, message: str, *, earlier_day: bool = False) -> None:
        super().__init__(message)
        self.earlier_day = earlier_day


def recent_tickets(
    requests: Iterable[Request],
    now: datetime,
    tz: tzinfo,
    *,
    hours: float = RECENT_HOURS,
    limit: int = RECENT_MAX,
) -> list[RecentTicket]:
    """This kiosk's tickets a shopper leaving now may hold (rule 7)."""
    today = now.astimezone(tz).date()
    since = now - timedelta(hours=hours)
    fresh = [r for r in requests if since <= r.created_at <= now and r.created_at.astimezone(tz).date() == today]
    fresh.sort(key=lambda r: (r.created_at, r.ticket), reverse=True)
    return [RecentTicket(r.ticket, r.id) for r in fresh[:limit]]


def read_ticket(
    text: str,
    own: Iterable[Request],
    now: datetime,
    tz: tzinfo,
    qr_url: str = "",
    tokens: Mapping[str, str] | None = None,
) -> str:
    """The request id a scanned (or typed) ticket names; TicketUnread if none (rules 2-6, 8).
    `own`: this kiosk's requests; `qr_url`: the store's link on its tickets ("" for the bare id);
    `tokens`: the phone tokens known, token -> request id (rule 8)."""
    tokens = tokens or {}
    seen = _cleaned(text)
    if not seen:
        raise TicketUnread("nothing was scanned")
    mine = list(own)
    by_id = {r.id: r for r in mine}
    by_number = {t.number.casefold(): t.request_id for t in recent_tickets(mine, now, tz)}
    today = now.astimezone(tz).date()
    if seen.casefold() in by_number:
        return by_number[seen.casefold()]
    for kind, value in _named_in(seen, qr_url):
        if kind == "ticket":
            if value.casefold() in by_number:
                return by_number[value.casefold()]
            continue
        if kind == "token" or value in tokens:
            if value not in tokens:
                continue
            value = tokens[value]
            request = by_id.get(value)
            if request is not None and request.created_at.astimezone(tz).date() != today:
                raise TicketUnread(f"ticket {request.ticket} is from an earlier day", earlier_day=True)
            return value
        request = by_id.get(value)
        if request is not None:
            if request.created_at.astimezone(tz).date() != today:
                raise TicketUnread(f"ticket {request.ticket} is from an earlier day", earlier_day=True)
            return value
        if KIOSK_REQUEST_ID.fullmatch(value):
            return value
    shown = TOKEN_LIKE.sub("…", seen)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    raise TicketUnread(f"{shown!r} is not a ticket of this store's kiosks")


def _cleaned(text: str) -> str:
    return "".join(ch for ch in text[:SCAN_MAX] if ch.isprintable()).strip()


def _named_in(seen: str, qr_url: str) -> Iterator[tuple[str, str]]:
    """("token" | "request_id" | "ticket", value) for everything in `seen` that may name a ticket, best first."""
    if qr_url:
        match = _link_pattern(qr_url).fullmatch(seen)
        if match is not None:
            for kind in ("token", "request_id", "ticket"):
                if match.groupdict().get(kind):
                    yield kind, match.group(kind)
    if valid_id(seen):
        yield "request_id", seen
        return
    if "://" not in seen:
        return
    # Another link (a kiosk set up with another qr_url): its query values and path parts.
    parts = urlsplit(seen)
    for _key, value in parse_qsl(parts.query):
        if valid_id(value):
            yield "request_id", value
    for part in reversed(parts.path.split("/")):
        if valid_id(part):
            yield "request_id", part


def _link_pattern(qr_url: str) -> re.Pattern[str]:
    """printer.qr_url as a pattern: its text as it is, each placeholder what it may stand for."""
    pattern, named = "", set()
    for literal, field, _spec, _conversion in Formatter().parse(qr_url):
        pattern += re.escape(literal)
        if field is None:
            continue
        allowed = QR_FIELD_PATTERNS.get(field, r".*?")
        if field in QR_FIELD_PATTERNS and field not in named:
            named.add(field)
            pattern += f"(?P<{field}>{allowed})"
        else:
            pattern += f"(?:{allowed})"
    return re.compile(pattern)
