"""The store's recorder on real parts: a real Mosquitto (with the production
config's persistence where it is killed), headless kiosks and a console pager
as processes, the recorder as a process as the README starts it, real TinyDB
files. Every wait is on a line, with a timeout.
"""

from __future__ import annotations

import shlex
import uuid
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from adapters.tinydb_store import TinyDBEventLog
from tests.broker import Mosquitto, persistent
from tests.processes import LineProcess
from tests.recorder_process import (
    Watcher,
    alerts,
    feedback_ids,
    kept,
    kill_once_saved,
    once_each,
    recorder,
    search_ids,
    steps,
    stop,
    ticket,
    wait_kept,
)
from tests.services import Publisher
from tests.test_store_kiosks import kiosk, pager, words

NORTH = '[kiosk]\nentrance = "North entrance"\nticket_format = "N{type}-{number:03d}"\n'
# Short limits: a help request at the south entrance escalates three times in about three seconds.
SOUTH = '[kiosk]\nentrance = "South entrance"\n\n[escalation]\nhelp = [1, 2, 3]\n'


@pytest.fixture
def store() -> str:
    return f"s{uuid.uuid4().hex[:8]}"


def step_keys(folder: Path) -> set[tuple[str, ...]]:
    return {("requests", rid, str(seq)) for rid, seq, _event in steps(folder)}


def feedback_keys(folder: Path) -> set[tuple[str, ...]]:
    return {("feedback", fid) for fid in feedback_ids(folder)}


def test_every_step_of_two_kiosks_reaches_the_record_once_though_recorder_and_broker_are_killed(
    store: str, tmp_path: Path, procs: list[LineProcess]
) -> None:
    (tmp_path / "broker").mkdir()
    broker = Mosquitto(tmp_path / "broker", extra=persistent(tmp_path / "broker"))
    broker.start()
    record = tmp_path / "record"
    try:
        first = recorder(broker.url, store, record)
        north = kiosk(broker.url, store, "kiosk-north", tmp_path / "north", NORTH)
        south = kiosk(broker.url, store, "kiosk-south", tmp_path / "south", SOUTH)
        anna = pager(broker.url, store, "Anna", role="manager")
        procs += [first, north, south, anna]

        # All up: a claimed and resolved help request, a find, feedback.
        north.send("help question Where is the bathroom paint?")
        assert ticket(north)[0] == "NH-001"
        south.send("find hammer")
        assert ticket(south)[0] == "F-001"
        anna.expect("new NH-001")
        anna.send("claim NH-001")
        anna.expect("claimed NH-001")
        north.expect("status NH-001 claimed")
        anna.send("resolve NH-001 showed the paints")
        north.expect("status NH-001 resolved")
        south.send("feedback 4 - quick help")
        south.expect("feedback")
        wait_kept(first, step_keys(tmp_path / "north") | feedback_keys(tmp_path / "south"))

        # The recorder crashes. Meanwhile: a help request escalates three times
        # unclaimed, a return is cancelled, the find is claimed and resolved,
        # unhappy feedback; the broker queues it all in the recorder's session.
        stop(first, kill=True)
        south.send("help complaint Nobody at the paint desk")
        assert ticket(south)[0] == "H-001"
        levels = [words(south.expect("status H-001 open", timeout=10)).get("escalation") for _ in range(3)]
        assert levels == ["1", "2", "3"]
        north.send("return - Wrong size")
        assert ticket(north)[0] == "NR-001"
        north.send("cancel NR-001")
        north.expect("status NR-001 cancelled")
        anna.send("claim F-001")
        south.expect("status F-001 claimed")
        anna.send("resolve F-001 found it")
        south.expect("status F-001 resolved")
        north.send("feedback 1 waited,staff Nobody came")
        north.expect("feedback")
        watcher = Watcher(broker.port, f"store/{store}/searches/+")
        north.send("search blue paint")
        searched = shlex.split(north.expect("searched"))[1]

        # Then the broker crashes too (SIGKILL: no final save) while the
        # kiosks keep taking requests into their outboxes, and comes back.
        kill_once_saved(broker, watcher, f"store/{store}/searches/kiosk-north")
        north.expect("connection down")
        south.expect("connection down")
        north.send("help other Is there a toilet?")
        assert ticket(north)[0] == "NH-002"
        broker.start()
        north.expect("connection up", timeout=20)
        south.expect("connection up", timeout=20)
        second = recorder(broker.url, store, record)
        procs.append(second)
        anna.expect("new NH-002", timeout=20)
        anna.send("claim NH-002")
        north.expect("status NH-002 claimed")
        south.send("cancel H-001")
        south.expect("status H-001 cancelled")

        kiosks = [tmp_path / "north", tmp_path / "south"]
        wanted = set().union(*(step_keys(k) | feedback_keys(k) for k in kiosks)) | {("searches", searched)}
        wait_kept(second, wanted, first)
        assert stop(second) == 0
    finally:
        broker.stop()

    with TinyDBEventLog(record, readonly=True) as log:
        recorded = log.entries_between(date.min, date.max)
        recorded_feedback = [f.id for f in log.feedback_between(date.min, date.max)]
    assert search_ids(record) == search_ids(tmp_path / "north") == [searched]
    kiosk_steps = [s for k in kiosks for s in steps(k)]
    assert once_each([(e.request_id, e.seq) for e in recorded]), "a step is in the record twice"
    assert {(e.request_id, e.seq, e.event) for e in recorded} == set(kiosk_steps)
    for request_id in {rid for rid, _seq, _event in kiosk_steps}:
        # In seq order when read by time, as a report reads them: 1, 2, 3 … with no hole.
        seqs = [e.seq for e in recorded if e.request_id == request_id]
        assert seqs == list(range(1, len(seqs) + 1)), (request_id, seqs)
    assert sorted(recorded_feedback) == sorted(f for k in kiosks for f in feedback_ids(k))
    assert once_each(recorded_feedback)
    escalations = [a for a in alerts(record) if a["kind"] == "escalation" and a["ticket"] == "H-001"]
    assert sorted(a["level"] for a in escalations) == [1, 2, 3]  # type: ignore[type-var]
    assert not [line for line in first.stderr + second.stderr if "gap:" in line], "nothing was lost"
    events = Counter(e.event for e in recorded)
    assert events["escalated"] == 3 and events["cancelled"] == 2 and events["resolved"] == 2


