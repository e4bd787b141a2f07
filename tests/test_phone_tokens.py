"""The shopper's phone token as the kiosk carries it (shell/phone_tokens.py): made
with the request when the printed QR carries it, on its own retained topic
and nowhere else, living on the broker as long as it opens the ticket page,
restored after a restart, and the only key to a cancel from a phone.

Fast: the kiosk service on the fake broker of tests/fakes.py, time passed by
hand. Then the headless kiosk as a real process on a real Mosquitto, with its
real TinyDB files, restarted in the middle.
"""

from __future__ import annotations

import json
import logging
import shlex
import string
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from adapters.tinydb_store import TinyDBEventLog
from core import wire
from core.desk import Desk
from core.events import CancelRequested, StaffActed
from core.joining import TicketUnread
from core.model import Kind, Status
from core.phone import TOKEN_GRACE
from shell.kiosk_service import KioskService
from shell.phone_tokens import HEARD_MAX, TOKEN_EXPIRY, PhoneTicket, PhoneTokens, new_token, opens_phone_page
from tests.fakes import Broker, Clock, ids
from tests.memory_log import MemoryLog
from tests.processes import LineProcess
from tests.services import TIMEOUT, Publisher, retained_with_expiry

AMS = ZoneInfo("Europe/Amsterdam")
LINK = "https://store.example:8443/t/{token}"
URL_SAFE = set(string.ascii_letters + string.digits + "-_")


class Recording:
    """A transport on the fake broker that keeps what each publish asked for, expiry included."""

    def __init__(self, broker: Broker) -> None:
        self.broker = broker
        self.sent: list[tuple[str, bytes, bool, int | None]] = []

    def publish(self, topic, payload, *, retain=False, expiry=None, on_done=None):  # type: ignore[no-untyped-def]
        self.sent.append((topic, payload, retain, expiry))
        self.broker.publish(topic, payload, retain)
        if on_done is not None:
            on_done(True, "Success")

    def waiting(self) -> int:
        return 0

    def close(self) -> None:
        pass

    def on(self, kind: str) -> list[tuple[str, bytes, bool, int | None]]:
        return [sent for sent in self.sent if sent[0].endswith(f"/{kind}")]


def kiosk(broker: Broker, clock: Clock, kiosk_id: str = "kiosk-1", qr_url: str = LINK, log: MemoryLog | None = None):  # type: ignore[no-untyped-def]
    log = log if log is not None else MemoryLog()
    desk = Desk.restore(kiosk_id, AMS, log.entries)
    transport = Recording(broker)
    service = KioskService(
        desk=desk,
        store_id="s1",
        transport=transport,
        spool=None,
        event_log=log,
        clock=clock,
        new_id=ids(f"{kiosk_id}-r"),
        qr_url=qr_url,
    )
    broker.subscribe(service.subscriptions(), service.on_message)
    return service, transport, log


def resolve(broker: Broker, service: KioskService, request_id: str, action_id: str = "a1") -> None:
    for action, aid in (("claim", action_id + "c"), ("resolve", action_id + "r")):
        message = StaffActed(request_id, action, "Anna", aid, "answered" if action == "resolve" else None)  # type: ignore[arg-type]
        broker.publish(wire.action_topic("s1", service.kiosk_id, request_id), wire.encode_action(message), False)


def phone_cancel(broker: Broker, request_id: str, token: str | None, kiosk_id: str = "kiosk-1") -> None:
    body = {"v": 1, "action": "cancel", "action_id": "p1", **({"token": token} if token is not None else {})}
    broker.publish(wire.action_topic("s1", kiosk_id, request_id), json.dumps(body).encode(), False)


# -- the token itself -------------------------------------------------------------------


def test_a_token_is_128_random_bits_in_22_url_safe_characters() -> None:
    tokens = {new_token() for _ in range(1000)}
    assert len(tokens) == 1000
    assert all(len(t) == 22 and set(t) <= URL_SAFE for t in tokens)
    # 16 bytes: the last character carries 2 bits, so only 4 of 64 letters can end one.
    assert len({t[-1] for t in tokens}) <= 4


