"""The durable outbox: stored before it is published, removed only when acknowledged.

Unit tests run the outbox over a recording transport and the real file store;
the others use the real paho transport and a real Mosquitto that is down,
comes up, or is killed.
"""

from __future__ import annotations

import threading
from pathlib import Path

from adapters.file_outbox import FileOutbox
from adapters.paho_transport import PahoTransport
from shell.outbox import DurableOutbox
from shell.ports import Acknowledged
from tests.broker import Mosquitto

TIMEOUT = 15.0


class RecordingTransport:
    """Keeps what it was asked to publish; the test plays the broker's answers."""

    def __init__(self, outbox_dir: Path) -> None:
        self.outbox_dir = outbox_dir
        self.sent: list[tuple[str, bytes, bool, Acknowledged | None]] = []
        self.files_when_sent: list[int] = []

    def publish(self, topic, payload, *, retain=False, expiry=None, on_done=None) -> None:  # type: ignore[no-untyped-def]
        self.files_when_sent.append(len(list(self.outbox_dir.glob("*.json"))))
        self.sent.append((topic, payload, retain, on_done))

    def close(self) -> None:
        pass


def test_a_message_is_on_disk_before_it_is_handed_to_the_transport(tmp_path: Path) -> None:
    transport = RecordingTransport(tmp_path)
    outbox = DurableOutbox(transport, FileOutbox(tmp_path))
    outbox.publish("store/s/feedback/k", b'{"v":1}')
    assert transport.files_when_sent == [1]
    assert outbox.waiting() == 1


def test_only_the_brokers_answer_removes_a_message(tmp_path: Path) -> None:
    transport = RecordingTransport(tmp_path)
    outbox = DurableOutbox(transport, FileOutbox(tmp_path))
    answers: list[tuple[bool, str]] = []
    outbox.publish("a/1", b"one", on_done=lambda ok, why: answers.append((ok, why)))
    outbox.publish("a/2", b"two", retain=True)
    assert len(FileOutbox(tmp_path).pending()) == 2
    transport.sent[0][3](True, "Success")  # type: ignore[misc]
    assert [m.topic for m in FileOutbox(tmp_path).pending()] == ["a/2"]
    assert answers == [(True, "Success")]
    assert not outbox.wait_empty(0.01)
    transport.sent[1][3](False, "Not authorized")  # type: ignore[misc]
    assert outbox.wait_empty(0.01) and FileOutbox(tmp_path).pending() == []


def test_after_a_restart_what_was_left_is_sent_first_and_in_order(tmp_path: Path) -> None:
    first = DurableOutbox(RecordingTransport(tmp_path), FileOutbox(tmp_path))
    for n in range(12):  # more than 9: keys must sort as numbers, not as text
        first.publish(f"t/{n}", str(n).encode(), retain=n % 2 == 0)
    transport = RecordingTransport(tmp_path)
    again = DurableOutbox(transport, FileOutbox(tmp_path))
    assert again.resend_pending() == 12
    again.publish("t/new", b"new")
    assert [t for t, *_ in transport.sent] == [*(f"t/{n}" for n in range(12)), "t/new"]
    assert [r for _t, _p, r, _a in transport.sent][:3] == [True, False, True]


def test_a_damaged_outbox_file_is_set_aside_and_the_rest_still_go(tmp_path: Path) -> None:
    outbox = DurableOutbox(RecordingTransport(tmp_path), FileOutbox(tmp_path))
    outbox.publish("t/1", b"1")
    outbox.publish("t/2", b"2")
    first = sorted(tmp_path.glob("*.json"))[0]
    first.write_bytes(b'{"topic": "t/1", "payl')
    assert [m.topic for m in FileOutbox(tmp_path).pending()] == ["t/2"]
    assert first.with_suffix(".bad").exists()


def subscriber(broker: Mosquitto, topic: str, got: list[bytes], arrived: threading.Condition) -> PahoTransport:
    def deliver(_topic: str, payload: bytes) -> None:
        with arrived:
            got.append(payload)
            arrived.notify_all()

    transport = PahoTransport(broker.url, f"sub-{threading.get_ident()}", subscriptions=[topic])
    transport.start(deliver)
    assert transport.wait_connected(TIMEOUT)
    return transport


def test_messages_taken_while_the_broker_is_down_arrive_when_it_comes_up(tmp_path: Path) -> None:
    broker = Mosquitto(tmp_path / "broker")
    (tmp_path / "broker").mkdir()
    kiosk = PahoTransport(broker.url, "kiosk-down", subscriptions=[])
    outbox = DurableOutbox(kiosk, FileOutbox(tmp_path / "outbox"))
    kiosk.start()  # nothing listens yet: paho keeps trying
    for n in range(5):
        outbox.publish(f"store/s/feedback/k{n}", f"feedback {n}".encode())
    assert len(FileOutbox(tmp_path / "outbox").pending()) == 5
    got: list[bytes] = []
    arrived = threading.Condition()
    broker.start()
    try:
        listener = subscriber(broker, "store/s/feedback/+", got, arrived)
        assert outbox.wait_empty(TIMEOUT), "the outbox never emptied after the broker came up"
        assert FileOutbox(tmp_path / "outbox").pending() == []
        with arrived:
            assert arrived.wait_for(lambda: len(got) == 5, TIMEOUT), got
        assert got == [f"feedback {n}".encode() for n in range(5)]
        listener.close()
    finally:
        kiosk.close()
        broker.stop()


def test_messages_left_by_a_kiosk_that_stopped_are_delivered_by_the_next_start(broker, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # The first run never reaches a broker (a closed port), then stops.
    dead = PahoTransport("mqtt://127.0.0.1:1", "kiosk-gone", subscriptions=[])
    first = DurableOutbox(dead, FileOutbox(tmp_path / "outbox"))
    dead.start()
    first.publish("store/s2/feedback/k", b"kept across the restart")
    first.close()
    got: list[bytes] = []
    arrived = threading.Condition()
    listener = subscriber(broker, "store/s2/feedback/+", got, arrived)
    kiosk = PahoTransport(broker.url, "kiosk-back", subscriptions=[])
    again = DurableOutbox(kiosk, FileOutbox(tmp_path / "outbox"))
    try:
        assert again.resend_pending() == 1
        kiosk.start()
        assert again.wait_empty(TIMEOUT)
        with arrived:
            assert arrived.wait_for(lambda: got == [b"kept across the restart"], TIMEOUT), got
    finally:
        kiosk.close()
        listener.close()
