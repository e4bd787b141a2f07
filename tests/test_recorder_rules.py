"""core/recording.py: what the store's record keeps of each message, by numbers."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from core import recording, wire
from core.live import SERVICE_LEVEL, UNHAPPY, RuleAlert
from core.live_wire import rule_alert_of_record, rule_alert_record
from core.model import Feedback, Kind, LogEntry, PrinterState, Request, Search, Status

STORE = "s1"
T0 = datetime(2026, 11, 24, 9, 15, 2, tzinfo=UTC)
LATER = T0 + timedelta(minutes=5)


def state(seq: int = 1, **changes: object) -> Request:
    base = Request("r1", Kind.HELP, "H-001", "kiosk-1", T0, seq=seq, changed_at=T0 + timedelta(seconds=seq))
    return replace(base, **changes)  # type: ignore[arg-type]


def topic(kind: str, device: str = "kiosk-1") -> str:
    return f"store/{STORE}/{kind}/{device}"


def test_a_state_becomes_its_lifecycle_step_known_by_request_and_seq() -> None:
    claimed = state(2, status=Status.CLAIMED, claimed_by="Anna", claimed_at=T0)
    keep = recording.from_message(STORE, wire.state_topic(STORE, "kiosk-1", "r1"), wire.encode_request(claimed), LATER)
    assert isinstance(keep, recording.Keep)
    assert keep.kind == "requests" and keep.key == ("requests", "r1", "2")
    assert keep.record.event == "claimed" and keep.record.staff == "Anna" and keep.record.seq == 2  # type: ignore[union-attr]
    assert keep.at == T0 + timedelta(seconds=2) and keep.day == T0.date()


def test_a_state_under_another_kiosks_topic_is_refused() -> None:
    with pytest.raises(wire.WireError, match="does not match"):
        recording.from_message(STORE, wire.state_topic(STORE, "kiosk-2", "r1"), wire.encode_request(state()), LATER)


def test_an_old_kiosks_release_without_a_time_is_dated_when_it_arrived() -> None:
    released = state(3, changed_at=None)
    assert recording.state_entry(released, LATER).at == LATER
    assert recording.state_entry(released, LATER).event == "released"


def test_feedback_and_searches_are_known_by_their_id_and_must_name_their_own_kiosk() -> None:
    feedback = Feedback("f1", "kiosk-1", 2, T0, ("waited",), "slow", "+31 6 1234 5678")
    keep = recording.from_message(STORE, topic("feedback"), wire.encode_feedback(feedback), LATER)
    assert isinstance(keep, recording.Keep) and keep.key == ("feedback", "f1") and keep.record == feedback
    search = Search("q1", "kiosk-1", T0, "blue paint", 0)
    keep = recording.from_message(STORE, topic("searches"), wire.encode_search(search), LATER)
    assert isinstance(keep, recording.Keep) and keep.key == ("searches", "q1") and keep.at == T0
    with pytest.raises(wire.WireError, match="does not match"):
        recording.from_message(STORE, topic("feedback", "kiosk-2"), wire.encode_feedback(feedback), LATER)


def test_an_escalation_alert_is_kept_small_and_known_by_request_level_and_time() -> None:
    payload = wire.encode_alert(state(), 2, LATER)
    keep = recording.from_message(STORE, topic("alerts"), payload, LATER)
    assert isinstance(keep, recording.Keep)
    assert keep.record == {
        "v": 1, "kind": "escalation", "kiosk": "kiosk-1", "at": "2026-11-24T09:20:02Z",
        "level": 2, "request_id": "r1", "ticket": "H-001", "request_kind": "help",
    }  # fmt: skip
    assert keep.key == ("alerts", "escalation", "r1", "2", "2026-11-24T09:20:02Z")


def test_a_printer_alert_keeps_the_state() -> None:
    payload = wire.encode_printer_alert("kiosk-1", PrinterState.PAPER_OUT, "out of paper", LATER)
    keep = recording.from_message(STORE, topic("alerts"), payload, LATER)
    assert isinstance(keep, recording.Keep) and keep.record["state"] == "paper_out"  # type: ignore[index]
    assert keep.key == ("alerts", "printer", "kiosk-1", "paper_out", "2026-11-24T09:20:02Z")


def test_an_unhappy_shopper_alert_keeps_the_feedback_id_and_never_the_contact() -> None:
    feedback = Feedback("f9", "kiosk-1", 1, T0, ("waited",), "call me", "+31 6 1234 5678")
    keep = recording.from_message(STORE, topic("unhappy"), wire.encode_unhappy(feedback, LATER), LATER)
    assert isinstance(keep, recording.Keep)
    assert keep.record == {"v": 1, "kind": "unhappy_shopper", "kiosk": "kiosk-1", "at": "2026-11-24T09:20:02Z",
                           "feedback_id": "f9"}  # fmt: skip
    assert "1234" not in repr(keep.record) and "call me" not in repr(keep.record)
    assert keep.key == ("alerts", "unhappy_shopper", "f9")


def test_a_rule_alert_of_the_store_server_is_known_by_its_rule_and_time() -> None:
    unhappy = rule_alert_record(RuleAlert(UNHAPPY, LATER, 15, 4, 3, 0.75, 0.5))
    assert unhappy == {"v": 1, "kind": "rule", "rule": "unhappy", "at": "2026-11-24T09:20:02Z", "minutes": 15,
                       "total": 4, "hits": 3, "value": 0.75, "threshold": 0.5}  # fmt: skip
    assert recording.key_of("alerts", unhappy) == ("alerts", "rule", "unhappy", "2026-11-24T09:20:02Z")
    level = rule_alert_record(RuleAlert(SERVICE_LEVEL, LATER, 60, 5, 3, 60.0, 80.0))
    assert recording.alert_key(level) == ("alerts", "rule", "service_level", "2026-11-24T09:20:02Z")
    assert rule_alert_of_record(level) == RuleAlert(SERVICE_LEVEL, LATER, 60, 5, 3, 60.0, 80.0)


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b'{"v":1,"kind":"fire","kiosk":"kiosk-1","at":"2026-11-24T09:15:02Z"}', "unknown alert"),
        (b'{"v":1,"kind":"escalation","kiosk":"kiosk-1","at":"2026-11-24T09:15:02Z","level":7}', "level"),
        (b'{"v":1,"kind":"escalation","kiosk":"k/1","at":"2026-11-24T09:15:02Z"}', "kiosk"),
        (b'{"v":1,"kind":"printer","kiosk":"kiosk-1","at":"yesterday"}', "at"),
        (b'{"v":2}', "version"),
    ],
)
def test_a_broken_alert_is_refused_with_its_reason(payload: bytes, reason: str) -> None:
    with pytest.raises(wire.WireError, match=reason):
        recording.from_message(STORE, topic("alerts"), payload, LATER)


def test_presence_printers_and_cleared_messages_are_not_recorded() -> None:
    presence = wire.encode_presence(wire.Presence("kiosk-1", "kiosk", True, T0))
    assert isinstance(recording.from_message(STORE, f"store/{STORE}/devices/kiosk-1", presence, LATER), recording.Skip)
    printer = wire.encode_printer("kiosk-1", PrinterState.OK, "", T0)
    assert isinstance(recording.from_message(STORE, f"store/{STORE}/printers/kiosk-1", printer, LATER), recording.Skip)
    cleared = recording.from_message(STORE, wire.state_topic(STORE, "kiosk-1", "r1"), b"", LATER)
    assert isinstance(cleared, recording.Skip) and "cleared" in cleared.reason


def test_a_jump_in_seq_names_the_missing_numbers_and_a_late_or_next_state_none() -> None:
    assert recording.missing_before({1, 2}, 5) == (3, 4)
    assert recording.missing_before(set(), 3) == (1, 2)
    assert recording.missing_before({1, 2}, 3) == ()
    assert recording.missing_before({1, 2, 5}, 3) == ()
    assert recording.gaps({1, 2, 5, 7}) == (3, 4, 6)
    assert recording.gaps({1, 2, 3}) == ()
    assert recording.runs([3, 4, 5, 8, 10, 11]) == "3-5, 8, 10-11"


def test_old_entries_without_seq_are_numbered_by_their_order_per_request() -> None:
    def entry(request: str, event: str, seq: int = 0) -> LogEntry:
        return LogEntry(request, "H-001", Kind.HELP, "kiosk-1", event, T0, seq=seq)

    old = [entry("a", "created"), entry("b", "created"), entry("a", "claimed"), entry("a", "resolved")]
    assert [(e.request_id, e.seq) for e in recording.numbered(old)] == [("a", 1), ("b", 1), ("a", 2), ("a", 3)]
    mixed = [entry("a", "created"), entry("a", "claimed", seq=2), entry("a", "released")]
    assert [e.seq for e in recording.numbered(mixed)] == [1, 2, 3]
    assert recording.numbered([entry("c", "created", seq=1)])[0] is not None


def test_every_kind_is_known_by_the_same_key_from_the_record_as_from_the_wire() -> None:
    entry = recording.state_entry(state(), LATER)
    assert recording.key_of("requests", entry) == recording.entry_key(entry)
    alert = recording.decode_alert(wire.encode_alert(state(), 1, LATER))
    assert recording.key_of("alerts", alert) == recording.alert_key(alert)
    with pytest.raises(ValueError):
        recording.key_of("feedback", entry)
