"""The rule alerts the store server sends are alerts of the store: the record
keeps each, once — also across a restart — and a restarted store server does
not say a breach again that it already said. The recorder's log reads the same
however it is started.

A real Mosquitto, the recorder as a process (`python -m store_server.main`, as
the demo starts it), real TinyDB files; the recorder's own record and link in
process where the record is made to fail.
"""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from core import wire
from core.live import UNHAPPY, RuleAlert
from core.live_wire import rule_alert_record
from core.model import Feedback
from core.recording import ALERTS
from store_server.record import open_record
from store_server.recorder import Recorder
from tests.broker import Mosquitto
from tests.processes import LineProcess
from tests.recorder_process import alerts, recorder, stop, wait_kept
from tests.services import Publisher

AT = datetime(2026, 11, 24, 9, 20, 2, tzinfo=UTC)


@pytest.fixture
def store() -> str:
    return f"s{uuid.uuid4().hex[:8]}"


class ManagersTopics:
    """A manager's view of store/<s>/managers/+: every message, in order."""

    def __init__(self, port: int, store: str) -> None:
        self.got: list[tuple[str, dict[str, object]]] = []
        self.grew = threading.Condition()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        self.client.on_message = lambda _c, _u, m: self._got(m.topic, m.payload)
        self.client.connect("127.0.0.1", port)
        self.client.subscribe(f"store/{store}/managers/+", qos=1)
        self.client.loop_start()

    def _got(self, topic: str, payload: bytes) -> None:
        with self.grew:
            self.got.append((topic.rpartition("/")[2], json.loads(payload) if payload else {}))
            self.grew.notify_all()

    def wait_for(self, what: str, timeout: float = 15, **fields: object) -> None:
        def seen() -> bool:
            return any(t == what and all(b.get(k) == v for k, v in fields.items()) for t, b in self.got)

        with self.grew:
            assert self.grew.wait_for(seen, timeout), f"no {what} {fields}: {self.got[-5:]}"

    def alerts(self) -> list[dict[str, object]]:
        with self.grew:
            return [body for topic, body in self.got if topic == "alerts"]

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def face(sender: Publisher, store: str, feedback_id: str, rating: int, at: datetime) -> None:
    feedback = Feedback(feedback_id, "kiosk-1", rating, at)
    sender.send(wire.feedback_topic(store, "kiosk-1"), wire.encode_feedback(feedback))


def test_a_rule_alert_is_kept_in_the_record_once_and_not_said_again_after_a_restart(
    broker: Mosquitto, store: str, tmp_path: Path, procs: list[LineProcess]
) -> None:
    record = tmp_path / "record"
    first = recorder(broker.url, store, record)
    procs.append(first)
    managers = ManagersTopics(broker.port, store)
    sender = Publisher(broker)
    now = datetime.now(UTC).replace(microsecond=0)
    try:
        for n, rating in enumerate((1, 2, 1, 4)):  # 3 of 4 unhappy: at least half of at least 4 responses
            face(sender, store, f"fb-{n}", rating, now - timedelta(seconds=40 - n))
        managers.wait_for("alerts", rule=UNHAPPY)
        [kept_line] = first.logged("kept alerts rule unhappy ")
        stop(first)
        second = recorder(broker.url, store, record)
        procs.append(second)
        second.logged("today's figures of ")
        # The breach goes on: a fifth response, unhappy, and a sixth, happy; neither says it again.
        face(sender, store, "fb-4", 1, now)
        face(sender, store, "fb-5", 4, now)
        wait_kept(second, {("feedback", "fb-5")})
        # The figures after fb-5 are published after anything fb-4 or fb-5 set off (one connection, in order).
        managers.wait_for("figures", responses=6)
    finally:
        sender.close()
        managers.close()
    stop(second)
    sent = managers.alerts()
    assert len(sent) == 1, sent
    [stored] = [a for a in alerts(record) if a["kind"] == "rule"]
    assert stored == sent[0] == {
        "v": 1, "kind": "rule", "rule": "unhappy", "at": stored["at"], "minutes": 15, "total": 4, "hits": 3,
        "value": 0.75, "threshold": 0.5,
    }  # fmt: skip
    assert kept_line.rstrip().endswith(f"kept alerts rule unhappy {stored['at']}"), kept_line
    assert not [line for line in second.stderr if "kept alerts rule" in line]
    # One logger name for the recorder's own lines, though started as `python -m store_server.main`.
    for proc in (first, second):
        assert any(" INFO store_server.main: config: " in line for line in proc.stderr), proc.stderr[:5]
        assert not any("__main__" in line for line in proc.stderr), [ln for ln in proc.stderr if "__main__" in ln]


