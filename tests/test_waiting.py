"""The expected wait on the ticket: from how fast staff claimed lately (pure core)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from core.desk import Desk
from core.events import HelpRequested, StaffActed, Store
from core.model import Kind, LogEntry
from core.waiting import DEFAULT_CLAIM_SECONDS, estimated_wait
from kiosk.wording import wait_words

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_the_estimate_grows_with_the_place_in_line_and_shrinks_as_the_shopper_waits() -> None:
    assert estimated_wait(1, 0, []) == DEFAULT_CLAIM_SECONDS
    assert estimated_wait(3, 0, [40, 60, 50]) == 150  # the median claim time, per place
    assert estimated_wait(3, 100, [40, 60, 50]) == 50
    assert estimated_wait(1, 500, [40]) == 0 and estimated_wait(0, 0, [40]) == 0
    assert estimated_wait(1, 0, [9999] * 5 + [30] * 10) == 30, "only the last ten claims count"


def test_the_desk_learns_claim_times_per_type_and_remembers_them_after_a_restart() -> None:
    desk = Desk("kiosk-1", ZoneInfo("Europe/Amsterdam"))
    stored: list[LogEntry] = []
    for n, claim_after in enumerate((30, 50, 40)):
        effects = desk.handle(HelpRequested(f"r{n}", Kind.HELP, {}), at(1000 * n))
        effects += desk.handle(StaffActed(f"r{n}", "claim", "Anna", f"a{n}"), at(1000 * n + claim_after))
        stored += [e.record for e in effects if isinstance(e, Store) and isinstance(e.record, LogEntry)]
    desk.handle(HelpRequested("w1", Kind.HELP, {}), at(5000))
    desk.handle(HelpRequested("w2", Kind.HELP, {}), at(5001))
    desk.handle(HelpRequested("f1", Kind.FIND, {}), at(5001))
    assert desk.estimated_wait("w2", at(5010)) == 2 * 40 - 9
    assert desk.estimated_wait("f1", at(5001)) == DEFAULT_CLAIM_SECONDS  # no find claims yet
    again = Desk.restore("kiosk-1", ZoneInfo("Europe/Amsterdam"), stored)
    again.handle(HelpRequested("w3", Kind.HELP, {}), at(6000))
    assert again.estimated_wait("w3", at(6000)) == 40


def test_the_wait_is_said_in_minutes() -> None:
    assert wait_words(20) == "Expected wait: less than a minute"
    assert wait_words(150) == "Expected wait: about 2 min"