def test_only_a_qr_link_with_the_token_placeholder_opens_a_phone_page() -> None:
    assert opens_phone_page("https://x/t/{token}")
    assert opens_phone_page("https://x/t/{store}?k={token}&n={ticket}")
    assert not opens_phone_page("https://x/t/{request_id}")
    assert not opens_phone_page("")
    assert not opens_phone_page("https://x/t/{")  # refused by the config's check; never a page


# -- made and published ---------------------------------------------------------------------


def test_a_request_gets_its_own_token_published_retained_after_its_state_and_never_in_it() -> None:
    broker, clock = Broker(), Clock()
    service, transport, log = kiosk(broker, clock)
    first = service.request_help(Kind.HELP, {"topic": "question", "note": "paint"}).request
    second = service.request_help(Kind.HELP, {"topic": "other"}).request
    assert first.token != second.token and len(first.token) == 22
    assert first.ticket not in first.token and first.id not in first.token
    topics = [sent[0] for sent in transport.sent]
    state, token = wire.state_topic("s1", "kiosk-1", first.id), wire.token_topic("s1", "kiosk-1", first.id)
    assert topics.index(state) < topics.index(token), "the state first: a receiver then knows the request"
    [(_t, payload, retain, expiry)] = [sent for sent in transport.on("token") if sent[0] == token]
    assert retain and expiry == TOKEN_EXPIRY == 12 * 3600
    assert wire.decode_token(payload) == wire.PhoneToken(first.id, "kiosk-1", first.token)
    for _topic, sent, _retain, _expiry in transport.on("state"):
        assert first.token.encode() not in sent and second.token.encode() not in sent
        assert "token" not in json.loads(sent)
    [created, _second] = [e for e in log.entries if e.event == "created"]
    assert created.token == first.token, "kept in the log, so a restart keeps it"
    assert first.token not in repr(first) and first.token not in repr(created)


def test_without_the_placeholder_no_token_is_made_and_nothing_is_published_for_one() -> None:
    broker, clock = Broker(), Clock()
    service, transport, log = kiosk(broker, clock, qr_url="https://x/t/{request_id}")
    request = service.request_help(Kind.FIND, {"item": "drill"}).request
    assert not isinstance(service._tickets[request.id], PhoneTicket)
    resolve(broker, service, request.id)
    clock.advance(TOKEN_GRACE.total_seconds() + 1)
    service.tick()
    assert request.token == "" and log.entries[0].token == ""
    assert transport.on("token") == []


def test_the_ticket_to_print_carries_the_token_for_its_qr_link() -> None:
    broker, clock = Broker(), Clock()
    service, _transport, _log = kiosk(broker, clock)
    request = service.request_help(Kind.HELP, {"topic": "question"}).request
    ticket = service._tickets[request.id]
    assert isinstance(ticket, PhoneTicket) and ticket.token == request.token
    assert ticket.number == request.ticket and ticket.request_id == request.id
    assert request.token not in repr(ticket), "a ticket may be logged, a token never"


# -- how long it lives on the broker ----------------------------------------------------------


def test_an_ended_requests_token_lives_for_the_grace_then_is_withdrawn() -> None:
    broker, clock = Broker(), Clock()
    service, transport, _log = kiosk(broker, clock)
    request = service.request_help(Kind.HELP, {"topic": "question"}).request
    topic = wire.token_topic("s1", "kiosk-1", request.id)
    clock.advance(60)
    resolve(broker, service, request.id)
    assert service.desk.request(request.id).status is Status.RESOLVED  # type: ignore[union-attr]
    made, ended = transport.on("token")
    assert ended[1] == made[1] and ended[2] is True
    assert ended[3] == int(TOKEN_GRACE.total_seconds()), "the broker forgets it when the grace ends by itself"
    clock.advance(TOKEN_GRACE.total_seconds() - 1)
    service.tick()
    assert len(transport.on("token")) == 2 and broker.retained[topic]
    clock.advance(1)
    service.tick()
    service.tick()
    assert transport.on("token")[2:] == [(topic, b"", True, None)], "withdrawn once, for everyone holding it"
    assert broker.retained[topic] == b""


def test_a_cancelled_request_ends_its_token_the_same_way() -> None:
    broker, clock = Broker(), Clock()
    service, transport, _log = kiosk(broker, clock)
    request = service.request_help(Kind.RETURN, {"reason": "broken"}).request
    service.cancel(request.id)
    assert transport.on("token")[-1][3] == int(TOKEN_GRACE.total_seconds())
    assert service.tokens.withdrawing() == 1


