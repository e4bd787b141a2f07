"""Everything the web service knows about the store, fed by the broker's messages.

Touches the transport port (staff actions through each member's pager
service, the service's own presence) and `<data_dir>/rated.json`. Runs on the
service's asyncio loop only: paho's thread hands each message over with
`loop.call_soon_threadsafe` (store_server/web_main.py), so nothing here needs
a lock. Every signed-in staff member gets a PagerService of their own
(shell/pager_service.py) on the one shared transport: their board, notices
and refusals are exactly a pager's. Each change bumps `counter` and wakes the
event streams; each stream keeps only the newest change (a slow phone never
makes memory grow) and a short list of its notices.
"""

from __future__ import annotations

import json
import logging
from collections import deque
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

from adapters.atomic_file import write_atomically
from core import wire
from core.board import Board, Notice
from core.live import LiveFigures
from core.live_wire import decode_figures
from core.model import Feedback, Kind, Request
from core.roster import WEB_ROLE, Roster
from core.sounds import sound_for
from core.waiting import RECENT
from shell.pager_service import PagerService
from shell.ports import Clock, Transport
from store_server.web_watch import Watcher

log = logging.getLogger(__name__)

# On shift: a member whose page has its event stream open, or asked within this
# (a page reconnecting after a Wi-Fi gap). A closed or sleeping page hears
# nothing, so it must not be handed requests for long.
SEEN_FOR = timedelta(seconds=90)
UNHAPPY_KEPT = 50


@dataclass
class Member:
    name: str
    role: str
    service: PagerService
    last_seen: datetime
    watchers: set[Watcher] = field(default_factory=set)


