"""Today's figures and the rule alerts, from the store server to the managers' pagers.

A real Mosquitto. The store server's live part (store_server/live.py) runs
here, fed records as the recorder hands them over, and publishes through a
real broker connection; the pagers are the console pager as a real process
and the pager window through its real widgets (mock GL). A floor associate's
pager must never show them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from adapters.tinydb_store import TinyDBEventLog
from core import wire
from core.live import Today
from core.model import Feedback, Kind, LogEntry
from shell.store_config import load_store
from store_server.live import LiveService
from tests.kiosk_fixture import new_store
from tests.pager_fixture import running_pager
from tests.processes import LineProcess
from tests.ui import step, wait_until, walk


class Publisher:
    """The store server's connection to the broker, as the recorder's publish uses it (QoS 1)."""

    def __init__(self, broker) -> None:  # type: ignore[no-untyped-def]
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"live-{new_store()}")
        connected = threading.Event()
        self.client.on_connect = lambda *_a: connected.set()
        self.client.connect("127.0.0.1", broker.port)
        self.client.loop_start()
        assert connected.wait(10), "no connection to the broker"

    def publish(self, topic: str, payload: bytes, retain: bool = False) -> None:
        self.client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(10)

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


class Clock:
    def __init__(self, now: datetime) -> None:
        self.moment = now

    def now(self) -> datetime:
        return self.moment


@contextmanager
def live_service(broker, store: str, now: datetime) -> Iterator[tuple[LiveService, Clock]]:  # type: ignore[no-untyped-def]
    config = load_store(None, store_id=store)
    publisher = Publisher(broker)
    clock = Clock(now)
    try:
        yield LiveService.for_config(config, publisher.publish, clock), clock
    finally:
        publisher.client.publish(wire.figures_topic(store), b"", qos=1, retain=True).wait_for_publish(10)
        publisher.close()


def manager_console(broker, store: str, name: str = "Mia", role: str = "manager") -> LineProcess:  # type: ignore[no-untyped-def]
    proc = LineProcess(
        "run_pager.py", "--console", "--broker", broker.url, "--store", store, "--staff", name,
        "--role", role, "--device", f"pager-{name.lower()}",
    )  # fmt: skip
    proc.expect("ready")
    proc.expect("connection up")
    return proc


def asked(request_id: str, at: datetime, kind: Kind = Kind.HELP) -> LogEntry:
    return LogEntry(request_id, "H-001", kind, "kiosk-1", "created", at, seq=1)


def claimed(request_id: str, at: datetime) -> LogEntry:
    return LogEntry(request_id, "H-001", Kind.HELP, "kiosk-1", "claimed", at, staff="Anna", seq=2)


def shown_texts(root) -> list[str]:  # type: ignore[no-untyped-def]
    """Label texts a person could read: neither they nor a box around them hidden."""
    texts = []
    for widget in walk(root):
        chain, hidden = widget, False
        while chain is not None and chain is not root.parent:
            hidden = hidden or chain.opacity == 0 or chain.height == 0
            chain = chain.parent
        if getattr(widget, "text", "") and not hidden and widget.__class__.__name__ == "PagerLabel":
            texts.append(widget.text)
    return texts


MORNING = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)


def test_the_managers_console_pager_gets_todays_figures_and_each_rule_alert_once(broker) -> None:  # type: ignore[no-untyped-def]
    store = new_store()
    mia, anna = manager_console(broker, store), manager_console(broker, store, "Anna", role="floor")
    try:
        with live_service(broker, store, MORNING) as (live, clock):
            live.on_record(asked("r1", MORNING))
            line = mia.expect("figures ")
            assert "waiting=1 " in line and "longest=0 " in line and "requests=1 " in line, line
            clock.moment = MORNING + timedelta(seconds=30)
            live.on_record(claimed("r1", MORNING + timedelta(seconds=20)))
            line = mia.expect("figures ")
            assert "waiting=0 longest=- service_level=100 in_time=1 due=1" in line, line
            for n, rating in enumerate((1, 2, 4, 1)):  # 3 of 4 unhappy: at least half, at least 4 responses
                live.on_record(Feedback(f"f{n}", "kiosk-1", rating, MORNING + timedelta(seconds=21 + n)))
            alert = mia.expect("rule-alert ")
            assert alert == "rule-alert unhappy hits=3 total=4 minutes=15 value=0.75 threshold=0.5", alert
            assert "satisfaction=33.3 responses=4 " in mia.seen[-2], mia.seen[-2]  # the figures just before it
            live.on_record(Feedback("f4", "kiosk-1", 1, MORNING + timedelta(seconds=26)))  # the same breach
            assert "responses=5 " in mia.expect("figures ")
            live.tick()  # nothing changed: nothing sent
            clock.moment += timedelta(seconds=61)
            live.tick()  # a minute on: the figures again, unchanged but newer
            assert "responses=5 " in mia.expect("figures ")
            assert sum(s.startswith("rule-alert") for s in mia.seen) == 1, mia.seen
        anna.send("list")
        anna.expect("listed")
        assert not any(s.startswith(("figures", "rule-alert")) for s in anna.seen), anna.seen
    finally:
        mia.close()
        anna.close()


def test_a_manager_who_signs_in_later_sees_the_retained_figures_at_once_in_the_window(broker) -> None:  # type: ignore[no-untyped-def]
    store = new_store()
    with live_service(broker, store, MORNING) as (live, clock):
        live.on_record(asked("r1", MORNING))
        live.on_record(asked("r2", MORNING + timedelta(seconds=10)))
        live.on_record(claimed("r2", MORNING + timedelta(seconds=30)))  # in time
        live.on_record(Feedback("f1", "kiosk-1", 4, MORNING + timedelta(seconds=31)))
        live.on_record(Feedback("f2", "kiosk-1", 3, MORNING + timedelta(seconds=32)))
        clock.moment = MORNING + timedelta(seconds=40)
        live.tick()
        with running_pager(broker, store, name="Mia", role="manager") as app:
            wait_until(lambda: app.board_screen.figures_shown, what="today's figures on the manager's pager")
            step(2)
            texts = shown_texts(app.board_screen)
            for words in ("Waiting now", "Service level", "Satisfaction", "Unclaimed", "100 %", "1 of 1 in time",
                          "83/100", "2 responses", "0 abandoned"):  # fmt: skip
                assert words in texts, (words, texts)
            assert "1" in texts and any(t.startswith("longest ") for t in texts), texts
            # r1 waits past its minute: the last hour's service level falls to 50 %, the rule alert is the notice.
            clock.moment = MORNING + timedelta(seconds=150)
            live.tick()
            wait_until(lambda: "50 %" in shown_texts(app.board_screen), what="the new service level")
            assert "1 of 2 in time" in shown_texts(app.board_screen)
            wait_until(
                lambda: app.board_screen.notice.startswith("Service level 50 % in the last 60 min"), what="alert"
            )
            assert app.board_screen.notice.endswith("(target 80 %): 1 of 2 claimed in time")
        with running_pager(broker, store, name="Anna", role="floor") as floor:
            wait_until(lambda: floor.service is not None and floor.board_screen.connected, what="floor connected")
            step(5)
            assert not floor.board_screen.figures_shown and floor.service.figures is None
            assert "Waiting now" not in shown_texts(floor.board_screen)


def test_after_a_restart_the_figures_are_rebuilt_from_the_records_today(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = new_store()
    record = TinyDBEventLog(tmp_path / "record")
    yesterday = MORNING - timedelta(days=1)
    entries = (asked("old", yesterday), asked("r1", MORNING), claimed("r1", MORNING + timedelta(seconds=30)),
               asked("r2", MORNING + timedelta(seconds=40)), asked("r3", MORNING + timedelta(seconds=50)),
               LogEntry("r3", "H-001", Kind.HELP, "kiosk-1", "cancelled", MORNING + timedelta(seconds=60),
                        seq=2))  # fmt: skip
    for entry in entries:
        record.append_entry(entry)
    record.append_feedback(Feedback("f1", "kiosk-1", 1, MORNING))
    mia = manager_console(broker, store)
    try:
        with live_service(broker, store, MORNING + timedelta(seconds=100)) as (live, _clock):
            # The files of the UTC days around the store's today are read (yesterday's entry is among
            # them, or not, by the time of day the test runs); only today's records count.
            today = (MORNING + timedelta(seconds=100)).astimezone(live.today.tz).date()
            around = [e for e in entries if abs((e.at.astimezone(UTC).date() - today).days) <= 1]
            assert live.rebuild(record) == len(around) + 1
            line = mia.expect("figures ")
            assert "waiting=1 longest=60 service_level=50 in_time=1 due=2" in line, line
            # r2 waits and nobody claimed it: unclaimed; r3's shopper cancelled before a claim: abandoned.
            assert "responses=1 unclaimed=1 abandoned=1 requests=3" in line, line
            assert isinstance(live.today, Today) and live.today.day == MORNING.astimezone(live.today.tz).date()
    finally:
        mia.close()
        record.close()


def test_at_store_midnight_the_log_says_what_of_the_new_day_was_read(broker, tmp_path, caplog) -> None:  # type: ignore[no-untyped-def]
    store = new_store()
    config = load_store(None, store_id=store)
    midnight = datetime(2026, 12, 2, 0, 0, 30, tzinfo=config.tz).astimezone(UTC)  # just after the store's midnight
    record = TinyDBEventLog(tmp_path / "record")
    for n in range(8):  # yesterday evening's requests, in the same UTC days as today's first hour
        record.append_entry(asked(f"y{n}", midnight - timedelta(hours=2, minutes=n)))
        record.append_entry(claimed(f"y{n}", midnight - timedelta(hours=2, minutes=n) + timedelta(seconds=20)))
    record.append_feedback(Feedback("fy", "kiosk-1", 4, midnight - timedelta(hours=1)))
    record.append_entry(asked("t1", midnight - timedelta(seconds=10)))  # the new day's one request
    caplog.set_level("INFO", logger="store_server.live")
    try:
        with live_service(broker, store, midnight) as (live, _clock):
            assert live.rebuild(record) == 18
            assert live.sent is not None and (live.sent.requests, live.sent.responses) == (1, 0)
    finally:
        record.close()
    [said] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("today's figures")]
    assert said == (
        "today's figures of 2026-12-02 (store time): 1 request(s) and 0 feedback of that day, from the 18 "
        "record(s) of the UTC days 2026-12-01 to 2026-12-03 read"
    ), said
