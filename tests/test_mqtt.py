"""Kiosk and pager services talking through a real Mosquitto with the paho adapter.

Each service runs on its own `Loop` thread, as in the headless fronts; the
tests wait on events with timeouts, never on sleeps.
"""

from __future__ import annotations

import threading

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from core import wire
from core.board import Board
from core.model import Kind, Status
from shell.pager_service import ActionRefused
from tests.memory_log import MemoryLog
from tests.services import TIMEOUT, is_notice, is_view, kiosk, new_store, pager


def test_a_request_reaches_a_pager_and_its_claim_comes_back_to_the_kiosk(broker) -> None:  # type: ignore[no-untyped-def]
    store, log = new_store(), MemoryLog()
    with kiosk(broker, store, log=log) as (k, kr), pager(broker, store, "Anna") as (p, pr):
        view = kr.call(k.request_help, Kind.HELP, {"topic": "question"})
        assert view.request.ticket == "H-001"
        pr.wait_for(is_notice("new", "H-001"))
        pr.call(p.act, "claim", "H-001")
        pr.wait_for(is_notice("claimed", "H-001"))
        claimed = kr.wait_for(is_view(Status.CLAIMED, "H-001"))
        assert claimed.request.claimed_by == "Anna"
        pr.call(p.act, "resolve", "H-001", "found the paint")
        kr.wait_for(is_view(Status.RESOLVED, "H-001"))
    assert [e.event for e in log.entries] == ["created", "claimed", "resolved"]
    assert log.entries[-1].outcome == "found the paint"


def test_a_pager_that_starts_late_sees_every_open_request(broker) -> None:  # type: ignore[no-untyped-def]
    store = new_store()
    with kiosk(broker, store) as (k, kr):
        for kind in (Kind.FIND, Kind.RETURN, Kind.HELP):
            kr.call(k.request_help, kind, {})
        with pager(broker, store, "Late", role="manager") as (p, pr):
            for ticket in ("F-001", "R-001", "H-001"):
                pr.wait_for(is_notice("new", ticket))
            assert [r.ticket for r in pr.call(p.board.open_requests)] == ["F-001", "R-001", "H-001"]


def test_a_pager_cannot_claim_what_it_already_sees_taken(broker) -> None:  # type: ignore[no-untyped-def]
    store = new_store()
    with (
        kiosk(broker, store) as (k, kr),
        pager(broker, store, "Anna") as (a, ar),
        pager(broker, store, "Bob") as (b, br),
    ):
        kr.call(k.request_help, Kind.HELP, {})
        br.wait_for(is_notice("new", "H-001"))
        ar.wait_for(is_notice("new", "H-001"))
        ar.call(a.act, "claim", "H-001")
        br.wait_for(is_notice("changed", "H-001"))
        with pytest.raises(ActionRefused, match="taken by Anna"):
            br.call(b.act, "claim", "H-001")


def test_junk_on_the_action_topic_is_counted_and_changes_nothing(broker) -> None:  # type: ignore[no-untyped-def]
    store = new_store()
    with kiosk(broker, store) as (k, kr):
        view = kr.call(k.request_help, Kind.HELP, {})
        topic = wire.action_topic(store, "kiosk-1", view.request.id)
        client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        client.connect("127.0.0.1", broker.port)
        client.loop_start()
        for junk in (b"{", b"\xff", b'{"v":9}', b"x" * 100_000, b'{"v":1,"action":"claim","staff":"","action_id":"z"}'):
            client.publish(topic, junk, qos=1).wait_for_publish(TIMEOUT)
        # A last, valid message: once it is through, every junk message before it was handled.
        client.publish(topic, wire.encode_action(Board("Eve").ask("claim", view.request, "ok1")), qos=1)
        kr.wait_for(is_view(Status.CLAIMED, "H-001"))
        client.loop_stop()
        client.disconnect()
        assert sum(k.rejected.values()) == 5
        assert kr.call(k.desk.request, view.request.id).claimed_by == "Eve"


def test_presence_is_retained_and_the_last_will_says_offline(broker) -> None:  # type: ignore[no-untyped-def]
    store = new_store()
    got = threading.Event()
    messages: list[bytes] = []
    with kiosk(broker, store):
        pass  # connected (online published), then closed cleanly (offline published)
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)

    def on_message(c, u, m):  # type: ignore[no-untyped-def]
        messages.append(m.payload)
        got.set()

    client.on_message = on_message
    client.connect("127.0.0.1", broker.port)
    client.subscribe(wire.presence_topic(store, "kiosk-1"), qos=1)
    client.loop_start()
    assert got.wait(TIMEOUT)
    client.loop_stop()
    client.disconnect()
    assert b'"online":false' in messages[0]
