"""The shopper's phone tokens on the broker, as a kiosk carries them (docs/mqtt-api.md "Phone token").

Touches only the transport port (the kiosk's durable outbox); time is passed
in. Runs on the kiosk service's one thread, like the service itself.

A request's token (core/model.py `Request.token`) is made on the kiosk with
the request and printed in the ticket's QR link. Its retained message on
`store/<s>/requests/<kiosk>/<id>/token` lives on the broker as long as the
token opens the shopper's page (core/phone.py rule 1), no longer:

- published with the request, with a message expiry of `TOKEN_EXPIRY`: a
  backstop, so a broker forgets it even if this kiosk is never seen again;
- published again when the request ends, with an expiry of what is left of
  the grace: the broker forgets it when the grace ends, even if this kiosk is
  off by then;
- when the grace ends, an empty retained message: a message expiry tells no
  subscriber, this does; the broker drops the token and everyone holding it
  (the web service, the store's other kiosks) forgets it at once.

The store's other kiosks' tokens are heard on `store/<s>/requests/+/+/token`
and kept (token -> request id), so a shopper who came in at another entrance
can join their exit feedback by scanning the ticket's link (core/joining.py
rule 8). Kept only while they may still open a page: until their kiosk
withdraws them, and never longer than a token message lives on the broker.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from string import Formatter

from core import wire
from core.model import Request, Ticket
from core.phone import TOKEN_GRACE, ended_at, token_opens
from shell.ports import Transport

# An open request's token message expires after this: longer than any request
# stays open in a day; one left open longer is published again whenever this
# kiosk meets a broker that lost its session (restore).
TOKEN_EXPIRY = 12 * 3600
HEARD_MAX = 10_000  # other kiosks' tokens kept at most (a busy store makes a few hundred a day)


def new_token() -> str:
    """128 random bits as 22 URL-safe characters: nothing about the request is in it."""
    return secrets.token_urlsafe(16)


class PhoneTokens:
    def __init__(self, store_id: str, kiosk_id: str, transport: Transport, grace: timedelta = TOKEN_GRACE) -> None:
        self.store_id = store_id
        self.kiosk_id = kiosk_id
        self.transport = transport
        self.grace = grace
        self._withdraw_at: dict[str, datetime] = {}  # own request id -> when its grace ends
        self._heard: dict[str, tuple[str, datetime]] = {}  # another kiosk's token -> (request id, when heard)
        self._token_of: dict[str, str] = {}  # another kiosk's request id -> its token

    # -- this kiosk's tokens ----------------------------------------------------

    def made(self, request: Request) -> None:
        """The request was just taken: its token goes to the broker (after its state)."""
        if request.token:
            self._send(request, TOKEN_EXPIRY)

    def ended(self, request: Request, now: datetime) -> None:
        """The request just ended: its token lives on for the grace, then is withdrawn."""
        if request.token and request.id not in self._withdraw_at:
            self._publish(request, now)

    def resume(self, requests: Iterable[Request], now: datetime) -> None:
        """After a start: withdraw the tokens of requests that ended within the grace when it ends."""
        for request in requests:
            end = ended_at(request)
            if request.token and end is not None and token_opens(request, now, self.grace):
                self._withdraw_at[request.id] = end + self.grace

    def restore(self, requests: Iterable[Request], now: datetime) -> None:
        """The broker may have lost every retained message: publish again each token that still opens."""
        for request in requests:
            if request.token and token_opens(request, now, self.grace):
                self._publish(request, now)

    def tick(self, now: datetime) -> None:
        """Withdraw the tokens whose grace ended; forget other kiosks' tokens no broker still holds."""
        for request_id, due in list(self._withdraw_at.items()):
            if now >= due:
                del self._withdraw_at[request_id]
                self.transport.publish(wire.token_topic(self.store_id, self.kiosk_id, request_id), b"", retain=True)
        stale = now - timedelta(seconds=TOKEN_EXPIRY)
        for request_id, heard_at in list(self._heard.values()):
            if heard_at < stale:
                self._forget(request_id)

    def withdrawing(self) -> int:
        """Own tokens in their grace, still to be withdrawn."""
        return len(self._withdraw_at)

    def _publish(self, request: Request, now: datetime) -> None:
        end = ended_at(request)
        if end is None:
            self._send(request, TOKEN_EXPIRY)
            return
        left = math.ceil((end + self.grace - now).total_seconds())
        if left > 0:
            self._withdraw_at[request.id] = end + self.grace
            self._send(request, left)

    def _send(self, request: Request, expiry: int) -> None:
        topic = wire.token_topic(self.store_id, request.kiosk, request.id)
        self.transport.publish(topic, wire.encode_token(request), retain=True, expiry=expiry)

    # -- the store's other kiosks' tokens ------------------------------------------

    def heard(self, kiosk: str, request_id: str, payload: bytes, now: datetime) -> None:
        """A message on a token topic; wire.WireError if it breaks the contract (nothing kept)."""
        if kiosk == self.kiosk_id:
            return  # our own: the desk knows them, and when they end
        if not payload:  # withdrawn by its kiosk (or a cleared retained message)
            self._forget(request_id)
            return
        heard = wire.decode_token(payload)
        if (heard.kiosk, heard.request_id) != (kiosk, request_id):
            raise wire.WireError("token: request_id and kiosk do not match its topic")
        self._forget(request_id)
        if len(self._heard) >= HEARD_MAX:  # the oldest heard goes first
            self._forget(next(iter(self._heard.values()))[0])
        self._heard[heard.token] = (request_id, now)
        self._token_of[request_id] = heard.token

    def _forget(self, request_id: str) -> None:
        token = self._token_of.pop(request_id, None)
        if token is not None:
            self._heard.pop(token, None)

    def known(self, own: Iterable[Request], now: datetime) -> dict[str, str]:
        """Every token that names a ticket now, token -> request id: this kiosk's
        while they open a page, and the other kiosks' as heard."""
        tokens = {token: request_id for token, (request_id, _at) in self._heard.items()}
        tokens.update({r.token: r.id for r in own if r.token and token_opens(r, now, self.grace)})
        return tokens


@dataclass(frozen=True)
class PhoneTicket(Ticket):
    """A ticket to print with its request's token, for a QR link that opens the
    shopper's phone page (printer.qr_url with `{token}`). Not in its repr: a
    ticket may be logged, a token never."""

    token: str = field(default="", repr=False)


def with_token(ticket: Ticket, token: str) -> Ticket:
    """The ticket carrying `token` for its QR link; the ticket itself without one."""
    return PhoneTicket(**{f.name: getattr(ticket, f.name) for f in fields(Ticket)}, token=token) if token else ticket


def opens_phone_page(qr_url: str) -> bool:
    """Whether the printed QR link (printer.qr_url, checked with the config) carries the token."""
    try:
        return any(name == "token" for _text, name, _spec, _conv in Formatter().parse(qr_url))
    except ValueError:
        return False
