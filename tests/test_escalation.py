"""Escalation in the pure core: deadlines are data, time is a number passed in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.desk import Desk
from core.escalation import Limits
from core.events import Alert, HelpRequested, Publish, StaffActed, StatusChanged, Store
from core.model import Kind, LogEntry

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def desk_with_request(kind: Kind = Kind.HELP, limits: dict[Kind, Limits] | None = None) -> Desk:
    desk = Desk("kiosk-1", ZoneInfo("Europe/Amsterdam"), limits)
    desk.handle(HelpRequested("r1", kind, {"topic": "question"}), at(0))
    return desk


def test_nothing_waiting_means_no_timer() -> None:
    assert Desk("kiosk-1", ZoneInfo("Europe/Amsterdam")).get_timer() is None


def test_an_unclaimed_request_escalates_at_each_limit_in_turn() -> None:
    desk = desk_with_request()
    assert desk.get_timer() == at(60)
    assert desk.handle_timer(at(59.9)) == []
    effects = desk.handle_timer(at(60))
    assert [type(e) for e in effects] == [Store, Publish, Alert, StatusChanged]
    store, publish, alert, _ = effects
    assert isinstance(store, Store) and isinstance(store.record, LogEntry)
    assert store.record.event == "escalated" and store.record.details == {"level": "1"}
    assert isinstance(publish, Publish) and publish.message.escalation == 1  # type: ignore[union-attr]
    assert isinstance(alert, Alert) and alert.level == 1
    assert desk.get_timer() == at(180)
    assert [e.level for e in desk.handle_timer(at(180)) if isinstance(e, Alert)] == [2]
    assert [e.level for e in desk.handle_timer(at(300)) if isinstance(e, Alert)] == [3]
    assert desk.get_timer() is None, "after the service desk there is nothing left to escalate"
    assert desk.request("r1").seq == 4  # type: ignore[union-attr]


def test_a_late_timer_jumps_straight_to_the_level_reached_with_one_alert() -> None:
    desk = desk_with_request()
    alerts = [e for e in desk.handle_timer(at(1000)) if isinstance(e, Alert)]
    assert [a.level for a in alerts] == [3]


def test_a_claim_stops_escalation_and_a_release_resumes_it_from_the_shoppers_wait() -> None:
    desk = desk_with_request()
    desk.handle_timer(at(60))
    desk.handle(StaffActed("r1", "claim", "Anna", "a1"), at(70))
    assert desk.request("r1").escalation == 0  # type: ignore[union-attr]
    assert desk.get_timer() is None
    desk.handle(StaffActed("r1", "release", "Anna", "a2"), at(200))
    assert desk.get_timer() == at(60), "already overdue: escalate at once"
    assert [e.level for e in desk.handle_timer(at(200)) if isinstance(e, Alert)] == [2]


def test_limits_are_set_per_request_type() -> None:
    desk = desk_with_request(Kind.RETURN, {Kind.RETURN: Limits(10, 20, 30)})
    assert desk.get_timer() == at(10)
    desk.handle(HelpRequested("r2", Kind.HELP, {}), at(0))
    assert desk.get_timer() == at(10)
    levels = {e.request.ticket: e.level for e in desk.handle_timer(at(60)) if isinstance(e, Alert)}
    assert levels == {"R-001": 3, "H-001": 1}


def test_a_restarted_desk_remembers_the_level_and_the_seq() -> None:
    desk = desk_with_request()
    stored = [e.record for e in desk.handle_timer(at(200)) if isinstance(e, Store)]
    created = LogEntry("r1", "H-001", Kind.HELP, "kiosk-1", "created", at(0), details={"topic": "question"})
    again = Desk.restore("kiosk-1", ZoneInfo("Europe/Amsterdam"), [created, *stored])  # type: ignore[list-item]
    before, after = desk.request("r1"), again.request("r1")
    assert after is not None and before is not None
    assert (after.escalation, after.seq) == (before.escalation, before.seq) == (2, 2)
    assert again.get_timer() == at(300)


@pytest.mark.parametrize("limits", [(0, 10, 20), (60, 60, 300), (300, 180, 60)])
def test_limits_must_be_positive_and_increasing(limits: tuple[int, int, int]) -> None:
    with pytest.raises(ValueError, match="increasing"):
        Limits(*limits)
