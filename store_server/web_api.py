"""Every answer of the web service's HTTP contract (docs/web.md), with no web library in sight.

Touches the web model, the accounts and sessions files, and the durable
outbox (a shopper's cancel and rating are on disk before the 202). Runs on the
service's asyncio loop; the slow part of signing in (the Argon2 hash) runs on
a worker thread. Never logs a token or a session id: tokens are in paths.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

from core import wire
from core.events import CancelRequested
from core.lifecycle import STAFF_ACTIONS
from core.model import Feedback, Request, valid_id
from core.outcomes import OUTCOME_WORDS, OUTCOMES
from core.phone import token_opens
from core.sounds import sounds_as_data
from shell.pager_service import ActionRefused
from shell.ports import Clock, Transport
from shell.web_config import WebConfig
from shell.web_ports import Call, Event, Page, Reply, Stream
from store_server.accounts import Account, Accounts, SignInRefused
from store_server.sessions import Session, Sessions
from store_server.web_model import Member, WebModel
from store_server.web_throttle import Throttle
from store_server.web_views import Views
from store_server.web_words import Words

log = logging.getLogger(__name__)

KEEP_ALIVE = 15.0  # seconds: a comment line on an idle stream keeps proxies from closing it
UNKNOWN_TOKENS = 10  # a minute, per address: then 429 for the rest of that minute
FAILED_SIGN_INS = 10  # a minute, per address: then 429 for the rest of that minute
NOT_FOUND = Reply(404, "Not found")
NO_SESSION = Reply(401, {"error": "not signed in"})
NO_BROKER = Reply(503, {"error": "the service has no connection to the store's broker: try again in a moment"})
# A file of the pages folder a browser may ask for under /staff/ (store_server/web_pages/: the
# staff page's script, styles, words, manifest, service worker and icons): a plain name, no path.
STAFF_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9]+)+$")


def dumps(body: Any) -> str:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def error(status: int, words: str) -> Reply:
    return Reply(status, {"error": words})


class WebApi:
    def __init__(
        self,
        *,
        config: WebConfig,
        model: WebModel,
        words: Words,
        accounts: Accounts,
        sessions: Sessions,
        outbox: Transport,
        clock: Clock,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex[:16],
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.model = model
        self.words = words
        self.accounts = accounts
        self.sessions = sessions
        self.outbox = outbox
        self.clock = clock
        self.new_id = new_id
        self.monotonic = monotonic
        self.views = Views(model, words, config.web.targets())
        self.hours = config.web.session_hours
        self.sign_ins = Throttle(FAILED_SIGN_INS)
        self.unknown_tokens = Throttle(UNKNOWN_TOKENS)

    # -- staff: signing in --------------------------------------------------------------

    async def login(self, call: Call) -> Reply:
        body = call.body
        if not isinstance(body, dict) or not isinstance(body.get("name"), str) or not isinstance(body.get("pin"), str):
            return error(400, call.bad_body or 'expected {"name": "…", "pin": "…"}')
        if len(body["name"]) > 100 or len(body["pin"]) > 200:
            return error(401, "wrong name or PIN")
        if self.sign_ins.held(call.address, self.monotonic()):
            return error(429, "too many wrong PINs from this device: wait a minute")
        try:
            account = await asyncio.to_thread(self.accounts.sign_in, body["name"], body["pin"], self.clock.now())
        except SignInRefused as refused:
            if refused.status == 401:
                self.sign_ins.hit(call.address, self.monotonic())
            log.info("sign-in refused (%s) from %s", refused.words, call.address)
            return error(refused.status, refused.words)
        now = self.clock.now()
        session_id = self.sessions.start(account.name, account.stamp, now)
        self.model.member(account.name, account.role, now)
        self.model.tell_presence(now)
        log.info("%s signed in (%s) from %s", account.name, account.role, call.address)
        return Reply(200, {"name": account.name, "role": account.role}, set_session=session_id, cookie_hours=self.hours)

    async def logout(self, call: Call) -> Reply:
        session = self.sessions.end(call.session)
        if session is not None:
            self._ended(session)
            log.info("%s signed out", session.name)
        return Reply(204, clear_session=True)

    def _ended(self, session: Session) -> None:
        """A session is over: its streams end; the member leaves our presence when it was their last."""
        now = self.clock.now()
        self.model.session_ended(session.name, session.digest)
        others = [s for s in self.sessions.live(now) if s.name.casefold() == session.name.casefold()]
        if not any(self.accounts.current(s.name, s.stamp) for s in others):
            self.model.signed_out(session.name)
        self.model.tell_presence(now)

    def _signed_in(self, call: Call) -> tuple[Session, Account, Member] | None:
        now = self.clock.now()
        session = self.sessions.find(call.session, now)
        if session is None:
            return None
        account = self.accounts.current(session.name, session.stamp)
        if account is None:  # removed, or a new PIN: every session made before is over
            self.sessions.end_session(session)
            self._ended(session)
            return None
        return session, account, self.model.member(account.name, account.role, now)

    # -- staff: the board -------------------------------------------------------------

    async def staff_state(self, call: Call) -> Reply:
        found = self._signed_in(call)
        if found is None:
            return NO_SESSION
        _session, _account, member = found
        state = self.views.staff(member)
        # The cookie again with its full life: a page in use keeps its session (sliding expiry).
        return Reply(200, state, set_session=call.session, cookie_hours=self.hours)

    async def staff_events(self, call: Call) -> Reply | Stream:
        found = self._signed_in(call)
        if found is None:
            return NO_SESSION
        session, _account, member = found
        watcher = self.model.watch(member, session.digest)
        self.model.tell_presence(self.clock.now())

        async def events() -> AsyncIterator[Event | None]:
            try:
                while not watcher.closed:
                    if self._signed_in(call) is None:
                        return  # signed out, removed or a new PIN
                    if watcher.latest is not None:
                        counter, watcher.latest = watcher.latest, None
                        yield Event("state", counter, self.views.staff_text(member))
                    while watcher.notices:
                        yield Event("notice", self.model.counter, dumps(watcher.notices.popleft()))
                    if not await watcher.next(KEEP_ALIVE):
                        yield None
            finally:
                self.model.unwatch(watcher)

        return Stream(events())

    async def act(self, call: Call) -> Reply:
        found = self._signed_in(call)
        if found is None:
            return NO_SESSION
        member = found[2]
        body = call.body
        if not isinstance(body, dict):
            return error(400, call.bad_body or 'expected {"action": "…", "request_id": "…"}')
        action, request_id = body.get("action"), body.get("request_id")
        outcome, to = body.get("outcome"), body.get("to")
        if action not in [a.value for a in STAFF_ACTIONS]:
            return error(400, f"action: expected one of {', '.join(a.value for a in STAFF_ACTIONS)}")
        if not valid_id(request_id):
            return error(400, "request_id: expected a request's id")
        if outcome is not None and (not isinstance(outcome, str) or len(outcome) > 500):
            return error(400, "outcome: expected text of at most 500 characters")
        if to is not None and (not isinstance(to, str) or len(to) > 64):
            return error(400, "to: expected a colleague's name")
        if not self.model.connected:
            return NO_BROKER
        try:
            request = member.service.act(action, request_id, outcome or None, to=to)
        except ActionRefused as refused:
            return error(409, str(refused))
        log.info("%s asked %s of %s", member.name, action, request.ticket)
        return Reply(202, {"sent": action, "ticket": request.ticket})

    async def sounds(self, call: Call) -> Reply:
        return Reply(200, sounds_as_data()) if self._signed_in(call) else NO_SESSION

    async def outcomes(self, call: Call) -> Reply:
        if self._signed_in(call) is None:
            return NO_SESSION
        kinds = {kind.value: list(codes) for kind, codes in OUTCOMES.items()}
        return Reply(200, {"kinds": kinds, "words": OUTCOME_WORDS})

    async def staff_page(self, call: Call) -> Page:
        return Page("staff.html")

    async def staff_file(self, call: Call) -> Page | Reply:
        name = call.path.get("name", "")
        return Page(name) if STAFF_FILE.match(name) else NOT_FOUND

    # -- the shopper's ticket -------------------------------------------------------------

    def _ticket(self, call: Call) -> Request | Reply:
        """The request a token opens now; else 404, or 429 for an address that guessed too often."""
        token, now = call.path.get("token", ""), self.monotonic()
        if self.unknown_tokens.held(call.address, now):
            return Reply(429, "Too many requests")
        request = self.model.by_token_request(token) if valid_id(token) else None
        if request is None or not token_opens(request, self.clock.now(), self.model.grace):
            if self.unknown_tokens.hit(call.address, now):
                log.warning("%s asked for %d unknown tokens within a minute: 429 for now", call.address, UNKNOWN_TOKENS)
            return NOT_FOUND
        return request

    async def ticket_page(self, call: Call) -> Page | Reply:
        found = self._ticket(call)
        return found if isinstance(found, Reply) else Page("ticket.html")

    async def ticket_state(self, call: Call) -> Reply:
        found = self._ticket(call)
        if isinstance(found, Reply):
            return found
        return Reply(200, self.views.ticket(found))

    async def ticket_events(self, call: Call) -> Reply | Stream:
        found = self._ticket(call)
        if isinstance(found, Reply):
            return found
        token = call.path["token"]
        watcher = self.model.watch(request_id=found.id)

        async def events() -> AsyncIterator[Event | None]:
            sent: object = None
            try:
                while not watcher.closed:
                    request = self.model.by_token_request(token)
                    if request is None or not token_opens(request, self.clock.now(), self.model.grace):
                        return  # past its grace: the page's next try gets the 404
                    if watcher.latest is not None:
                        counter, watcher.latest = watcher.latest, None
                        # Sent when what the page shows changed; the wait it counts down by itself.
                        key = self.views.ticket_key(request)
                        if key != sent:
                            sent = key
                            yield Event("ticket", counter, dumps(self.views.ticket(request)))
                    if not await watcher.next(KEEP_ALIVE):
                        yield None
            finally:
                self.model.unwatch(watcher)

        return Stream(events())

    async def cancel(self, call: Call) -> Reply:
        found = self._ticket(call)
        if isinstance(found, Reply):
            return found
        if not self.views.ticket(found)["can_cancel"]:
            return error(409, "this request has ended already")
        cancel = CancelRequested(found.id, token=found.token)
        topic = wire.action_topic(self.model.store_id, found.kiosk, found.id)
        self.outbox.publish(topic, wire.encode_phone_cancel(cancel, self.new_id()))
        log.info("a shopper cancelled %s on their phone", found.ticket)
        return Reply(202, {"sent": "cancel", "ticket": found.ticket})

    async def rate(self, call: Call) -> Reply:
        found = self._ticket(call)
        if isinstance(found, Reply):
            return found
        rating = call.body.get("rating") if isinstance(call.body, dict) else None
        if type(rating) is not int or not 1 <= rating <= 4:
            return error(400, call.bad_body or 'expected {"rating": 1 to 4}')
        if found.id in self.model.rated:
            return error(409, "this request has been rated already")
        if not self.views.ticket(found)["can_rate"]:
            return error(409, "a request can be rated once it is resolved, until its page closes")
        now = self.clock.now()
        self.model.mark_rated(found.id, now)  # on disk before the feedback is sent: never twice
        feedback = Feedback(id=self.new_id(), kiosk=self.model.device_id, rating=rating, given_at=now,
                            request_id=found.id)  # fmt: skip
        self.outbox.publish(
            wire.feedback_topic(self.model.store_id, self.model.device_id), wire.encode_feedback(feedback)
        )
        self.model.bump()
        log.info("feedback %s (rating %d) for %s from a ticket page", feedback.id, rating, found.ticket)
        return Reply(202, {"sent": "rate", "ticket": found.ticket})

    # -- the entrance board --------------------------------------------------------------

    async def board_page(self, call: Call) -> Page:
        return Page("board.html")

    async def board_state(self, call: Call) -> Reply:
        return Reply(200, json.loads(self.views.board_text()))

    async def board_events(self, call: Call) -> Stream:
        watcher = self.model.watch()

        async def events() -> AsyncIterator[Event | None]:
            sent = ""
            try:
                while not watcher.closed:
                    if watcher.latest is not None:
                        counter, watcher.latest = watcher.latest, None
                        body = self.views.board_text()
                        if body != sent:
                            sent = body
                            yield Event("board", counter, body)
                    if not await watcher.next(KEEP_ALIVE):
                        yield None
            finally:
                self.model.unwatch(watcher)

        return Stream(events())

    # -- housekeeping -------------------------------------------------------------------

    def tick(self, now: datetime) -> None:
        """Every half minute: the sessions' last uses to disk, our presence, old requests forgotten."""
        self.sessions.flush(now)
        self.model.tell_presence(now)
        self.model.prune(now)
        # A token that expires while its page is open: wake the streams so they see it.
        self.model.bump()

    def close(self) -> None:
        for watcher in list(self.model.watchers):
            watcher.close()
        self.sessions.flush(self.clock.now())