def test_after_a_broker_lost_everything_open_tokens_and_those_in_their_grace_come_back() -> None:
    broker, clock = Broker(), Clock()
    service, transport, _log = kiosk(broker, clock)
    gone = service.request_help(Kind.HELP, {"topic": "other"}).request
    ended = service.request_help(Kind.HELP, {"topic": "other"}).request
    still_open = service.request_help(Kind.FIND, {"item": "drill"}).request
    service.cancel(gone.id)
    clock.advance(TOKEN_GRACE.total_seconds() - 600)
    resolve(broker, service, ended.id)
    clock.advance(700)  # gone's grace is over (not yet withdrawn: no tick), ended has 1,700 s left
    broker.forget_retained()
    before = len(transport.sent)
    service.restore_retained()
    again = {sent[0]: sent for sent in transport.sent[before:] if sent[0].endswith("/token")}
    assert set(again) == {wire.token_topic("s1", "kiosk-1", r.id) for r in (ended, still_open)}
    assert again[wire.token_topic("s1", "kiosk-1", still_open.id)][3] == TOKEN_EXPIRY
    assert again[wire.token_topic("s1", "kiosk-1", ended.id)][3] == TOKEN_GRACE.total_seconds() - 700


def test_after_a_restart_the_desk_has_the_tokens_from_the_log_and_withdraws_them_in_time() -> None:
    broker, clock = Broker(), Clock()
    service, _transport, log = kiosk(broker, clock)
    open_one = service.request_help(Kind.HELP, {"topic": "question"}).request
    ended = service.request_help(Kind.HELP, {"topic": "question"}).request
    clock.advance(30)
    resolve(broker, service, ended.id)
    clock.advance(60)
    restarted, transport, _log = kiosk(Broker(), clock, log=log)  # the same log, a new broker
    assert restarted.desk.request(open_one.id).token == open_one.token  # type: ignore[union-attr]
    assert restarted.desk.request(ended.id).token == ended.token  # type: ignore[union-attr]
    assert restarted.tokens.withdrawing() == 1
    clock.advance(TOKEN_GRACE.total_seconds())
    restarted.tick()
    assert transport.on("token") == [(wire.token_topic("s1", "kiosk-1", ended.id), b"", True, None)]


# -- a cancel from the shopper's phone ------------------------------------------------------------


def test_a_phone_cancel_with_the_right_token_cancels_and_a_wrong_or_missing_one_changes_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    broker, clock = Broker(), Clock()
    service, transport, log = kiosk(broker, clock)
    shown: list[Status] = []
    service.listeners.append(lambda view: shown.append(view.request.status))
    request = service.request_help(Kind.HELP, {"topic": "question"}).request
    other = service.request_help(Kind.HELP, {"topic": "question"}).request
    sent_before = len(transport.sent)
    with caplog.at_level(logging.WARNING):
        for token in (other.token, new_token(), "", None, request.token[:21] + "!"):
            phone_cancel(broker, request.id, token)
        phone_cancel(broker, "kiosk-1-r99", request.token)  # a request this kiosk does not have
    assert service.desk.request(request.id).status is Status.OPEN  # type: ignore[union-attr]
    assert len(transport.sent) == sent_before and [e.event for e in log.entries] == ["created", "created"]
    assert service.rejected["cancel of kiosk-1-r1 from a phone without its token"] == 2
    assert sum(service.rejected.values()) == 6
    for secret in (request.token, other.token):
        assert secret not in caplog.text, "a token is never logged"
    phone_cancel(broker, request.id, request.token)
    assert service.desk.request(request.id).status is Status.CANCELLED  # type: ignore[union-attr]
    assert shown[-1] is Status.CANCELLED, "the ticket screen says so"
    assert [e.event for e in log.entries] == ["created", "created", "cancelled"]
    phone_cancel(broker, request.id, request.token)  # a second copy (QoS 1)
    assert [e.event for e in log.entries] == ["created", "created", "cancelled"]


# -- the store's other kiosks' tokens, for joining feedback ---------------------------------------------


