"""The web service in a store: a real Mosquitto, a kiosk whose printed QR opens the phone page, the
service as a process (tests/web_process.py), staff and shoppers over HTTP.

One kiosk and one service for the module (the service's grace is the store's
default); a second service of the same store with no grace for the expired
token. Every wait is on an event stream or a kiosk notice, with a deadline.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core import wire
from core.model import Kind, Status
from shell.kiosk_service import KioskService
from tests.services import Running, is_view, running
from tests.web_process import (
    StreamBytes,
    Subscriber,
    WebService,
    events,
    kiosk_factory,
    wait_event,
    wait_event_id,
    web_service,
)

STAFF = [("Anna", "floor", "1111"), ("Ben", "floor", "2222"), ("Mia", "manager", "3333"), ("Rita", "returns", "4444")]
PINS = {name: pin for name, _role, pin in STAFF}
CONTACT = "+31 6 5550 1234"


class Store:
    def __init__(self, web: WebService, kiosk: KioskService, runner: Running, store: str, port: int) -> None:
        self.web, self.kiosk, self.runner, self.store = web, kiosk, runner, store
        self.token_watch = Subscriber(port, wire.all_tokens(store))  # what the broker tells the service
        self.clients: dict[str, httpx.Client] = {}
        self.tokens: list[str] = []  # every phone token the kiosk made here

    def staff(self, name: str) -> httpx.Client:
        if name not in self.clients:
            self.clients[name] = self.web.signed_in(name, PINS[name])
        return self.clients[name]

    def ask(self, web: WebService | None = None, **details: str) -> tuple[str, str, str]:
        """A shopper asks at the kiosk: (request id, ticket, token), once the service has the request and,
        as far as anyone outside it can tell, its token (a bare subscriber has it)."""
        view = self.runner.call(self.kiosk.request_help, Kind.HELP, {"topic": "question", "language": "nl", **details})
        request = view.request  # type: ignore[attr-defined]
        assert request.token, "the kiosk made no phone token: its qr_url lacks {token}"
        self.tokens.append(request.token)
        self.token_watch.wait(lambda m: m.get("token") == request.token)
        staff = self.staff("Anna") if web is None else web.signed_in("Anna", PINS["Anna"])
        state_until(staff, lambda s: row(s, request.id), "with the new request")
        return request.id, request.ticket, request.token


@pytest.fixture(scope="module")
def shop(broker, tmp_path_factory) -> Iterator[Store]:  # type: ignore[no-untyped-def]
    store = f"w{uuid.uuid4().hex[:8]}"
    folder = tmp_path_factory.mktemp("web")
    with web_service(folder, broker_url=broker.url, store=store, staff=STAFF, wait_for="connected") as web:
        kiosk_url = f"{web.url}/t/{{token}}"
        with running(kiosk_factory(broker.url, store, kiosk_url)) as (kiosk, runner):
            shop = Store(web, kiosk, runner, store, broker.port)  # type: ignore[arg-type]
            yield shop
            for client in shop.clients.values():
                client.close()
            shop.token_watch.close()


def state_until(client: httpx.Client, test, what: str = ""):  # type: ignore[no-untyped-def]
    return wait_event(client, "/api/staff/events", lambda e, d: e == "state" and test(d), what=what)


def row(state: dict, request_id: str) -> dict | None:  # type: ignore[type-arg]
    return next((r for r in state["requests"] if r["id"] == request_id), None)


def ticket_until(client: httpx.Client, token: str, test, what: str = ""):  # type: ignore[no-untyped-def]
    return wait_event(client, f"/t/{token}/events", lambda e, d: e == "ticket" and test(d), what=what)


def test_a_claim_reaches_the_kiosk_the_staff_state_and_the_shopper_page(shop: Store) -> None:
    anna = shop.staff("Anna")
    request_id, ticket, token = shop.ask(note="Where is the paint?")
    shown = state_until(anna, lambda s: row(s, request_id), "with the new request")
    assert row(shown, request_id)["actions"] == ["claim"]  # type: ignore[index]
    assert row(shown, request_id)["details"]["note"] == "Where is the paint?"  # type: ignore[index]
    answer = anna.post("/api/staff/act", json={"action": "claim", "request_id": request_id})
    assert (answer.status_code, answer.json()) == (202, {"sent": "claim", "ticket": ticket})
    claimed = state_until(anna, lambda s: (row(s, request_id) or {}).get("claimed_by") == "Anna")
    assert set(row(claimed, request_id)["actions"]) == {"resolve", "hand_over", "release"}  # type: ignore[index]
    shop.runner.wait_for(is_view(Status.CLAIMED, ticket))
    with shop.web.client() as phone:
        view = ticket_until(phone, token, lambda v: v["stands"] == "on_the_way")
    assert (view["ticket"], view["helper"], view["language"]) == (ticket, "Anna", "nl")
    assert view["words"]["headline"] == "Anna komt eraan"  # the kiosk's own Dutch (kiosk/locale/nl)
    assert "paint" not in json.dumps(view)  # nothing the shopper typed


def test_two_sessions_race_for_one_request_and_exactly_one_wins_as_every_state_says(shop: Store) -> None:
    anna, ben = shop.staff("Anna"), shop.staff("Ben")
    request_id, ticket, _token = shop.ask()
    for client in (anna, ben):
        state_until(client, lambda s: row(s, request_id))
    answers: dict[str, int] = {}

    def claim(name: str, client: httpx.Client) -> None:
        answers[name] = client.post("/api/staff/act", json={"action": "claim", "request_id": request_id}).status_code

    racers = [threading.Thread(target=claim, args=(n, c)) for n, c in (("Anna", anna), ("Ben", ben))]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(30)
    assert set(answers.values()) <= {202, 409} and 202 in answers.values()
    view = shop.runner.wait_for(is_view(Status.CLAIMED, ticket))
    winner = view.request.claimed_by  # type: ignore[attr-defined]
    assert winner in ("Anna", "Ben")
    for client in (anna, ben):
        agreed = state_until(client, lambda s: (row(s, request_id) or {}).get("claimed_by") is not None)
        assert row(agreed, request_id)["claimed_by"] == winner  # type: ignore[index]
    loser = ben if winner == "Anna" else anna
    again = loser.post("/api/staff/act", json={"action": "claim", "request_id": request_id})
    assert (again.status_code, again.json()) == (409, {"error": f"{ticket} is taken by {winner}"})


def test_a_holder_hands_over_to_a_colleague_on_shift_only(shop: Store) -> None:
    anna, ben = shop.staff("Anna"), shop.staff("Ben")
    state_until(anna, lambda s: "Ben" in s["colleagues"], "with Ben on shift")
    request_id, ticket, _token = shop.ask()
    state_until(anna, lambda s: row(s, request_id))
    assert anna.post("/api/staff/act", json={"action": "claim", "request_id": request_id}).status_code == 202
    state_until(anna, lambda s: (row(s, request_id) or {}).get("claimed_by") == "Anna")
    nobody = anna.post("/api/staff/act", json={"action": "hand_over", "request_id": request_id, "to": "Zed"})
    assert nobody.status_code == 409 and "Zed is not on shift" in nobody.json()["error"]
    handed = anna.post("/api/staff/act", json={"action": "hand_over", "request_id": request_id, "to": "ben"})
    assert handed.status_code == 202, handed.text
    now_bens = state_until(ben, lambda s: (row(s, request_id) or {}).get("claimed_by") == "Ben")
    assert "resolve" in row(now_bens, request_id)["actions"]  # type: ignore[index]
    shop.runner.wait_for(lambda v: is_view(Status.CLAIMED, ticket)(v) and v.request.claimed_by == "Ben")  # type: ignore[attr-defined]
    refused = anna.post("/api/staff/act", json={"action": "resolve", "request_id": request_id, "outcome": "answered"})
    assert (refused.status_code, refused.json()) == (409, {"error": f"{ticket} is held by Ben"})


def test_a_floor_session_never_receives_a_shoppers_contact_while_a_managers_does(shop: Store) -> None:
    anna, mia = shop.staff("Anna"), shop.staff("Mia")
    floor = StreamBytes(anna, "/api/staff/events")
    shop.runner.call(shop.kiosk.give_feedback, 1, ("I waited too long",), "Nobody came", CONTACT)
    seen, counter = wait_event_id(
        mia, "/api/staff/events", lambda e, d: e == "state" and any(u["contact"] == CONTACT for u in d["unhappy"])
    )
    assert seen["unhappy"][0]["comment"] == "Nobody came"
    floor_bytes = floor.until(counter)  # the floor stream's state of that change, or of a later one
    assert CONTACT.encode() not in floor_bytes and b"Nobody came" not in floor_bytes
    assert b"event: state" in floor_bytes
    state = anna.get("/api/staff/state").json()
    assert (state["unhappy"], state["figures"]) == ([], None)
    assert CONTACT in mia.get("/api/staff/state").text


HEADERS = {
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
}


def test_a_known_token_opens_the_page_with_its_headers_and_an_unknown_one_is_a_plain_404(shop: Store) -> None:
    _request_id, ticket, token = shop.ask()
    with shop.web.client() as phone:
        ticket_until(phone, token, lambda v: v["ticket"] == ticket)
        page = phone.get(f"/t/{token}", headers={"Accept-Encoding": "gzip"})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert {k: page.headers[k] for k in HEADERS} == HEADERS
        csp = page.headers["content-security-policy"]
        assert csp.startswith("default-src 'self'; frame-ancestors 'none'") and "'unsafe-inline'" not in csp
        assert page.headers.get("content-encoding") == "gzip" and page.num_bytes_downloaded <= 50 * 1024
        for path in ("/t/AAAAAAAAAAAAAAAAAAAAAA", "/t/AAAAAAAAAAAAAAAAAAAAAA/state", "/t/x/events", "/nowhere"):
            unknown = phone.get(path)
            assert (unknown.status_code, unknown.text) == (404, "Not found"), path
            assert unknown.headers["content-type"].startswith("text/plain")
            assert {k: unknown.headers[k] for k in HEADERS} == HEADERS
        state = phone.get(f"/t/{token}/state").json()
        assert set(state) == {"ticket", "stands", "place_in_line", "wait_seconds", "helper", "can_cancel",
                              "can_rate", "seq", "language", "words"}  # fmt: skip
        assert state["stands"] == "waiting" and state["can_cancel"] and not state["can_rate"]


def test_the_shopper_cancels_on_the_page_and_the_kiosk_cancels(shop: Store) -> None:
    _request_id, ticket, token = shop.ask()
    with shop.web.client() as phone:
        ticket_until(phone, token, lambda v: v["can_cancel"])
        answer = phone.post(f"/t/{token}/cancel")
        assert (answer.status_code, answer.json()) == (202, {"sent": "cancel", "ticket": ticket})
        shop.runner.wait_for(is_view(Status.CANCELLED, ticket))
        view = ticket_until(phone, token, lambda v: v["stands"] == "cancelled")
        assert not view["can_cancel"] and view["words"]["headline"] == "Verzoek geannuleerd"
        again = phone.post(f"/t/{token}/cancel")
        assert (again.status_code, again.json()) == (409, {"error": "this request has ended already"})


def test_the_faces_on_the_page_join_the_feedback_to_the_request_once(shop: Store, broker) -> None:  # type: ignore[no-untyped-def]
    anna = shop.staff("Anna")
    feedback = Subscriber(broker.port, wire.feedback_topic(shop.store, "web"))
    try:
        request_id, ticket, token = shop.ask()
        with shop.web.client() as phone:
            early = phone.post(f"/t/{token}/rate", json={"rating": 4})
            assert early.status_code == 409  # not resolved yet
            state_until(anna, lambda s: row(s, request_id))
            assert anna.post("/api/staff/act", json={"action": "claim", "request_id": request_id}).status_code == 202
            state_until(anna, lambda s: (row(s, request_id) or {}).get("claimed_by") == "Anna")
            done = anna.post("/api/staff/act", json={"action": "resolve", "request_id": request_id,
                                                     "outcome": "answered"})  # fmt: skip
            assert done.status_code == 202
            ticket_until(phone, token, lambda v: v["can_rate"])
            assert phone.post(f"/t/{token}/rate", json={"rating": 5}).status_code == 400
            assert phone.post(f"/t/{token}/rate", json={"rating": 4}).status_code == 202
            sent = feedback.wait(lambda m: m.get("request_id") == request_id)
            assert (sent["rating"], sent["kiosk"], sent["contact"], sent["comment"]) == (4, "web", "", "")
            again = phone.post(f"/t/{token}/rate", json={"rating": 1})
            assert (again.status_code, again.json()) == (409, {"error": "this request has been rated already"})
            assert not ticket_until(phone, token, lambda v: v["stands"] == "done")["can_rate"]
            shop.web.restart("connected")  # SIGKILL: the rating is remembered on disk
            # The broker sends the retained states and tokens before the echo of the service's own
            # presence (it subscribes first): once Anna shows on shift again, the token is known.
            state_until(anna, lambda s: {"name": "Anna", "role": "floor", "online": True, "on": "phone"} in s[
                "on_shift"])  # fmt: skip
            ticket_until(phone, token, lambda v: v["stands"] == "done")
            assert phone.post(f"/t/{token}/rate", json={"rating": 2}).status_code == 409
        assert [m["request_id"] for m in feedback.got].count(request_id) == 1
        shop.clients.clear()  # their sessions survived; they sign in again below if needed
        assert ticket
    finally:
        feedback.close()


def test_no_log_line_holds_a_token_or_a_session_id(shop: Store) -> None:
    _request_id, _ticket, token = shop.ask()
    anna = shop.staff("Anna")
    with shop.web.client() as phone:
        ticket_until(phone, token, lambda v: True)
        phone.get(f"/t/{token}")
        phone.get("/t/NoSuchTokenNoSuchToken00")
    anna.get("/api/staff/state")
    session = anna.cookies.get("sa_session")
    assert session
    written = shop.web.log_path.read_text() + shop.web.out_path.read_text()
    assert "signed in" in written  # the log does say what happened
    assert token in shop.tokens
    for secret in {session, "NoSuchTokenNoSuchToken00", *shop.tokens}:
        assert secret not in written


def test_a_token_past_its_grace_is_not_found_and_guessing_is_held_back(shop: Store, broker, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with web_service(tmp_path, broker_url=broker.url, store=shop.store, device="web-nograce", staff=STAFF[:1],
                     wait_for="connected", token_grace_minutes=0, log_level="DEBUG") as strict:  # fmt: skip
        anna = strict.signed_in("Anna", PINS["Anna"])
        request_id, ticket, token = shop.ask(strict)
        with strict.client() as phone:
            ticket_until(phone, token, lambda v: v["ticket"] == ticket)
            assert phone.get(f"/t/{token}").status_code == 200
            state_until(anna, lambda s: row(s, request_id))
            resolved = anna.post("/api/staff/act", json={"action": "resolve", "request_id": request_id,
                                                         "outcome": "answered"})  # fmt: skip
            assert resolved.status_code == 202
            state_until(anna, lambda s: row(s, request_id) is None)  # it ended: no longer on the board
            gone = phone.get(f"/t/{token}")
            assert (gone.status_code, gone.text) == (404, "Not found")  # the grace is 0 here
            for n in range(9):  # with the expired one: 10 unknown tokens this minute
                assert phone.get(f"/t/Guess{n:017d}").status_code == 404
            held = phone.get("/t/Guess99999999999999999")
            assert (held.status_code, held.text) == (429, "Too many requests")
            _other_id, _other, other_token = shop.ask(strict)
            assert phone.get(f"/t/{other_token}/state").status_code == 429  # the address is held back
        written = strict.log_path.read_text() + strict.out_path.read_text()
        assert " DEBUG " in written  # its log said all it says at DEBUG …
        for secret in (token, other_token, anna.cookies["sa_session"]):
            assert secret not in written  # … and never a token or a session id


def test_each_member_hears_the_notices_of_their_own_board_with_the_sound_to_play(shop: Store) -> None:
    anna, ben = shop.staff("Anna"), shop.staff("Ben")
    heard: list[tuple[str, dict]] = []  # type: ignore[type-arg]
    opened = threading.Event()

    def listen() -> None:
        for event, data, _ident in events(anna, "/api/staff/events", timeout=30, headers={"Last-Event-ID": "3"}):
            heard.append((event, data))
            opened.set()
            if event == "notice" and data["kind"] == "changed":
                return

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    assert opened.wait(15) and heard[0][0] == "state"  # a Last-Event-ID still gets the full state first
    view = shop.runner.call(shop.kiosk.request_help, Kind.HELP, {"topic": "other", "language": "en"})
    request_id = view.request.id  # type: ignore[attr-defined]
    state_until(ben, lambda s: row(s, request_id))
    assert ben.post("/api/staff/act", json={"action": "claim", "request_id": request_id}).status_code == 202
    listener.join(30)
    notices = [d for e, d in heard if e == "notice" and d["request_id"] == request_id]
    assert [(n["kind"], n["sound"], n["by"]) for n in notices] == [("new", "new", None), ("changed", None, "Ben")]
    assert notices[0]["ticket"] == view.request.ticket  # type: ignore[attr-defined]


def test_the_service_announces_the_staff_on_phones_and_its_last_will_takes_them_offline(
    shop: Store,
    broker,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    presence = Subscriber(broker.port, wire.presence_topic(shop.store, "web-will"))
    try:
        with web_service(tmp_path, broker_url=broker.url, store=shop.store, device="web-will", staff=STAFF[3:],
                         wait_for="connected") as web:  # fmt: skip
            rita = web.signed_in("Rita", PINS["Rita"])
            listed = presence.wait(lambda m: m["online"] and m.get("staff"))
            assert (listed["role"], listed["staff"]) == ("web", [{"name": "Rita", "role": "returns"}])
            anna = shop.staff("Anna")  # on the store's other web service: it hears this one
            state_until(anna, lambda s: {"name": "Rita", "role": "returns", "online": True, "on": "phone"} in s[
                "on_shift"])  # fmt: skip
            assert rita.post("/api/logout").status_code == 204
            presence.wait(lambda m: m["online"] and not m.get("staff"))  # signed out: listed no longer
            web.signed_in("Rita", PINS["Rita"])
            presence.wait(lambda m: m["online"] and m.get("staff") and m is not listed)
            web.kill()  # the broker sends its last will
            gone = presence.wait(lambda m: not m["online"])
            assert not gone.get("staff")
            state_until(anna, lambda s: not any(p["name"] == "Rita" and p["online"] for p in s["on_shift"]))
    finally:
        presence.close()
