"""Today's figures and the rule alerts (core/live.py, core/live_wire.py), with the time passed in."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.figures import compute
from core.live import (
    SERVICE_LEVEL,
    UNHAPPY,
    AlertRules,
    LiveFigures,
    RuleAlert,
    Today,
    in_time,
    satisfaction_index,
)
from core.live_wire import (
    decode_figures,
    decode_rule_alert,
    encode_figures,
    encode_rule_alert,
    rule_alert_of_record,
    rule_alert_record,
)
from core.model import Feedback, Kind, LogEntry
from core.records import RequestRow
from core.wire import WireError

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TARGETS = {Kind.FIND: 60, Kind.RETURN: 120, Kind.HELP: 60}
MORNING = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)  # 10:00 in Amsterdam


def at(seconds: float) -> datetime:
    return MORNING + timedelta(seconds=seconds)


def step(request_id: str, event: str, seconds: float, seq: int, kind: Kind = Kind.HELP) -> LogEntry:
    return LogEntry(request_id, "H-001", kind, "kiosk-1", event, at(seconds), seq=seq)


def face(feedback_id: str, rating: int, seconds: float) -> Feedback:
    return Feedback(feedback_id, "kiosk-1", rating, at(seconds))


def today(*entries: LogEntry | Feedback, rules: AlertRules | None = None) -> Today:
    live = Today(AMSTERDAM, TARGETS, rules or AlertRules())
    for item in entries:
        if isinstance(item, LogEntry):
            live.add_entry(item)
        else:
            live.add_feedback(item)
    return live


def test_waiting_now_counts_open_requests_nobody_holds_and_the_longest_wait() -> None:
    live = today(
        step("a", "created", 0, 1),
        step("b", "created", 100, 1),
        step("b", "claimed", 130, 2),  # being helped: not waiting
        step("c", "created", 200, 1),
        step("c", "claimed", 210, 2),
        step("c", "released", 250, 3),  # released: waiting again, counted from when the shopper asked
        step("d", "created", 300, 1),
        step("d", "cancelled", 320, 2),  # gone
    )
    figures = live.figures(at(400))
    assert (figures.waiting, figures.longest_wait, figures.requests) == (2, 400, 4)


def test_service_level_counts_only_requests_that_are_due() -> None:
    live = today(
        step("quick", "created", 0, 1),
        step("quick", "claimed", 59, 2),  # in time
        step("slow", "created", 0, 1),
        step("slow", "claimed", 61, 2),  # late
        step("gave_up", "created", 0, 1),
        step("gave_up", "cancelled", 30, 2),  # ended unclaimed within the target: not due
        step("ignored", "created", 0, 1),
        step("ignored", "cancelled", 90, 2),  # ended unclaimed after it: late
        step("waiting", "created", 0, 1),  # still waiting at 100 s: late
        step("fresh", "created", 80, 1),  # waiting 20 s: not due yet
        step("return", "created", 0, 1, Kind.RETURN),
        step("return", "claimed", 100, 2, Kind.RETURN),  # returns have 120 s: in time
    )
    figures = live.figures(at(100))
    assert (figures.within_target, figures.due) == (2, 5)
    assert figures.service_level == pytest.approx(40.0)
    # The report's words: waiting and fresh nobody claimed yet (unclaimed); gave_up and ignored the shopper
    # cancelled before a claim (abandoned).
    assert (figures.unclaimed, figures.abandoned, figures.requests) == (2, 2, 7)


def test_unclaimed_and_abandoned_are_the_reports_figures() -> None:
    live = today(
        step("open", "created", 0, 1),  # nobody has claimed it yet: unclaimed
        step("closed", "created", 0, 1),
        step("closed", "resolved", 40, 2),  # closed by staff without a claim: unclaimed
        step("gone", "created", 0, 1),
        step("gone", "cancelled", 20, 2),  # the shopper gave up before a claim: abandoned
        step("helped", "created", 0, 1),
        step("helped", "claimed", 10, 2),
        step("helped", "cancelled", 30, 3),  # cancelled after a claim: claimed, neither of the two
        step("back", "created", 0, 1),
        step("back", "claimed", 10, 2),
        step("back", "released", 20, 3),  # claimed once, waiting again: claimed, not unclaimed
    )
    figures = live.figures(at(100))
    assert (figures.unclaimed, figures.abandoned, figures.requests, figures.waiting) == (2, 1, 5, 2)
    # As the report counts them: claimed + unclaimed + abandoned = requests.
    report = compute(
        live._rows(), [], [], tz=AMSTERDAM, first=figures.day, last=figures.day, targets=TARGETS,
        per_associate=False, retention_cutoff=None, store="s", store_name="S", now=at(100),
    )  # fmt: skip
    assert (report.total.unclaimed, report.total.abandoned) == (figures.unclaimed, figures.abandoned)


def test_the_first_claim_counts_even_after_a_release() -> None:
    row = RequestRow("x", "H-001", Kind.HELP, "kiosk-1", created_at=at(0), claimed_at=at(30), seconds_to_claim=30)
    assert in_time(row, 60, at(500)) is True
    live = today(step("x", "created", 0, 1), step("x", "claimed", 30, 2), step("x", "released", 40, 3))
    figures = live.figures(at(500))
    assert (figures.within_target, figures.due, figures.waiting) == (1, 1, 1)


def test_the_satisfaction_index_weighs_faces_three_to_nought() -> None:
    assert satisfaction_index([4, 4, 1, 3]) == (pytest.approx(100 * (3 + 3 + 0 + 2) / 12), 4)
    assert satisfaction_index([]) == (None, 0)
    live = today(face("f1", 4, 0), face("f2", 2, 10), face("f2", 2, 10))  # the same feedback twice counts once
    figures = live.figures(at(20))
    assert (figures.satisfaction, figures.responses) == (pytest.approx(100 * 4 / 6), 2)


def test_a_step_delivered_twice_counts_once() -> None:
    live = today(step("a", "created", 0, 1), step("a", "created", 0, 1), step("a", "claimed", 10, 2))
    live.add_entry(step("a", "claimed", 10, 2))
    figures = live.figures(at(20))
    assert (figures.requests, figures.due, figures.within_target, figures.waiting) == (1, 1, 1, 0)


def test_a_new_store_day_starts_from_nothing_but_a_kiosk_clock_ahead_does_not_end_today() -> None:
    live = today(step("a", "created", 0, 1), face("f1", 1, 0))
    evening = datetime(2026, 11, 3, 22, 59, tzinfo=UTC)  # 23:59 in Amsterdam
    live.add_entry(LogEntry("b", "H-002", Kind.HELP, "kiosk-2", "created", evening + timedelta(minutes=2), seq=1))
    before = live.figures(evening)
    assert (before.requests, before.responses, before.day.isoformat()) == (1, 1, "2026-11-03")
    after = live.figures(evening + timedelta(minutes=3))  # 00:02 on the 4th
    assert (after.requests, after.responses, after.day.isoformat()) == (1, 0, "2026-11-04")


def test_many_unhappy_responses_alert_once_until_it_clears() -> None:
    rules = AlertRules(unhappy_minutes=15, unhappy_share=0.5, unhappy_min_responses=4)
    live = today(face("f1", 1, 0), face("f2", 2, 60), face("f3", 4, 120), rules=rules)
    assert live.alerts(at(130)) == []  # 2 of 3: too few responses
    live.add_feedback(face("f4", 3, 180))
    [alert] = live.alerts(at(190))  # 2 of 4: half
    assert (alert.rule, alert.total, alert.hits, alert.value) == (UNHAPPY, 4, 2, 0.5)
    live.add_feedback(face("f5", 1, 200))
    assert live.alerts(at(210)) == []  # the same breach: said once
    # 16 minutes on the first two have left the window: 1 unhappy of 3 responses.
    assert live.alerts(at(16 * 60 + 70)) == []
    for n in range(6, 10):
        live.add_feedback(face(f"f{n}", 2, 16 * 60 + 80 + n))
    [again] = live.alerts(at(16 * 60 + 100))  # cleared, then breached again: said again
    assert again.rule == UNHAPPY and again.hits == 5


def test_the_last_hours_service_level_under_target_alerts_once() -> None:
    rules = AlertRules(service_level_minutes=60, service_level_percent=80.0)
    live = today(step("a", "created", 0, 1), step("a", "claimed", 10, 2), rules=rules)
    assert live.alerts(at(20)) == []  # 100 %
    live.add_entry(step("b", "created", 30, 1))
    assert live.alerts(at(60)) == []  # b is not due yet
    [alert] = live.alerts(at(100))  # b waited past 60 s: 1 of 2
    assert (alert.rule, alert.total, alert.hits, alert.value, alert.threshold) == (SERVICE_LEVEL, 2, 1, 50.0, 80.0)
    assert live.alerts(at(110)) == []
    # An hour on, a and b are out of the window; a new quick claim makes it 100 %: armed again.
    live.add_entry(step("c", "created", 3700, 1))
    live.add_entry(step("c", "claimed", 3710, 2))
    assert live.alerts(at(3720)) == []
    live.add_entry(step("d", "created", 3730, 1))
    [again] = live.alerts(at(3800))
    assert again.rule == SERVICE_LEVEL and (again.total, again.hits) == (2, 1)


def test_a_restarted_server_does_not_say_again_a_breach_it_said_within_the_rules_window() -> None:
    rules = AlertRules(unhappy_minutes=15, unhappy_share=0.5, unhappy_min_responses=4)
    faces = [face(f"f{n}", 1, n) for n in range(4)]
    said = RuleAlert(UNHAPPY, at(5), 15, 4, 4, 1.0, 0.5)  # what the record holds from before the restart
    restarted = today(*faces, rules=rules)
    restarted.remember([said], at(10 * 60))
    assert restarted.alerts(at(10 * 60)) == []  # the same breach, 10 minutes on: said already
    long_after = today(*faces, face("f9", 1, 16 * 60), rules=rules)
    long_after.remember([said], at(16 * 60 + 10))  # the alert is older than the window: a breach of its own
    assert long_after.alerts(at(16 * 60 + 10)) == []  # (only 1 response in the window now: no breach at all)
    older = today(*[face(f"g{n}", 1, 20 * 60 + n) for n in range(4)], rules=rules)
    older.remember([said], at(20 * 60 + 10))
    [again] = older.alerts(at(20 * 60 + 10))
    assert again.rule == UNHAPPY
    yesterday = today(*faces, rules=rules)
    yesterday.remember([replace(said, at=at(5) - timedelta(days=1))], at(10 * 60))
    assert [a.rule for a in yesterday.alerts(at(10 * 60))] == [UNHAPPY]


def test_figures_and_alerts_go_through_the_wire_unchanged() -> None:
    figures = LiveFigures(MORNING.date(), MORNING, 2, 95, 87.5, 7, 8, 66.7, 12, 1, 3, 23)
    assert decode_figures(encode_figures(figures)) == figures
    empty = today().figures(MORNING)
    assert decode_figures(encode_figures(empty)) == empty
    live = today(face("f1", 1, 0), face("f2", 1, 1), face("f3", 1, 2), face("f4", 4, 3))
    [alert] = live.alerts(at(10))
    assert decode_rule_alert(encode_rule_alert(alert)) == alert
    assert rule_alert_of_record(rule_alert_record(alert)) == alert


FIGURES = json.loads(encode_figures(LiveFigures(MORNING.date(), MORNING, 2, 95, 87.5, 7, 8, 66.7, 12, 1, 3, 23)))


@pytest.mark.parametrize(
    "change",
    [
        {"v": 2},
        {"v": True},
        {"kind": "rule"},
        {"day": "03-11-2026"},
        {"day": 20261103},
        {"at": "yesterday"},
        {"waiting": -1},
        {"waiting": True},
        {"waiting": 1.5},
        {"service_level": 101},
        {"service_level": "87"},
        {"service_level": None},  # due is 8: contradicts
        {"within_target": 9},  # more in time than due
        {"satisfaction": None},  # 12 responses
        {"longest_wait": None},  # 2 waiting
        {"requests": 1},  # fewer requests than waiting
        {"abandoned": -1},
        {"abandoned": None},
        {"abandoned": 23},  # unclaimed and abandoned more than the requests
    ],
)
def test_figures_that_do_not_follow_the_contract_are_refused(change: dict[str, object]) -> None:
    with pytest.raises(WireError):
        decode_figures(json.dumps({**FIGURES, **change}).encode())


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"\xff",
        b"[]",
        b"NaN",
        b'{"v":1,"kind":"rule","rule":"unhappy","at":"2026-11-03T09:00:00Z","minutes":15,"total":4,"hits":5,'
        b'"value":1.25,"threshold":0.5}',
        b'{"v":1,"kind":"rule","rule":"rain","at":"2026-11-03T09:00:00Z","minutes":15,"total":4,"hits":2,'
        b'"value":0.5,"threshold":0.5}',
        b'{"v":1,"kind":"rule","rule":"unhappy","at":"2026-11-03T09:00:00Z","minutes":15,"total":4,"hits":2,'
        b'"value":NaN,"threshold":0.5}',
        b'{"v":1,"kind":"rule","rule":"unhappy","at":"2026-11-03T09:00:00Z","minutes":0,"total":4,"hits":2,'
        b'"value":0.5,"threshold":0.5}',
        b"{" * 100_000,
    ],
)
def test_rule_alerts_that_do_not_follow_the_contract_are_refused(payload: bytes) -> None:
    with pytest.raises(WireError):
        decode_rule_alert(payload)