def test_another_kiosks_scanned_token_link_joins_its_request_until_that_kiosk_withdraws_it() -> None:
    broker, clock = Broker(), Clock()
    north, _t, _l = kiosk(broker, clock, "kiosk-1")
    south, _t2, _l2 = kiosk(broker, clock, "kiosk-2")
    request = north.request_help(Kind.HELP, {"topic": "question"}).request
    link = LINK.format(token=request.token)
    assert south.read_ticket(link) == request.id, "the shopper came in at the north entrance"
    assert north.read_ticket(link) == request.id
    assert south.read_ticket(request.token) == request.id, "a bare token, as another link's part"
    resolve(broker, north, request.id)
    assert south.read_ticket(link) == request.id, "within the grace"
    clock.advance(TOKEN_GRACE.total_seconds())
    north.tick()
    for reader in (north, south):
        with pytest.raises(TicketUnread) as refused:
            reader.read_ticket(link)
        assert request.token not in str(refused.value), "a refusal never repeats a token"
        assert "not a ticket of this store" in str(refused.value)


def test_an_unknown_token_is_refused_like_any_stranger() -> None:
    broker, clock = Broker(), Clock()
    service, _t, _l = kiosk(broker, clock)
    service.request_help(Kind.HELP, {"topic": "question"})
    stranger = new_token()
    for scanned in (LINK.format(token=stranger), stranger, f"https://elsewhere.example/{stranger}"):
        with pytest.raises(TicketUnread, match="is not a ticket of this store") as refused:
            service.read_ticket(scanned)
        assert stranger not in str(refused.value)


def test_other_kiosks_tokens_are_checked_against_their_topic_and_kept_within_bounds() -> None:
    clock = Clock()
    tokens = PhoneTokens("s1", "kiosk-2", Recording(Broker()))
    token = new_token()
    good = json.dumps({"v": 1, "request_id": "r1", "kiosk": "kiosk-1", "token": token}).encode()
    with pytest.raises(wire.WireError, match="do not match its topic"):
        tokens.heard("kiosk-3", "r1", good, clock.now())
    with pytest.raises(wire.WireError, match="22 URL-safe"):
        tokens.heard("kiosk-1", "r1", good.replace(token.encode(), b"short"), clock.now())
    assert tokens.known([], clock.now()) == {}
    tokens.heard("kiosk-1", "r1", good, clock.now())
    tokens.heard("kiosk-2", "r9", good.replace(b"kiosk-1", b"kiosk-2").replace(b"r1", b"r9"), clock.now())
    assert tokens.known([], clock.now()) == {token: "r1"}, "our own come from the desk, not the broker"
    clock.advance(TOKEN_EXPIRY - 1)
    tokens.tick(clock.now())
    assert tokens.known([], clock.now()) == {token: "r1"}
    clock.advance(2)
    tokens.tick(clock.now())
    assert tokens.known([], clock.now()) == {}, "no broker holds a token message this old"
    for n in range(HEARD_MAX + 5):
        body = {"v": 1, "request_id": f"q{n}", "kiosk": "kiosk-1", "token": f"{n:022d}"}
        tokens.heard("kiosk-1", f"q{n}", json.dumps(body).encode(), clock.now())
    known = tokens.known([], clock.now())
    assert len(known) == HEARD_MAX and f"{0:022d}" not in known and f"{HEARD_MAX + 4:022d}" in known


def test_a_token_heard_again_replaces_the_old_one_of_its_request() -> None:
    clock = Clock()
    tokens = PhoneTokens("s1", "kiosk-2", Recording(Broker()))
    first, second = new_token(), new_token()
    for token in (first, second):
        body = {"v": 1, "request_id": "r1", "kiosk": "kiosk-1", "token": token}
        tokens.heard("kiosk-1", "r1", json.dumps(body).encode(), clock.now())
    assert tokens.known([], clock.now()) == {second: "r1"}
    tokens.heard("kiosk-1", "r1", b"", clock.now())
    assert tokens.known([], clock.now()) == {}


def test_own_tokens_open_only_while_their_page_does() -> None:
    broker, clock = Broker(), Clock()
    service, _t, _l = kiosk(broker, clock)
    request = service.request_help(Kind.HELP, {"topic": "question"}).request
    service.cancel(request.id)
    assert service.tokens.known(service.desk.requests(), clock.now() + TOKEN_GRACE - timedelta(seconds=1))
    assert service.tokens.known(service.desk.requests(), clock.now() + TOKEN_GRACE) == {}


