"""The MQTT contract's codec: round trips, hostile input, and the documented examples."""

from __future__ import annotations

import contextlib
import json
import re
import shlex
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import wire
from core.events import CancelRequested, StaffActed
from core.lifecycle import Action
from core.model import Feedback, Kind, Request, Search, Status

DOC = Path(__file__).resolve().parent.parent / "docs" / "mqtt-api.md"
T0 = datetime(2026, 11, 24, 9, 0, 0, 123000, tzinfo=UTC)

ids = st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True)
texts = st.text(min_size=1, max_size=60)
moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC))


@settings(max_examples=200, deadline=None)
@given(
    rid=ids,
    kiosk=ids,
    kind=st.sampled_from(Kind),
    status=st.sampled_from(Status),
    seq=st.integers(1, 2**31),
    created=moments,
    claimed=st.none() | moments,
    by=st.none() | texts,
    details=st.dictionaries(st.text(max_size=10), st.text(max_size=80), max_size=4),
)
def test_any_request_state_survives_a_round_trip(rid, kiosk, kind, status, seq, created, claimed, by, details) -> None:  # type: ignore[no-untyped-def]
    request = Request(rid, kind, "H-001", kiosk, created, status, seq, details, by, claimed, None, None)
    assert wire.decode_request(wire.encode_request(request)) == request


@settings(max_examples=100, deadline=None)
@given(
    rid=ids, action=st.sampled_from(["claim", "release", "resolve"]), staff=texts, aid=ids, outcome=st.none() | texts
)
def test_any_staff_action_survives_a_round_trip(rid, action, staff, aid, outcome) -> None:  # type: ignore[no-untyped-def]
    message = StaffActed(rid, action, staff, aid, outcome)
    assert wire.decode_action(rid, wire.encode_action(message)) == message


def test_feedback_survives_a_round_trip_with_chinese_text() -> None:
    feedback = Feedback("f1", "kiosk-1", 2, T0, ("waiting",), "等太久了 — te lang gewacht")
    assert wire.decode_feedback(wire.encode_feedback(feedback)) == feedback


def test_feedback_joined_to_a_request_keeps_it_and_a_bad_one_is_refused() -> None:
    joined = Feedback("f1", "kiosk-2", 4, T0, request_id="3f9c2a7e1b4d4c10")
    assert wire.decode_feedback(wire.encode_feedback(joined)).request_id == "3f9c2a7e1b4d4c10"
    body = json.loads(wire.encode_feedback(joined))
    with pytest.raises(wire.WireError):
        wire.decode_feedback(json.dumps({**body, "request_id": "store/#"}).encode())


def test_a_search_survives_a_round_trip_and_says_nothing_about_the_shopper() -> None:
    search = Search("s1", "kiosk-1", T0, "电钻 drill", 2, ("DRL-1001 Cordless drill 18 V",), "DRL-1002 Drill bits")
    payload = wire.encode_search(search)
    assert wire.decode_search(payload) == search
    assert set(json.loads(payload)) == {"v", "id", "kiosk", "at", "term", "results", "out_of_stock", "taken"}


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_raise_anything_but_wire_error(payload: bytes) -> None:
    for decode in (wire.decode_request, wire.decode_feedback, lambda p: wire.decode_action("r1", p)):
        with contextlib.suppress(wire.WireError):
            decode(payload)


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    )
)
def test_any_json_with_the_right_version_is_decoded_or_refused_cleanly(value: object) -> None:
    body = {"v": 1, **value} if isinstance(value, dict) else value
    payload = json.dumps(body).encode()
    for decode in (wire.decode_request, wire.decode_feedback, lambda p: wire.decode_action("r1", p)):
        with contextlib.suppress(wire.WireError):
            decode(payload)


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"{not json", "not JSON"),
        (b"\xff\xfe", "not UTF-8"),
        (b"[1,2]", "JSON object"),
        (b'{"v": 2, "action": "claim"}', "unsupported version"),
        (b'{"action": "claim"}', "unsupported version"),
        (b'{"v": 1, "action": "steal", "staff": "x", "action_id": "a"}', "action"),
        (b'{"v": 1, "action": "claim", "staff": 7, "action_id": "a"}', "staff"),
        (b'{"v": 1, "action": "claim", "staff": "x", "action_id": "a/#"}', "action_id"),
        (b"{" + b" " * (wire.MAX_PAYLOAD + 1) + b"}", "byte limit"),
    ],
)
def test_bad_actions_are_refused_with_a_reason(payload: bytes, reason: str) -> None:
    with pytest.raises(wire.WireError, match=reason):
        wire.decode_action("r1", payload)


