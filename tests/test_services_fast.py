"""The kiosk and pager services on fake ports: the shell's rules in milliseconds.

The same scenarios also run over a real Mosquitto (tests/test_mqtt.py,
tests/test_store_kiosks.py); here a fake broker delivers on one thread, so a
failure points at the services, not at the network.
"""

from __future__ import annotations

import pytest

from core.model import Kind, Status
from shell.pager_service import ActionRefused
from tests.fakes import Broker, Clock, kiosk_service, pager_service


@pytest.fixture
def broker() -> Broker:
    return Broker()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_a_request_is_seen_claimed_and_resolved_across_the_services(broker: Broker, clock: Clock) -> None:
    kiosk = kiosk_service(broker, clock)
    anna = pager_service(broker, clock, "Anna")
    view = kiosk.request_help(Kind.HELP, {"topic": "question"})
    assert [r.ticket for r in anna.board.open_requests()] == ["H-001"]
    anna.act("claim", "H-001")
    assert kiosk.view(view.request.id).request.claimed_by == "Anna"
    anna.act("resolve", "H-001", "showed the aisle")
    assert kiosk.view(view.request.id).request.status is Status.RESOLVED
    assert anna.board.open_requests() == []


def test_the_loser_of_a_claim_race_is_told_who_won_even_if_it_missed_the_state(broker: Broker, clock: Clock) -> None:
    kiosk = kiosk_service(broker, clock)
    anna = pager_service(broker, clock, "Anna")
    bob = pager_service(broker, clock, "Bob")
    kiosk.request_help(Kind.HELP, {})
    broker.deaf.append(bob.on_message)  # Bob misses Anna's claim (a late or lost delivery)
    anna.act("claim", "H-001")
    broker.deaf.clear()
    told: list[str] = []
    bob.listeners.append(lambda notice: told.append(f"{notice.kind} {notice.by}"))
    bob.act("claim", "H-001")  # his board still shows it open
    assert told == ["taken Anna"], "the kiosk answered the lost claim with the state naming the winner"


def test_a_broker_that_forgot_everything_gets_the_open_requests_back_on_connect(broker: Broker, clock: Clock) -> None:
    kiosk = kiosk_service(broker, clock)
    kiosk.request_help(Kind.FIND, {"item": "hammer"})
    done = kiosk.request_help(Kind.HELP, {})
    kiosk.cancel(done.request.id)
    broker.forget_retained()
    kiosk.restore_retained()
    late = pager_service(broker, clock, "Late", role="manager")
    assert [r.ticket for r in late.board.open_requests()] == ["F-001"]


def test_a_second_kiosk_on_the_same_ticket_format_is_named(broker: Broker, clock: Clock) -> None:
    from core import wire

    first = kiosk_service(broker, clock, kiosk="kiosk-1")
    second = kiosk_service(broker, clock, kiosk="kiosk-2", ticket_format="N{type}-{number:03d}")
    third = kiosk_service(broker, clock, kiosk="kiosk-3")
    for service in (first, second, third):
        presence = wire.Presence(service.kiosk_id, "kiosk", True, clock.now(), ticket_format=service.desk.ticket_format)
        broker.publish(wire.presence_topic("s1", service.kiosk_id), wire.encode_presence(presence), retain=True)
    assert first.clashes == {"kiosk-3": "kiosk-3 also issues F-001: set kiosk.ticket_format"}
    assert second.clashes == {}


def test_a_pager_refuses_in_words_what_the_desk_would_refuse(broker: Broker, clock: Clock) -> None:
    kiosk = kiosk_service(broker, clock)
    anna = pager_service(broker, clock, "Anna")
    bob = pager_service(broker, clock, "Bob")
    kiosk.request_help(Kind.HELP, {})
    with pytest.raises(ActionRefused, match="H-001 is not claimed"):
        anna.act("release", "H-001")
    anna.act("claim", "H-001")
    with pytest.raises(ActionRefused, match="you already have H-001"):
        anna.act("claim", "H-001")
    with pytest.raises(ActionRefused, match="H-001 is taken by Anna"):
        bob.act("claim", "H-001")
    with pytest.raises(ActionRefused, match="H-001 is held by Anna"):
        bob.act("resolve", "H-001")
