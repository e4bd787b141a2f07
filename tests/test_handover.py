"""Hand over to a colleague (core/lifecycle.py rule 7), through the desk, the
log, a restart, the store's record, the request rows and the export.

Pure and fast, except the last test, which runs the real export command on a
real TinyDB data dir."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from adapters.tinydb_store import TinyDBEventLog
from core import wire
from core.desk import Desk
from core.events import HelpRequested, Ignored, Publish, StaffActed, StatusChanged, Store
from core.lifecycle import Action, Refusal, offered, refusal
from core.model import Kind, LogEntry, Request, Status
from core.records import entry_from_dict, entry_from_state, entry_to_dict, request_rows
from core.request_fold import StepFolder, rows_of
from core.stamps import Stamps

AMS = ZoneInfo("Europe/Amsterdam")
T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[1]


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


class Story:
    """One desk and everything it stored, acted on by name."""

    def __init__(self) -> None:
        self.desk = Desk("kiosk-1", AMS)
        self.log: list[LogEntry] = []
        self._ids = iter(range(1, 1000))

    def run(self, effects: list) -> list:
        self.log += [e.record for e in effects if isinstance(e, Store)]
        return effects

    def take(self, request_id: str = "r1", when: float = 0) -> Request:
        self.run(self.desk.handle(HelpRequested(request_id, Kind.HELP, {"topic": "question"}), at(when)))
        return self.desk.request(request_id)  # type: ignore[return-value]

    def act(self, action: Action, staff: str, when: float, to: str | None = None, outcome: str | None = None) -> list:
        event = StaffActed("r1", action, staff, f"a{next(self._ids)}", outcome, to)
        return self.run(self.desk.handle(event, at(when)))

    @property
    def now(self) -> Request:
        return self.desk.request("r1")  # type: ignore[return-value]


def handed(story: Story) -> list:
    """r1 claimed by Anna at 40 s, handed over to Ben at 100 s."""
    story.take()
    story.act(Action.CLAIM, "Anna", 40)
    return story.act(Action.HANDOVER, "Anna", 100, to="Ben")


# -- the desk --------------------------------------------------------------------------------


def test_the_holder_hands_over_the_colleague_holds_it_and_the_claim_time_stays() -> None:
    story = Story()
    story.take()
    story.act(Action.CLAIM, "Anna", 40)
    claimed = story.now
    claimed_at = claimed.claimed_at
    effects = story.act(Action.HANDOVER, "Anna", 100, to="Ben")
    assert [type(e) for e in effects] == [Store, Publish, StatusChanged]
    after = story.now
    assert (after.status, after.claimed_by, after.claimed_at) == (Status.CLAIMED, "Ben", claimed_at)
    assert (after.changed_by, after.changed_at, after.seq, after.escalation) == ("Anna", at(100), claimed.seq + 1, 0)
    [entry] = [e.record for e in effects if isinstance(e, Store)]
    assert (entry.event, entry.staff, entry.details, entry.at, entry.seq) == (
        "handed_over",
        "Ben",
        {"from": "Anna"},
        at(100),
        after.seq,
    )
    body = wire.decode_request(wire.encode_request(after))
    assert (body.claimed_by, body.changed_by, body.claimed_at) == ("Ben", "Anna", claimed_at), "as pagers see it"


@pytest.mark.parametrize(
    ("staff", "to", "reason"),
    [
        ("Ben", "Cai", "held by Anna, not Ben"),  # only the holder
        ("Anna", "Anna", "cannot hand H-001 over to 'Anna'"),  # not to oneself
        ("Anna", "  aNNa ", "cannot hand H-001 over to 'aNNa'"),  # not to oneself, however written
        ("Anna", "", "cannot hand H-001 over to None"),  # not to nobody
        ("Anna", "   ", "cannot hand H-001 over to ''"),
        ("Anna", None, "cannot hand H-001 over to None"),
        ("Anna", "\x00\x07", "cannot hand H-001 over to ''"),  # nothing left once cleaned
    ],
)
def test_a_hand_over_by_another_to_oneself_or_to_nobody_changes_nothing(
    staff: str, to: str | None, reason: str
) -> None:
    story = Story()
    story.take()
    story.act(Action.CLAIM, "Anna", 40)
    before, logged = story.now, len(story.log)
    [ignored] = story.act(Action.HANDOVER, staff, 100, to=to)
    assert isinstance(ignored, Ignored) and reason in ignored.reason
    assert story.now == before and len(story.log) == logged


def test_an_open_or_ended_request_cannot_be_handed_over() -> None:
    story = Story()
    story.take()
    [ignored] = story.act(Action.HANDOVER, "Anna", 10, to="Ben")
    assert isinstance(ignored, Ignored) and "cannot hand_over H-001: open" in ignored.reason
    story.act(Action.CLAIM, "Anna", 40)
    story.act(Action.RESOLVE, "Anna", 50, outcome="answered")
    [ignored] = story.act(Action.HANDOVER, "Anna", 60, to="Ben")
    assert isinstance(ignored, Ignored) and story.now.claimed_by == "Anna"


def test_after_a_hand_over_only_the_new_holder_may_release_resolve_or_hand_it_on() -> None:
    story = Story()
    handed(story)
    for action in (Action.RESOLVE, Action.RELEASE, Action.HANDOVER):
        [ignored] = story.act(action, "Anna", 110, to="Cai" if action is Action.HANDOVER else None)
        assert isinstance(ignored, Ignored) and "held by Ben, not Anna" in ignored.reason
    assert offered(story.now, "Anna") == () and offered(story.now, "Ben") == (
        Action.RESOLVE,
        Action.HANDOVER,
        Action.RELEASE,
    )
    assert refusal(story.now, Action.HANDOVER, "Ben", "Anna") is None, "and back again"
    story.act(Action.HANDOVER, "Ben", 120, to="Anna")
    story.act(Action.RESOLVE, "Anna", 200, outcome="answered")
    assert (story.now.status, story.now.claimed_by, story.now.claimed_at) == (Status.RESOLVED, "Anna", at(40))


def test_a_repeated_hand_over_is_a_duplicate_and_changes_nothing() -> None:
    story = Story()
    story.take()
    story.act(Action.CLAIM, "Anna", 40)
    over = StaffActed("r1", Action.HANDOVER, "Anna", "same", None, "Ben")
    story.run(story.desk.handle(over, at(100)))
    story.run(story.desk.handle(StaffActed("r1", Action.HANDOVER, "Ben", "back", None, "Anna"), at(110)))
    [ignored] = story.desk.handle(over, at(120))
    assert isinstance(ignored, Ignored) and "duplicate" in ignored.reason
    assert story.now.claimed_by == "Anna"


def test_lifecycle_refusals_name_why() -> None:
    story = Story()
    story.take()
    story.act(Action.CLAIM, "Anna", 40)
    assert refusal(story.now, Action.HANDOVER, "Anna", "Anna") is Refusal.NO_COLLEAGUE
    assert refusal(story.now, Action.HANDOVER, "Anna", None) is Refusal.NO_COLLEAGUE
    assert refusal(story.now, Action.HANDOVER, "Ben", "Cai") is Refusal.NOT_HOLDER
    assert refusal(story.now, Action.HANDOVER, "Anna", "Ben") is None


# -- a restart, the record, the rows -----------------------------------------------------------------


def test_a_restart_replays_the_hand_over_from_the_stored_log() -> None:
    story = Story()
    handed(story)
    stored = [entry_from_dict(entry_to_dict(e)) for e in story.log]  # as the kiosk's files give them back
    restarted = Desk.restore("kiosk-1", AMS, stored)
    assert restarted.request("r1") == story.now
    [ignored] = restarted.handle(StaffActed("r1", Action.RESOLVE, "Anna", "late", "answered"), at(200))
    assert isinstance(ignored, Ignored) and "held by Ben" in ignored.reason


def test_a_damaged_log_with_a_hand_over_of_an_open_request_still_restores() -> None:
    story = Story()
    story.take()
    damaged = [*story.log, LogEntry("r1", "H-001", Kind.HELP, "kiosk-1", "handed_over", at(50), "Ben", seq=2)]
    assert Desk.restore("kiosk-1", AMS, damaged).request("r1").status is Status.OPEN  # type: ignore[union-attr]


def test_the_store_record_reads_the_handed_over_step_from_the_state_as_the_kiosk_logged_it() -> None:
    story = Story()
    handed(story)
    state = wire.decode_request(wire.encode_request(story.now))  # what the recorder receives
    assert entry_from_state(state) == story.log[-1]
    claimed = Story()
    claimed.take()
    claimed.act(Action.CLAIM, "Anna", 40)
    assert entry_from_state(claimed.now).event == "claimed", "a holder's own claim stays a claim"


def test_request_rows_and_the_reports_fold_name_the_new_holder_and_keep_the_claim_time() -> None:
    story = Story()
    handed(story)
    story.act(Action.RESOLVE, "Ben", 300, outcome="answered")
    [row] = request_rows(story.log)
    assert (row.claimed_by, row.claimed_at, row.seconds_to_claim) == ("Ben", at(40), 40.0)
    assert (row.resolved_by, row.status, row.released) == ("Ben", Status.RESOLVED, 0)
    assert row.details == {"topic": "question"}, "who handed it over is not what the shopper asked"
    for order in (story.log, list(reversed(story.log))):
        folder = StepFolder(Stamps(UTC))
        folder.add_table({str(n): entry_to_dict(e) for n, e in enumerate(order, 1)})
        [folded] = rows_of(folder.states)
        assert folded == row, "the same row whatever order the records are read in"


def test_the_export_names_the_new_holder(tmp_path: Path) -> None:
    story = Story()
    handed(story)
    story.act(Action.RESOLVE, "Ben", 300, outcome="answered")
    with TinyDBEventLog(tmp_path / "data") as log:
        for entry in story.log:
            log.append_entry(entry)
    done = subprocess.run(
        [sys.executable, "-m", "manager.export", "--data-dir", str(tmp_path / "data"), "--from", "2026-11-24",
         "--out", str(tmp_path / "out")],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    with open(tmp_path / "out" / "requests-2026-11-24_2026-11-24.csv", encoding="utf-8-sig", newline="") as handle:
        [row] = list(csv.DictReader(handle))
    assert (row["claimed_by"], row["claimed_utc"], row["minutes_to_claim"]) == ("Ben", "2026-11-24T09:00:40Z", "0.7")
    assert (row["resolved_by"], row["status"], row["released"]) == ("Ben", "resolved", "0")
