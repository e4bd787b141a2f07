"""The self test through the kiosk and pager services (shell/self_test_run.py, shell/pager_service.py)
on the in-memory broker and a clock that moves only when told: who is asked, what counts, where
the result goes, and what is refused."""

from __future__ import annotations

import pytest

from core import self_test, wire
from core.board import Board
from shell.pager_service import ActionRefused, PagerService
from tests.fakes import Broker, Clock, Transport, ids, kiosk_service

STORE = "s1"


def signed_in_pager(broker: Broker, clock: Clock, device: str, staff: str, role: str = "floor") -> PagerService:
    """A pager service, and its presence on the broker as its app publishes it."""
    service = PagerService(
        board=Board(staff, role), store_id=STORE, transport=Transport(broker), clock=clock,
        new_id=ids(f"{staff}-a"), device_id=device,
    )  # fmt: skip
    broker.subscribe(service.subscriptions(), service.on_message)
    say_presence(broker, clock, device, staff, role, online=True)
    return service


def say_presence(broker: Broker, clock: Clock, device: str, staff: str, role: str, online: bool) -> None:
    presence = wire.Presence(device, role, online, clock.now(), name=staff)
    broker.publish(wire.presence_topic(STORE, device), wire.encode_presence(presence), retain=True)


def test_only_pagers_signed_in_are_asked_a_late_answer_does_not_count_and_managers_get_the_result() -> None:
    broker, clock = Broker(), Clock()
    kiosk = kiosk_service(broker, clock)
    anna = signed_in_pager(broker, clock, "pager-anna", "Anna")
    ben = signed_in_pager(broker, clock, "pager-ben", "Ben")
    signed_in_pager(broker, clock, "pager-zoe", "Zoe")
    say_presence(broker, clock, "pager-zoe", "Zoe", "floor", online=False)  # her pager's last will: gone
    mia = signed_in_pager(broker, clock, "manager-mia", "Mia", role="manager")
    to_managers, to_floor, results = [], [], []
    mia.self_test_result_listeners.append(to_managers.append)
    anna.self_test_result_listeners.append(to_floor.append)
    kiosk.self_test.listeners.append(results.append)

    test = kiosk.self_test.start(answer_seconds=30)
    assert [name for _device, name in test.pagers] == ["Mia", "Anna", "Ben"], "Zoe is not signed in: not asked"
    assert kiosk.self_test.start(answer_seconds=30) is test, "one test at a time"
    assert set(anna.self_tests) == {"kiosk-1"} and set(ben.self_tests) == {"kiosk-1"}
    clock.advance(3)
    assert anna.acknowledge_self_test() == ["kiosk-1"]
    mia.acknowledge_self_test("kiosk-1")
    clock.advance(27)
    kiosk.tick()
    [result] = results
    assert (result.answered, result.silent) == (("Mia", "Anna"), ("Ben",))
    printer = next(c for c in result.checks if c.name == "printer")
    assert not printer.ok and "no printer configured" in printer.detail
    assert next(c for c in result.checks if c.name == "broker").ok, "its own alert came back"
    clock.advance(1)
    with pytest.raises(ActionRefused, match="no self test waiting"):
        ben.acknowledge_self_test()  # too late: the result is out and names him
    broker.publish(  # an answer sent anyway, late
        wire.selftest_ack_topic(STORE, "kiosk-1", "pager-ben"),
        self_test.encode_ack(test.test_id, "pager-ben", "Ben", clock.now()),
        retain=False,
    )
    kiosk.tick()
    assert len(results) == 1
    assert to_managers == [result] and to_floor == [], "the result is for managers only"
    retained = broker.retained[wire.selftest_result_topic(STORE, "kiosk-1")]
    assert self_test.decode_result(retained).silent == ("Ben",)


def test_an_ack_with_no_test_waiting_and_a_bad_test_message_are_refused_and_change_nothing() -> None:
    broker, clock = Broker(), Clock()
    kiosk = kiosk_service(broker, clock)
    anna = signed_in_pager(broker, clock, "pager-anna", "Anna")
    with pytest.raises(ActionRefused, match="no self test waiting"):
        anna.acknowledge_self_test()
    test = kiosk.self_test.start(answer_seconds=30)
    with pytest.raises(ActionRefused, match="no self test waiting from kiosk-9"):
        anna.acknowledge_self_test("kiosk-9")
    broker.publish(wire.selftest_ack_topic(STORE, "kiosk-1", "pager-anna"), b'{"v":1}', retain=False)
    broker.publish(wire.selftest_topic(STORE, "kiosk-1"), b"not json", retain=False)
    assert kiosk.self_test.test is not None and kiosk.self_test.test.answered == frozenset()
    assert sum(kiosk.rejected.values()) == 2 and anna.self_tests["kiosk-1"].test_id == test.test_id
