"""Hostile and broken messages on every topic the apps subscribe to.

Each is logged with its reason and counted; nothing crashes, nothing is
stored, no state changes. A valid message sent last proves that everything
before it was handled (the broker keeps a publisher's order).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from core import wire
from core.model import Kind, Status
from tests.memory_log import MemoryLog
from tests.services import Publisher, is_notice, is_view, kiosk, new_store, pager

VALID_ACTION = {"v": 1, "action": "claim", "staff": "Eve", "action_id": "a1", "outcome": None}


def junk_payloads(valid: dict[str, object]) -> Iterator[tuple[str, bytes]]:
    """(what, payload): each breaks the contract in one way."""
    yield "not json", b"{"
    yield "not utf-8", b"\xff\xfe{}"
    yield "not an object", b"[1, 2, 3]"
    yield "unknown version", json.dumps({**valid, "v": 9}).encode()
    yield "no version", json.dumps({k: v for k, v in valid.items() if k != "v"}).encode()
    yield "one megabyte", b'{"v":1,"x":"' + b"a" * 1_000_000 + b'"}'
    yield "nul bytes", b"\x00" * 64
    # True and 1.0 compare equal to 1 in Python, yet are not version 1.
    yield "version true", json.dumps({**valid, "v": True}).encode()
    yield "version 1.0", json.dumps({**valid, "v": 1.0}).encode()
    yield "nested 5,000 deep", b'{"v":1,"x":' + b"[" * 5000 + b"]" * 5000 + b"}"
    yield "a 5,000 digit number", b'{"v":1,"x":' + b"9" * 5000 + b"}"
    for key in valid:
        if key != "v":
            yield f"{key} of the wrong type", json.dumps({**valid, key: [1]}).encode()


@pytest.fixture
def publisher(broker):  # type: ignore[no-untyped-def]
    client = Publisher(broker)
    yield client
    client.close()


def test_junk_on_the_kiosks_action_topic_is_counted_and_changes_nothing(broker, publisher) -> None:  # type: ignore[no-untyped-def]
    store, log = new_store(), MemoryLog()
    with kiosk(broker, store, log=log) as (k, kr):
        view = kr.call(k.request_help, Kind.HELP, {})
        topic = wire.action_topic(store, "kiosk-1", view.request.id)
        junk = list(junk_payloads(VALID_ACTION))
        for _what, payload in junk:
            publisher.send(topic, payload)
        unknown = wire.action_topic(store, "kiosk-1", "no-such-request")
        publisher.send(unknown, json.dumps(VALID_ACTION).encode())
        entries_before = list(log.entries)
        publisher.send(topic, json.dumps({**VALID_ACTION, "action_id": "last"}).encode())
        kr.wait_for(is_view(Status.CLAIMED, "H-001"))
        assert sum(k.rejected.values()) == len(junk) + 1, dict(k.rejected)
        assert k.rejected["unknown request no-such-request"] == 1
        assert entries_before == log.entries[:1] and [e.event for e in log.entries] == ["created", "claimed"]


def test_a_claim_for_a_resolved_request_is_refused_and_logged(broker, publisher) -> None:  # type: ignore[no-untyped-def]
    store, log = new_store(), MemoryLog()
    with kiosk(broker, store, log=log) as (k, kr):
        view = kr.call(k.request_help, Kind.FIND, {"item": "hammer"})
        topic = wire.action_topic(store, "kiosk-1", view.request.id)
        publisher.send(topic, json.dumps({**VALID_ACTION, "action": "resolve", "action_id": "r1"}).encode())
        kr.wait_for(is_view(Status.RESOLVED, "F-001"))
        second = kr.call(k.request_help, Kind.FIND, {"item": "saw"}).request
        publisher.send(topic, json.dumps({**VALID_ACTION, "action_id": "late"}).encode())
        # Sent after the late claim by the same publisher, so handled after it.
        publisher.send(wire.action_topic(store, "kiosk-1", second.id), json.dumps(VALID_ACTION).encode())
        kr.wait_for(is_view(Status.CLAIMED, "F-002"))
        assert k.rejected == {"cannot claim F-001": 1}
        assert kr.call(k.desk.request, view.request.id).status is Status.RESOLVED
        assert [e.event for e in log.entries] == ["created", "resolved", "created", "claimed"]


def test_junk_on_the_state_topics_never_reaches_a_pagers_board(broker, publisher) -> None:  # type: ignore[no-untyped-def]
    store = new_store()
    with kiosk(broker, store) as (k, kr), pager(broker, store, "Kim", role="returns") as (p, pr):
        real = kr.call(k.request_help, Kind.RETURN, {"reason": "Wrong size"}).request
        pr.wait_for(is_notice("new", "R-001"))
        valid = json.loads(wire.encode_request(real))
        fake_topic = wire.state_topic(store, "kiosk-1", "fake1")
        junk = list(junk_payloads(valid))
        for _what, payload in junk:
            publisher.send(fake_topic, payload)
        # A state whose body names another request than its topic.
        publisher.send(fake_topic, wire.encode_request(real))
        kr.call(k.request_help, Kind.RETURN, {"reason": "Damaged"})
        pr.wait_for(is_notice("new", "R-002"))
        assert sum(p.rejected.values()) == len(junk) + 1, dict(p.rejected)
        assert [r.ticket for r in pr.call(p.board.open_requests)] == ["R-001", "R-002"]
        publisher.send(fake_topic, b"", retain=True)  # clear the retained junk
