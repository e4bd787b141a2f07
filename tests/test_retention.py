"""Retention: after the configured period free text goes, figures stay (real TinyDB files)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from adapters.tinydb_store import TinyDBEventLog
from core.model import Feedback, Kind, LogEntry
from core.retention import cutoff
from shell.kiosk_service import KioskService
from tests.memory_log import MemoryLog

OLD = datetime(2026, 8, 1, 10, 0, tzinfo=UTC)
NEW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def fill(log: TinyDBEventLog) -> None:
    for at in (OLD, NEW):
        rid = f"r{at.month}"
        log.append_entry(
            LogEntry(
                rid,
                "H-001",
                Kind.HELP,
                "k1",
                "created",
                at,
                details={"topic": "complaint", "note": "call me on 0612345678"},
            )
        )
        log.append_entry(
            LogEntry(
                rid,
                "H-001",
                Kind.HELP,
                "k1",
                "resolved",
                at + timedelta(minutes=3),
                staff="Anna",
                outcome="refunded Mrs Jansen",
            )
        )
        log.append_feedback(
            Feedback(f"f{at.month}", "k1", 1, at, reasons=("waited too long",), comment="Ask for Piet, 0687654321")
        )


def test_free_text_older_than_the_period_is_removed_and_figures_are_kept(tmp_path: Path) -> None:
    with TinyDBEventLog(tmp_path) as log:
        fill(log)
        assert log.scrub_free_text_before(date(2026, 9, 1)) == 3
        entries = log.entries_between(date(2026, 1, 1), date(2026, 12, 31))
        feedback = log.feedback_between(date(2026, 1, 1), date(2026, 12, 31))
    old = [e for e in entries if e.at < datetime(2026, 9, 1, tzinfo=UTC)]
    new = [e for e in entries if e.at > datetime(2026, 9, 1, tzinfo=UTC)]
    assert [(e.event, e.details, e.outcome, e.staff) for e in old] == [
        ("created", {"topic": "complaint"}, None, None),
        ("resolved", {}, None, "Anna"),
    ]
    assert [e.at for e in old] == [OLD, OLD + timedelta(minutes=3)]  # the times are figures: kept
    assert new[0].details["note"] == "call me on 0612345678" and new[1].outcome == "refunded Mrs Jansen"
    assert [(f.rating, f.reasons, f.comment) for f in feedback] == [
        (1, ("waited too long",), ""),
        (1, ("waited too long",), "Ask for Piet, 0687654321"),
    ]
    # Gone from the files themselves, not only from what is read back.
    assert not any("0612345678" in p.read_text() for p in tmp_path.glob("*/2026-08-01.json"))


def test_a_second_run_reads_only_days_it_has_not_done(tmp_path: Path) -> None:
    with TinyDBEventLog(tmp_path) as log:
        fill(log)
        assert log.scrub_free_text_before(date(2026, 9, 1)) == 3
        assert log.scrub_free_text_before(date(2026, 9, 1)) == 0
        assert log.scrub_free_text_before(date(2026, 11, 21)) == 3  # the November day now too
    with TinyDBEventLog(tmp_path) as log:  # remembered across a restart
        assert log.scrub_free_text_before(date(2026, 11, 21)) == 0


def test_the_kiosk_runs_retention_once_a_day_from_its_tick() -> None:
    class Clock:
        moment = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)

        def now(self) -> datetime:
            return self.moment

    from zoneinfo import ZoneInfo

    from core.desk import Desk

    log, clock = MemoryLog(), Clock()
    service = KioskService(
        desk=Desk("k1", ZoneInfo("Europe/Amsterdam")), store_id="s", transport=None,  # type: ignore[arg-type]
        spool=None, event_log=log, clock=clock, retention_days=90,
    )  # fmt: skip
    calls = []
    log.scrub_free_text_before = lambda day: calls.append(day) or 0  # type: ignore[method-assign]
    service.tick()
    service.tick()
    clock.moment += timedelta(days=1)
    service.tick()
    assert calls == [cutoff(date(2026, 11, 25), 90), cutoff(date(2026, 11, 26), 90)]