# -- the headless kiosk as a real process, on a real Mosquitto ------------------------------------------


def start_headless(broker, store: str, data_dir: Path, config: Path) -> LineProcess:  # type: ignore[no-untyped-def]
    proc = LineProcess(
        "run_kiosk.py", "--headless", "--config", str(config), "--broker", broker.url, "--store", store,
        "--data-dir", str(data_dir), "--device", "kiosk-1",
    )  # fmt: skip
    proc.expect("ready")
    proc.expect("connection up")
    return proc


def first_message(broker, topic: str) -> tuple[bytes, int | None]:  # type: ignore[no-untyped-def]
    """The retained message a fresh MQTT 5 subscriber gets on `topic`, and its remaining expiry."""
    [(_topic, payload, expiry)] = retained_with_expiry(broker, topic, 1)
    return payload, expiry


def test_a_phone_cancel_with_the_printed_links_token_cancels_even_after_a_restart_and_nothing_else_does(
    broker, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    store = f"s{uuid.uuid4().hex[:8]}"
    config = tmp_path / "kiosk.toml"
    config.write_text('[printer]\nqr_url = "http://127.0.0.1:8080/t/{token}"\n')
    kiosk = start_headless(broker, store, tmp_path / "data", config)
    phone = Publisher(broker)
    stderr: list[str] = []
    try:
        kiosk.send("help question Which paint?")
        words = dict(w.split("=", 1) for w in shlex.split(kiosk.expect("ticket H-001"))[2:])
        request_id, link = words["id"], words["link"]
        assert link.startswith("http://127.0.0.1:8080/t/")
        token = link.removeprefix("http://127.0.0.1:8080/t/")
        assert len(token) == 22 and set(token) <= URL_SAFE
        payload, expiry = first_message(broker, wire.token_topic(store, "kiosk-1", request_id))
        assert wire.decode_token(payload) == wire.PhoneToken(request_id, "kiosk-1", token)
        assert expiry is not None and TOKEN_EXPIRY - 60 <= expiry <= TOKEN_EXPIRY
        state, _expiry = first_message(broker, wire.state_topic(store, "kiosk-1", request_id))
        assert token.encode() not in state, "every pager reads the state"

        action = wire.action_topic(store, "kiosk-1", request_id)
        wrong = wire.encode_phone_cancel(CancelRequested(request_id, new_token()), "p1")
        phone.send(action, wrong)
        kiosk.logged(f"cancel of {request_id} from a phone without its token")
        phone.send(action, json.dumps({"v": 1, "action": "cancel", "action_id": "p2"}).encode())
        kiosk.logged("token: expected text")
        kiosk.send("list")
        assert kiosk.expect("status H-001").split()[2] == "open", "nothing changed"
        assert kiosk.close() == 0
        stderr += kiosk.stderr

        kiosk = start_headless(broker, store, tmp_path / "data", config)  # the token comes back from its files
        phone.send(action, wire.encode_phone_cancel(CancelRequested(request_id, token), "p3"))
        assert kiosk.expect("status H-001").split()[2] == "cancelled"
        topic = wire.token_topic(store, "kiosk-1", request_id)
        grace = TOKEN_GRACE.total_seconds()
        payload, expiry = wait_for(lambda: first_message(broker, topic), lambda got: (got[1] or grace + 1) <= grace)
        assert wire.decode_token(payload).token == token, "it opens the page for the grace yet"
        assert kiosk.close() == 0
        stderr += kiosk.stderr
    finally:
        phone.close()
        kiosk.close()
    assert not [line for line in stderr if token in line], "no log line holds the token"
    with TinyDBEventLog(tmp_path / "data", readonly=True) as log:
        entries = log.entries_between(date.today() - timedelta(days=1), date.today() + timedelta(days=1))
    assert [(e.event, e.token) for e in entries] == [("created", token), ("cancelled", "")]


def wait_for(get, good, timeout: float = TIMEOUT):  # type: ignore[no-untyped-def]
    """`get()` again until `good` of it holds: a retained message the kiosk is about to replace."""
    deadline = time.monotonic() + timeout
    while True:
        value = get()
        if good(value) or time.monotonic() > deadline:
            assert good(value), f"still {value!r}"
            return value