def test_a_message_the_record_cannot_take_is_not_acknowledged_and_comes_again_after_a_crash(
    broker: Mosquitto, store: str, tmp_path: Path, procs: list[LineProcess]
) -> None:
    record = tmp_path / "record"
    live = recorder(broker.url, store, record)
    procs.append(live)
    sender = Publisher(broker)

    def feedback(fid: str) -> bytes:
        return (f'{{"v":1,"id":"{fid}","kiosk":"kiosk-1","rating":3,"face":"happy","reasons":[],'
                f'"comment":"","given_at":"2026-11-24T09:15:02.345Z"}}').encode()  # fmt: skip

    try:
        sender.send(f"store/{store}/feedback/kiosk-1", feedback("fb-1"))
        wait_kept(live, {("feedback", "fb-1")})
        # The record's feedback folder becomes unwritable (a file in its place:
        # this works even for root, whom permissions do not stop).
        (record / "feedback").rename(record / "feedback-aside")
        (record / "feedback").write_text("in the way")
        sender.send(f"store/{store}/feedback/kiosk-1", feedback("fb-2"))
        sender.send(f"store/{store}/feedback/kiosk-1", feedback("fb-3"))
        said = live.logged("the store's record cannot be written")
        assert "Nothing is acknowledged to the broker" in said[0]
        # It keeps trying; once the folder is back both are written, in order.
        (record / "feedback").unlink()
        (record / "feedback-aside").rename(record / "feedback")
        live.logged("the store's record is written again")
        wait_kept(live, {("feedback", "fb-2"), ("feedback", "fb-3")})
        assert len([line for line in live.stderr if "cannot be written" in line]) == 1, "said once"

        # Again, and the recorder is killed while it cannot write: the broker
        # never had a PUBACK, so it sends the message to the next recorder.
        (record / "feedback").rename(record / "feedback-aside")
        (record / "feedback").write_text("in the way")
        sender.send(f"store/{store}/feedback/kiosk-1", feedback("fb-4"))
        live.logged("the store's record cannot be written", times=2)
        stop(live, kill=True)
        (record / "feedback").unlink()
        (record / "feedback-aside").rename(record / "feedback")
        again = recorder(broker.url, store, record)
        procs.append(again)
        wait_kept(again, {("feedback", "fb-4")})
    finally:
        sender.close()
    stop(again)
    assert sorted(feedback_ids(record)) == ["fb-1", "fb-2", "fb-3", "fb-4"]
    assert ("feedback", "fb-1") not in kept(again), "what was on disk is not written again"


def test_a_jump_in_seq_is_kept_and_flagged_once(
    broker: Mosquitto, store: str, tmp_path: Path, procs: list[LineProcess]
) -> None:
    record = tmp_path / "record"
    live = recorder(broker.url, store, record)
    procs.append(live)
    sender = Publisher(broker)
    topic = f"store/{store}/requests/kiosk-1/gap1/state"

    def state(seq: int, status: str) -> bytes:
        claimed = '"Anna"' if status != "open" else "null"
        return (f'{{"v":1,"id":"gap1","ticket":"H-009","kind":"help","kiosk":"kiosk-1","status":"{status}",'
                f'"seq":{seq},"created_at":"2026-11-24T09:15:02Z","details":{{}},"claimed_by":{claimed},'
                f'"claimed_at":null,"resolved_at":null,"outcome":null,"escalation":0,'
                f'"changed_at":"2026-11-24T09:1{seq}:00Z"}}').encode()  # fmt: skip

    try:
        sender.send(topic, state(1, "open"), retain=True)
        sender.send(topic, state(4, "resolved"), retain=True)
        sender.send(topic, state(4, "resolved"), retain=True)  # a copy
        wait_kept(live, {("requests", "gap1", "1"), ("requests", "gap1", "4")})
        gap = live.logged("gap: H-009 (gap1) of kiosk-1: state 2-3 never reached the record")
        assert len(gap) == 1
    finally:
        sender.send(topic, b"", retain=True)
        sender.close()
    stop(live)
    assert [(rid, seq) for rid, seq, _e in steps(record)] == [("gap1", 1), ("gap1", 4)]


def test_the_recorder_publishes_todays_figures_for_the_managers_through_its_own_connection(
    broker: Mosquitto, store: str, tmp_path: Path, procs: list[LineProcess]
) -> None:
    procs.append(recorder(broker.url, store, tmp_path / "record"))
    # Retained: a manager's pager that signs in later sees them at once.
    watcher = Watcher(broker.port, f"store/{store}/managers/figures")
    try:
        watcher.wait_for(f"store/{store}/managers/figures")
    finally:
        watcher.close()