class Link:
    """The recorder's broker link, as far as keeping its own alerts goes: nothing is received."""

    def __init__(self) -> None:
        self.acked: list[object] = []

    def publish(self, topic: str, payload: bytes, *, retain: bool = False, expiry: int | None = None) -> None:
        raise AssertionError("keeping an alert publishes nothing")

    def ack(self, receipt: object) -> bool:
        self.acked.append(receipt)
        return True


class Clock:
    def now(self) -> datetime:
        return AT


def rule_alerts(folder: Path) -> list[dict[str, object]]:
    return [a for a in alerts(folder) if a["kind"] == "rule"]


def test_the_same_rule_alert_is_kept_once_also_by_a_recorder_started_again(tmp_path: Path) -> None:
    folder = tmp_path / "record"
    stored = rule_alert_record(RuleAlert(UNHAPPY, AT, 15, 4, 3, 0.75, 0.5))
    other = rule_alert_record(RuleAlert("service_level", AT, 60, 5, 3, 60.0, 80.0))  # same time, other rule
    record = open_record(folder)
    keeper = Recorder(store_id="s1", record=record, link=Link(), clock=Clock())
    told: list[object] = []
    keeper.listeners.append(told.append)
    keeper.keep_alert(stored)
    keeper.keep_alert(dict(stored))  # the same alert again
    keeper.keep_alert(other)
    assert told == [stored, other] and keeper.kept == 2 and keeper.copies == 1
    record.close()
    assert rule_alerts(folder) == [stored, other]
    again = open_record(folder)
    assert again.read_recent(AT.date()) == 2  # the record's alerts read back, known by rule and time
    keeper = Recorder(store_id="s1", record=again, link=Link(), clock=Clock())
    keeper.keep_alert(stored)
    assert keeper.kept == 0 and keeper.copies == 1
    again.close()
    assert rule_alerts(folder) == [stored, other]


def test_a_rule_alert_the_record_cannot_take_waits_and_is_written_when_it_can(tmp_path: Path) -> None:
    folder = tmp_path / "record"
    record = open_record(folder)
    link = Link()
    keeper = Recorder(store_id="s1", record=record, link=link, clock=Clock())
    (folder / ALERTS).mkdir(exist_ok=True)
    (folder / ALERTS).rename(folder / "alerts-aside")
    (folder / ALERTS).write_text("in the way")  # a file where the folder was: even root cannot write there
    stored = rule_alert_record(RuleAlert(UNHAPPY, AT, 15, 4, 3, 0.75, 0.5))
    keeper.keep_alert(stored)
    assert keeper.failing and keeper.waiting() == 1 and keeper.kept == 0
    (folder / ALERTS).unlink()
    (folder / "alerts-aside").rename(folder / ALERTS)
    keeper.retry()
    assert not keeper.failing and keeper.waiting() == 0 and keeper.kept == 1
    assert link.acked == [], "an alert of its own is no broker message: nothing to acknowledge"
    record.close()
    assert rule_alerts(folder) == [stored]
    assert date.fromisoformat(str(stored["at"])[:10]) == AT.date()