def test_topics_with_wildcards_or_foreign_stores_are_refused() -> None:
    for topic in (
        "store/other/requests/k/r/action",
        "store/s/requests/k/r+/action",
        "store/s/requests/k/r/extra/action",
        "store/s/unknown",
    ):
        with pytest.raises(wire.WireError):
            wire.parse_topic("s", topic)
    assert wire.parse_topic("s", "store/s/requests/k1/r1/action") == ("action", {"kiosk": "k1", "request_id": "r1"})


def documented_commands() -> list[list[str]]:
    """Every mosquitto_pub example in the API document, as argument lists."""
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:sh|bash)\n(.*?)```", text, flags=re.S)
    commands = []
    for block in blocks:
        joined = block.replace("\\\n", " ")
        for line in joined.splitlines():
            if line.strip().startswith("mosquitto_pub"):
                commands.append(shlex.split(line))
    return commands


def option(args: list[str], flag: str) -> str:
    return args[args.index(flag) + 1]


def test_every_documented_example_is_understood_by_the_real_codec() -> None:
    commands = documented_commands()
    assert len(commands) >= 4
    seen = set()
    for args in commands:
        topic, payload = option(args, "-t"), option(args, "-m").encode()
        kind, found = wire.parse_topic("demo-store", topic)
        seen.add(kind)
        if kind == "state":
            state = wire.decode_request(payload)
            assert state.id == found["request_id"] and state.changed_at is not None
            assert "-r" in args, "request states are retained"
        elif kind == "action":
            action = wire.decode_action(found["request_id"], payload)
            if isinstance(action, CancelRequested):
                assert action.token and "-r" not in args
                seen.add("phone cancel")
            else:
                assert action.action in ("claim", "release", "resolve", "hand_over")
                assert (action.to is not None) == (action.action == "hand_over")
                seen.add(action.action)
        elif kind == "token":
            token = wire.decode_token(payload)
            assert (token.request_id, token.kiosk) == (found["request_id"], found["kiosk"])
            assert "-r" in args, "tokens are retained"
            assert args[args.index("-D") : args.index("-D") + 3] == ["-D", "publish", "message-expiry-interval"]
        elif kind == "feedback":
            feedback = wire.decode_feedback(payload)
            assert feedback.kiosk == found["device"]
            seen.add("joined feedback" if feedback.request_id else "feedback")
        elif kind == "searches":
            assert wire.decode_search(payload).kiosk == found["device"]
            assert "-r" not in args, "searches are not retained"
        elif kind == "alerts":
            body = json.loads(payload)
            assert body["v"] == 1 and body["kiosk"] == found["device"]
            assert body["kind"] == "escalation" and body["level"] in (1, 2, 3)
        elif kind == "unhappy":
            assert wire.decode_unhappy(payload).contact  # type: ignore[union-attr]
        elif kind == "printers":
            assert wire.decode_printer(payload).kiosk == found["device"]
        elif kind == "devices":
            presence = wire.decode_presence(found["device"], payload)
            assert presence.at is not None
            if presence.staff:
                assert presence.role == "web"
                seen.add("staff on phones")
    assert {
        "state",
        "action",
        "claim",
        "resolve",
        "hand_over",
        "phone cancel",
        "token",
        "staff on phones",
        "feedback",
        "joined feedback",
        "alerts",
        "unhappy",
        "printers",
        "devices",
        "searches",
    } <= seen


def test_the_document_names_every_topic_the_codec_knows() -> None:
    text = DOC.read_text(encoding="utf-8")
    for topic in (
        "searches/<kiosk>",
        "managers/figures",
        "managers/alerts",
        "`request_id`",
        "`changed_at`",
        "<request_id>/token",
        "`hand_over`",
        "`handed_over`",
        "`staff`",
    ):
        assert topic in text, topic
    for word in ("claimed", "released", "resolved", "cancelled", "escalated", "handed_over"):
        assert f"`{word}`" in text, f"the {word} step"


def test_a_hand_over_carries_the_colleague_and_other_actions_do_not() -> None:
    over = StaffActed("r1", Action.HANDOVER, "Anna", "a1", None, "Ben")
    body = json.loads(wire.encode_action(over))
    assert body["action"] == "hand_over" and body["to"] == "Ben"
    assert wire.decode_action("r1", wire.encode_action(over)) == over
    claim = StaffActed("r1", Action.CLAIM, "Anna", "a2", None, "Ben")
    assert "to" not in json.loads(wire.encode_action(claim))
    assert wire.decode_action("r1", wire.encode_action(claim)).to is None  # type: ignore[union-attr]
    for to in (None, "", 7, "x" * 65):
        with pytest.raises(wire.WireError, match="to"):
            wire.decode_action("r1", json.dumps({**body, "to": to}).encode())


def test_a_phone_cancel_carries_the_token_and_nothing_about_staff() -> None:
    token = "q8Fz0XyL3vN_tR6wK2mPjA"
    payload = wire.encode_phone_cancel(CancelRequested("r1", token), "p1")
    assert json.loads(payload) == {"v": 1, "action": "cancel", "token": token, "action_id": "p1"}
    assert wire.decode_action("r1", payload) == CancelRequested("r1", token)
    assert token not in repr(wire.decode_action("r1", payload)), "a token is never in a repr, so never in a log"
    for bad, why in (({"token": None}, "token"), ({"token": "a/#"}, "token"), ({"action_id": "x y"}, "action_id")):
        body = {**json.loads(payload), **bad}
        with pytest.raises(wire.WireError, match=why):
            wire.decode_action("r1", json.dumps({k: v for k, v in body.items() if v is not None}).encode())


def test_a_phone_token_survives_a_round_trip_and_a_short_or_odd_one_is_refused() -> None:
    request = Request("r1", Kind.HELP, "H-001", "kiosk-1", T0, token="q8Fz0XyL3vN_tR6wK2mPjA")
    payload = wire.encode_token(request)
    assert wire.decode_token(payload) == wire.PhoneToken("r1", "kiosk-1", request.token)
    assert request.token.encode() not in wire.encode_request(request), "never in the state"
    body = json.loads(payload)
    for key, value in (("token", "short"), ("token", "q8Fz0XyL3vN_tR6wK2mPj/#"), ("kiosk", "a/b"), ("request_id", "")):
        with pytest.raises(wire.WireError):
            wire.decode_token(json.dumps({**body, key: value}).encode())
    assert wire.parse_topic("s", "store/s/requests/k1/r1/token") == ("token", {"kiosk": "k1", "request_id": "r1"})


def test_the_web_services_presence_lists_the_staff_on_phones_within_a_limit() -> None:
    web = wire.Presence("web", "web", True, T0, staff=(("Anna", "floor"), ("Mia", "manager")))
    assert wire.decode_presence("web", wire.encode_presence(web)) == web
    pager = wire.Presence("pager-anna", "floor", True, T0, name="Anna")
    assert "staff" not in json.loads(wire.encode_presence(pager))
    body = json.loads(wire.encode_presence(web))
    too_many = [{"name": f"n{i}", "role": "floor"} for i in range(wire.MAX_ON_PHONES + 1)]
    for staff in (too_many, ["Anna"], [{"name": "Anna"}], {"name": "Anna"}):
        with pytest.raises(wire.WireError, match="staff|role"):
            wire.decode_presence("web", json.dumps({**body, "staff": staff}).encode())