class WebModel:
    def __init__(
        self,
        *,
        store_id: str,
        device_id: str,
        transport: Transport,
        clock: Clock,
        tz: tzinfo,
        grace: timedelta,
        data_dir: Path,
    ) -> None:
        self.store_id = store_id
        self.device_id = device_id
        self.transport = transport
        self.clock = clock
        self.tz = tz
        self.grace = grace
        self.rated_path = Path(data_dir) / "rated.json"
        self.requests: dict[str, Request] = {}  # by id: the newest seq of each, with its token when known
        self.token_of: dict[str, str] = {}  # request id -> token
        self.by_token: dict[str, str] = {}  # token -> request id
        self.roster = Roster()
        self.printers: dict[str, wire.PrinterReport] = {}
        self.figures: LiveFigures | None = None  # managers only
        self.unhappy: deque[Feedback] = deque(maxlen=UNHAPPY_KEPT)  # managers only: they carry contact details
        self.claims: dict[Kind, deque[float]] = {kind: deque(maxlen=RECENT) for kind in Kind}
        self._counted: set[str] = set()  # requests whose claim time is in `claims`
        self.versions: dict[tuple[Kind, str], int] = {}  # per (kind, kiosk): a line that moved
        self.retained: dict[str, bytes] = {}  # what a new member's pager service is told first
        self.members: dict[str, Member] = {}  # by casefolded name
        self.watchers: set[Watcher] = set()
        self.counter = 0
        self.connected = False
        self.rated = self._load_rated()
        self.on_shift_listed: tuple[tuple[str, str], ...] = ()  # what our presence last said
        self._will_at: datetime | None = None  # the last will the broker link made (for its next connection)
        self._connection_at: datetime | None = None  # the will of the connection we are on
        self.rejected = 0

    # -- from the broker (on the loop) ------------------------------------------

    def on_message(self, topic: str, payload: bytes) -> None:
        try:
            kind, ids = wire.parse_topic(self.store_id, topic)
            changed = self._take(kind, ids, topic, payload)
        except wire.WireError as exc:
            self.rejected += 1
            log.warning("rejected message on %s: %s", topic, exc)
            return
        if kind in ("state", "devices", "printers", "figures", "rule_alert"):
            for member in list(self.members.values()):
                member.service.on_message(topic, payload)
        if changed:
            self.bump(ids.get("request_id", ""))

    def _take(self, kind: str, ids: dict[str, str], topic: str, payload: bytes) -> bool:
        if kind == "state":
            return self._state(ids, topic, payload)
        if kind == "token":
            return self._token(ids, payload)
        if kind == "devices":
            self._keep(topic, payload)
            if not payload:
                return self.roster.forget(ids["device"])
            p = wire.decode_presence(ids["device"], payload)
            return self.roster.apply(p.device, p.role, p.online, p.at, p.name, p.staff)
        if kind == "printers":
            self._keep(topic, payload)
            if not payload:
                return self.printers.pop(ids["device"], None) is not None
            report = wire.decode_printer(payload)
            if report.kiosk != ids["device"]:
                raise wire.WireError("payload kiosk does not match its topic")
            self.printers[report.kiosk] = report
            return True
        if kind == "figures":
            self._keep(topic, payload)
            self.figures = decode_figures(payload) if payload else None
            return True
        if kind == "unhappy":
            feedback = wire.decode_unhappy(payload)
            if feedback is None or any(f.id == feedback.id for f in self.unhappy):
                return False
            self.unhappy.append(feedback)
            return True
        return False  # rule alerts reach the managers' pager services only

    def _keep(self, topic: str, payload: bytes) -> None:
        if payload:
            self.retained[topic] = payload
        else:
            self.retained.pop(topic, None)

    def _state(self, ids: dict[str, str], topic: str, payload: bytes) -> bool:
        if not payload:  # an empty retained message clears the request
            self.retained.pop(topic, None)
            return self._forget(ids["request_id"])
        state = wire.decode_request(payload)
        if state.id != ids["request_id"] or state.kiosk != ids["kiosk"]:
            raise wire.WireError("payload id or kiosk does not match its topic")
        known = self.requests.get(state.id)
        if known is not None and state.seq <= known.seq:
            return False  # a copy, or older than what we have
        self.requests[state.id] = replace(state, token=self.token_of.get(state.id, ""))
        self.retained[topic] = payload
        self._line_moved(state)
        if known is not None and known.kind is not state.kind:
            self._line_moved(known)
        if state.claimed_at is not None and state.id not in self._counted:
            self._counted.add(state.id)
            self.claims[state.kind].append(max(0.0, (state.claimed_at - state.created_at).total_seconds()))
            self._line_moved(state)
        return True

    def _line_moved(self, request: Request) -> None:
        key = (request.kind, request.kiosk)
        self.versions[key] = self.versions.get(key, 0) + 1

    def _token(self, ids: dict[str, str], payload: bytes) -> bool:
        request_id = ids["request_id"]
        if not payload:
            token = self.token_of.pop(request_id, None)
            if token is not None:
                self.by_token.pop(token, None)
            return token is not None
        phone = wire.decode_token(payload)
        if phone.request_id != request_id or phone.kiosk != ids["kiosk"]:
            raise wire.WireError("payload request_id or kiosk does not match its topic")
        if self.token_of.get(request_id) == phone.token:
            return False
        old = self.token_of.get(request_id)
        if old is not None:
            self.by_token.pop(old, None)
        self.token_of[request_id] = phone.token
        self.by_token[phone.token] = request_id
        request = self.requests.get(request_id)
        if request is not None:
            self.requests[request_id] = replace(request, token=phone.token)
        return True

    def _forget(self, request_id: str) -> bool:
        request = self.requests.pop(request_id, None)
        token = self.token_of.pop(request_id, None)
        if token is not None:
            self.by_token.pop(token, None)
        self._counted.discard(request_id)
        return request is not None

    def set_connected(self, up: bool) -> None:
        if up != self.connected:
            self.connected = up
            self.bump()

    def bump(self, changed: str = "") -> None:
        """A change: every stream is woken, the shopper whose request `changed` first, then the staff."""
        self.counter += 1
        first = [w for w in self.watchers if w.request_id and w.request_id == changed]
        staff = [w for w in self.watchers if w.member is not None]
        for watcher in (*first, *staff, *(w for w in self.watchers if w.member is None and w not in first)):
            watcher.changed(self.counter)

    # -- housekeeping -------------------------------------------------------------

    def prune(self, now: datetime) -> int:
        """Forget requests that ended before today (store-local) and past the token's grace."""
        today = now.astimezone(self.tz).date()
        old = [
            r.id
            for r in self.requests.values()
            if r.status.is_final
            and r.created_at.astimezone(self.tz).date() < today
            and (r.resolved_at or r.changed_at or r.created_at) + self.grace < now
        ]
        for request_id in old:
            request = self.requests[request_id]
            self.retained.pop(wire.state_topic(self.store_id, request.kiosk, request_id), None)
            self._forget(request_id)
        return len(old)

    # -- staff members --------------------------------------------------------------

    def member(self, name: str, role: str, now: datetime) -> Member:
        """The member's pager service, made (and told everything known) when they first need it."""
        key = name.casefold()
        member = self.members.get(key)
        if member is not None and member.role == role:
            member.last_seen = now
            return member
        service = PagerService(
            board=Board(name, role), store_id=self.store_id, transport=self.transport, clock=self.clock
        )
        for topic, payload in list(self.retained.items()):
            service.on_message(topic, payload)  # before any listener: what is known is no news
        member = Member(name, role, service, now, member.watchers if member else set())
        service.listeners.append(lambda notice, key=key: self._noticed(key, notice))
        self.members[key] = member
        return member

    def _noticed(self, key: str, notice: Notice) -> None:
        member = self.members.get(key)
        if member is None:
            return
        sound = sound_for(notice.kind)
        body: dict[str, object] = {
            "kind": notice.kind,
            "ticket": notice.request.ticket,
            "request_id": notice.request.id,
            "by": notice.by,
            "sound": sound.name if sound else None,
        }
        for watcher in list(member.watchers):
            watcher.notice(body)

    def signed_out(self, name: str) -> None:
        member = self.members.pop(name.casefold(), None)
        if member is not None:
            for watcher in list(member.watchers):
                watcher.close()

    def session_ended(self, name: str, session: str) -> None:
        """One session is over (a new PIN, the account removed): its streams end, not the member's others."""
        member = self.members.get(name.casefold())
        for watcher in list(member.watchers if member else ()):
            if watcher.session == session:
                watcher.close()

    def watch(self, member: Member | None = None, session: str = "", request_id: str = "") -> Watcher:
        watcher = Watcher(member.name.casefold() if member else None, session, request_id)
        watcher.changed(self.counter)  # the full state first, on every connect
        self.watchers.add(watcher)
        if member is not None:
            member.watchers.add(watcher)
        return watcher

    def unwatch(self, watcher: Watcher) -> None:
        self.watchers.discard(watcher)
        member = self.members.get(watcher.member or "")
        if member is not None:
            member.watchers.discard(watcher)
            member.last_seen = self.clock.now()

    # -- our presence: the staff signed in on phones ----------------------------------

    def on_phones(self, now: datetime) -> tuple[tuple[str, str], ...]:
        for key, member in list(self.members.items()):
            if not member.watchers and now - member.last_seen >= SEEN_FOR:
                del self.members[key]  # gone quiet: their pager service goes too, made again when needed
        listed = sorted((m.name, m.role) for m in self.members.values())
        return tuple(listed[: wire.MAX_ON_PHONES])

    def presence(self, online: bool, at: datetime) -> bytes:
        """Our presence as the broker link asks for it (on paho's thread): online when it connects, and
        offline as the last will it leaves with the broker for its next connection, listing nobody.

        Every presence of one connection carries the `at` of that connection's last will: the
        roster (core/roster.py) drops a presence older than the one it has, and the broker sends the
        will, made before the connection, only after all our updates. Were those later than the
        will, everyone would keep our staff on shift after we died."""
        if not online:
            self._will_at = at  # sent with the next CONNECT
            return wire.encode_presence(wire.Presence(self.device_id, WEB_ROLE, False, at))
        self._connection_at = self._will_at or at
        return self._presence_now()

    def _presence_now(self) -> bytes:
        at = self._connection_at or self.clock.now()
        return wire.encode_presence(wire.Presence(self.device_id, WEB_ROLE, True, at, staff=self.on_shift_listed))

    def tell_presence(self, now: datetime, force: bool = False) -> None:
        """Publish our presence when the staff on phones changed."""
        listed = self.on_phones(now)
        if listed == self.on_shift_listed and not force:
            return
        self.on_shift_listed = listed
        if self.connected:
            self.transport.publish(
                wire.presence_topic(self.store_id, self.device_id), self._presence_now(), retain=True
            )

    # -- the shopper's page ---------------------------------------------------------------

    def by_token_request(self, token: str) -> Request | None:
        request_id = self.by_token.get(token)
        return self.requests.get(request_id) if request_id else None

    def line_version(self, request: Request) -> tuple[int, int]:
        return self.versions.get((request.kind, request.kiosk), 0), len(self.claims[request.kind])

    def _load_rated(self) -> dict[str, str]:
        try:
            body = json.loads(self.rated_path.read_text(encoding="utf-8"))
            return {str(k): str(v) for k, v in body["rated"].items()}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, KeyError, AttributeError) as exc:
            log.error("%s cannot be read (%s): starting with no ratings remembered", self.rated_path, exc)
            return {}

    def mark_rated(self, request_id: str, now: datetime, keep_days: int = 3) -> None:
        """Remember a rated request on disk before its feedback is sent: a restart cannot rate it twice."""
        self.rated[request_id] = now.isoformat()
        cutoff = (now - timedelta(days=keep_days)).isoformat()
        self.rated = {k: v for k, v in self.rated.items() if v >= cutoff}
        self.rated_path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(self.rated_path, json.dumps({"v": 1, "rated": self.rated}).encode())

    def live_requests(self) -> list[Request]:
        return list(self.requests.values())

    def todays_unhappy(self, now: datetime) -> list[Feedback]:
        """Today's (store-local) unhappy shoppers, newest first: for managers only."""
        today = now.astimezone(self.tz).date()
        return [f for f in reversed(self.unhappy) if f.given_at.astimezone(self.tz).date() == today]
