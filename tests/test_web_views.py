"""The web model and its views in one process, fed the broker's messages as bytes: what each member is
shown is what their own pager board shows, whatever the views share between members to be fast."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core import wire
from core.lifecycle import offered
from core.live import LiveFigures
from core.live_wire import encode_figures
from core.model import Feedback, Kind, Request, Status
from store_server.web_model import WebModel
from store_server.web_views import Views
from store_server.web_watch import Watcher
from store_server.web_words import Words

T0 = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
STORE = "s1"


class Clock:
    def __init__(self) -> None:
        self.at = T0

    def now(self) -> datetime:
        return self.at


class Sent:
    def __init__(self) -> None:
        self.messages: list[tuple[str, bytes]] = []

    def publish(self, topic: str, payload: bytes, **_options: object) -> None:
        self.messages.append((topic, payload))


def request(n: int, kind: Kind = Kind.HELP, **changes: object) -> Request:
    created = T0 + timedelta(seconds=n)
    base = Request(id=f"r{n:03d}", kind=kind, ticket=f"{kind.prefix}-{n:03d}", kiosk="kiosk-1", created_at=created,
                   details={"language": "en"}, token=f"{'t' * 20}{n:03d}")  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


def model(tmp_path: Path) -> tuple[WebModel, Clock, Sent]:
    clock, sent = Clock(), Sent()
    web = WebModel(store_id=STORE, device_id="web", transport=sent, clock=clock,  # type: ignore[arg-type]
                   tz=ZoneInfo("Europe/Amsterdam"), grace=timedelta(minutes=30), data_dir=tmp_path)  # fmt: skip
    return web, clock, sent


def tell(web: WebModel, state: Request) -> None:
    web.on_message(wire.state_topic(STORE, state.kiosk, state.id), wire.encode_request(state))
    web.on_message(wire.token_topic(STORE, state.kiosk, state.id), wire.encode_token(state))


STATES = [
    request(1),
    request(2, status=Status.CLAIMED, claimed_by="Anna", claimed_at=T0, seq=2),
    request(3, Kind.RETURN),
    request(4, Kind.RETURN, status=Status.CLAIMED, claimed_by="Anna", claimed_at=T0, seq=2),  # handed to her
    request(5, status=Status.CLAIMED, claimed_by="Ben", claimed_at=T0, seq=2),
    request(6, Kind.FIND, escalation=1),
    request(7, Kind.RETURN, escalation=1),
    request(8, status=Status.RESOLVED, claimed_by="Ben", claimed_at=T0, resolved_at=T0, seq=3),
]


@pytest.mark.parametrize(("name", "role"), [("Anna", "floor"), ("Ben", "floor"), ("Cai", "floor"),
                                            ("Rita", "returns"), ("Mia", "manager")])  # fmt: skip
def test_each_member_sees_exactly_their_boards_requests_with_their_own_actions(
    tmp_path: Path, name: str, role: str
) -> None:
    web, _clock, _sent = model(tmp_path)
    members = {n: web.member(n, r, T0) for n, r in (("Anna", "floor"), ("Ben", "floor"), ("Rita", "returns"))}
    for state in STATES:
        tell(web, state)
    member = members.get(name) or web.member(name, role, T0)  # one made later is told what is known
    views = Views(web, Words(), dict.fromkeys(Kind, 60))
    for other in members.values():
        views.staff_text(other)  # the shared rows are made by whoever asks first
    shown = views.staff(member)
    board = member.service.board
    expected = [(r.id, [a.value for a in offered(r, board.staff)]) for r in board.open_requests()]
    assert [(r["id"], r["actions"]) for r in shown["requests"]] == expected
    assert "r008" not in {r["id"] for r in shown["requests"]}  # ended
    if name == "Anna":
        assert [r["id"] for r in shown["requests"]] == ["r001", "r002", "r004", "r005", "r006", "r007"]
        assert shown["requests"][1]["actions"] == ["resolve", "hand_over", "release"]


def test_managers_alone_get_the_figures_and_the_unhappy_shoppers_contact(tmp_path: Path) -> None:
    web, _clock, _sent = model(tmp_path)
    floor, manager = web.member("Anna", "floor", T0), web.member("Mia", "manager", T0)
    unhappy = Feedback(id="f1", kiosk="kiosk-1", rating=1, given_at=T0, contact="anna@example.org", comment="late")
    web.on_message(wire.unhappy_topic(STORE, "kiosk-1"), wire.encode_unhappy(unhappy, T0))
    views = Views(web, Words(), dict.fromkeys(Kind, 60))
    assert "anna@example.org" not in views.staff_text(floor)
    assert views.staff(manager)["unhappy"][0]["contact"] == "anna@example.org"
    web.on_message(wire.unhappy_topic(STORE, "kiosk-1"), wire.encode_unhappy(unhappy, T0))  # a copy
    assert len(views.staff(manager)["unhappy"]) == 1


def test_a_newer_state_wins_an_older_copy_changes_nothing_and_hostile_messages_are_rejected(tmp_path: Path) -> None:
    web, _clock, _sent = model(tmp_path)
    claimed = request(1, status=Status.CLAIMED, claimed_by="Anna", claimed_at=T0, seq=2)
    tell(web, claimed)
    counter = web.counter
    web.on_message(wire.state_topic(STORE, "kiosk-1", "r001"), wire.encode_request(request(1)))  # seq 1: late copy
    assert web.requests["r001"].status is Status.CLAIMED and web.counter == counter
    for topic, payload in [
        (wire.state_topic(STORE, "kiosk-1", "r001"), b"{not json"),
        (wire.state_topic(STORE, "kiosk-2", "r001"), wire.encode_request(claimed)),  # not its topic
        (wire.token_topic(STORE, "kiosk-1", "r001"), b'{"v":1,"request_id":"r001","kiosk":"kiosk-1","token":"short"}'),
        ("store/other/requests/kiosk-1/r001/state", wire.encode_request(claimed)),
    ]:
        web.on_message(topic, payload)
    assert web.rejected == 4 and web.counter == counter
    assert web.by_token_request("t" * 20 + "001") is not None


def test_a_ticket_view_holds_nothing_the_shopper_typed_and_knows_its_place(tmp_path: Path) -> None:
    web, clock, _sent = model(tmp_path)
    for n in (1, 2, 3):
        tell(web, request(n, details={"language": "nl", "note": "secret note", "topic": "question"}))
    views = Views(web, Words(), dict.fromkeys(Kind, 60))
    third = web.by_token_request("t" * 20 + "003")
    assert third is not None
    view = views.ticket(third)
    assert (view["place_in_line"], view["stands"], view["language"]) == (3, "waiting", "nl")
    assert "secret" not in str(view)
    tell(web, request(1, status=Status.CLAIMED, claimed_by="Anna Jansen", claimed_at=T0, seq=2))
    clock.at += timedelta(seconds=2)
    assert views.ticket(web.requests["r003"])["place_in_line"] == 2
    assert views.ticket(web.requests["r001"])["helper"] == "Anna"  # her first name only


def test_a_slow_stream_keeps_only_the_newest_change_and_a_bounded_list_of_notices() -> None:
    async def run() -> None:
        watcher = Watcher("anna")
        for counter in range(1000):
            watcher.changed(counter)
            watcher.notice({"kind": "new", "n": counter})
        assert watcher.latest == 999 and len(watcher.notices) == 50
        assert await watcher.next(0.01) is True
        assert await watcher.next(0.01) is False  # nothing new: the stream sends a comment instead

    asyncio.run(run())


def test_the_presence_lists_the_staff_on_phones_with_the_time_of_its_connections_will(tmp_path: Path) -> None:
    web, clock, sent = model(tmp_path)
    will = wire.decode_presence("web", web.presence(False, T0))  # the link makes its will, then connects
    online = wire.decode_presence("web", web.presence(True, T0 + timedelta(seconds=1)))
    assert (will.online, will.staff, online.at) == (False, (), T0)
    web.connected = True
    web.member("Anna", "floor", T0)
    clock.at = T0 + timedelta(seconds=60)
    web.tell_presence(clock.at)
    listed = wire.decode_presence("web", sent.messages[-1][1])
    assert (listed.staff, listed.at) == ((("Anna", "floor"),), T0)  # no later than the will the broker holds
    clock.at = T0 + timedelta(seconds=91)
    web.tell_presence(clock.at)  # no stream and 90 s without a request from her page: not listed any more
    assert wire.decode_presence("web", sent.messages[-1][1]).staff == ()


def test_todays_figures_reach_managers_only_and_an_empty_retained_message_clears_them(tmp_path: Path) -> None:
    web, _clock, _sent = model(tmp_path)
    floor, manager = web.member("Anna", "floor", T0), web.member("Mia", "manager", T0)
    figures = LiveFigures(day=T0.date(), at=T0, waiting=2, longest_wait=95, service_level=87.5, within_target=21,
                          due=24, satisfaction=72.2, responses=12, unclaimed=3, abandoned=1, requests=27)  # fmt: skip
    web.on_message(wire.figures_topic(STORE), encode_figures(figures))
    views = Views(web, Words(), dict.fromkeys(Kind, 60))
    shown = views.staff(manager)["figures"]
    assert (shown["day"], shown["service_level"], shown["longest_wait"]) == ("2026-12-02", 87.5, 95)
    assert views.staff(floor)["figures"] is None
    web.on_message(wire.figures_topic(STORE), b"")
    assert Views(web, Words(), dict.fromkeys(Kind, 60)).staff(manager)["figures"] is None


def test_the_board_shows_numbers_only_and_how_soon_help_usually_comes(tmp_path: Path) -> None:
    web, clock, _sent = model(tmp_path)
    tell(web, request(1, status=Status.CLAIMED, claimed_by="Anna Jansen", claimed_at=T0 + timedelta(seconds=91),
                      seq=2))  # fmt: skip
    tell(web, request(2))
    tell(web, request(3))
    clock.at = T0 + timedelta(minutes=3)
    board = json.loads(Views(web, Words(), dict.fromkeys(Kind, 60)).board_text())
    assert (board["helped_now"], board["waiting"], board["usual_minutes"]) == (["H-001"], 2, 2)
    assert board["words"]["nl"]["waiting"] == "Wachtend: 2"
    assert "Anna" not in json.dumps(board)
