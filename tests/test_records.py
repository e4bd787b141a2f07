"""Stored record format and the request-log fold. Pure: no files, no clock."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.model import Feedback, Kind, LogEntry
from core.records import (
    EVENTS,
    entry_from_dict,
    entry_to_dict,
    feedback_from_dict,
    feedback_to_dict,
    from_iso_utc,
    request_rows,
    to_iso_utc,
)

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
ODD_TEXT = [
    "请帮我找一下洗发水",
    "繁體中文：退貨",
    "e\u0301\u0301 combining",
    "\u202eright-to-left override",
    "\u0000nul\u0007bell\x1b[2J",
    "👩‍👩‍👧 family",
    "lone \ud800 surrogate",
    "",
]


def entry(event: str, seconds: float, rid: str = "r1", **kw: object) -> LogEntry:
    values: dict[str, Any] = {
        "request_id": rid,
        "ticket": "F-001",
        "kind": Kind.FIND,
        "kiosk": "k1",
    }
    values.update(kw)
    return LogEntry(event=event, at=T0 + timedelta(seconds=seconds), **values)


def through_json(record: dict[str, Any]) -> object:
    """The way the store keeps it: ASCII JSON text."""
    return json.loads(json.dumps(record, ensure_ascii=True))


# --- timestamps ----------------------------------------------------------------


def test_timestamps_are_written_in_utc_with_a_z() -> None:
    amsterdam = timezone(timedelta(hours=1))
    assert to_iso_utc(datetime(2026, 11, 24, 10, 15, 2, tzinfo=amsterdam)) == "2026-11-24T09:15:02Z"
    assert to_iso_utc(T0.replace(microsecond=250000)) == "2026-11-24T09:00:00.250000Z"


def test_naive_timestamps_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        to_iso_utc(datetime(2026, 11, 24, 9, 0))
    with pytest.raises(ValueError, match="no zone"):
        from_iso_utc("2026-11-24T09:00:00")


def test_a_timestamp_with_an_offset_is_read_as_the_same_instant() -> None:
    assert from_iso_utc("2026-11-24T10:00:00+01:00") == T0
    assert from_iso_utc("2026-11-24T10:00:00+01:00").tzinfo == UTC


# --- round trips ---------------------------------------------------------------


@pytest.mark.parametrize("text", ODD_TEXT)
def test_log_entry_survives_a_round_trip_with_odd_text(text: str) -> None:
    original = LogEntry(
        request_id="r-1", ticket="H-007", kind=Kind.HELP, kiosk="door-1", event="resolved",
        at=T0, staff=text or None, outcome=text, details={text: text, "note": text},
    )  # fmt: skip
    record = entry_to_dict(original)
    assert record["v"] == 1 and record["at"] == "2026-11-24T09:00:00Z"
    assert entry_from_dict(through_json(record)) == original


@pytest.mark.parametrize("text", ODD_TEXT)
def test_feedback_survives_a_round_trip_with_odd_text(text: str) -> None:
    original = Feedback(id="fb-1", kiosk="door-1", rating=1, given_at=T0, reasons=(text, "slow"), comment=text)
    record = feedback_to_dict(original)
    assert record["v"] == 1 and record["given_at"] == "2026-11-24T09:00:00Z"
    assert feedback_from_dict(through_json(record)) == original


moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(-timedelta(hours=5))]),
)  # fmt: skip
texts = st.text(max_size=30)
any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=30)


# No deadline: a loaded CI machine must not turn a slow example into a failure.
@settings(deadline=None)
@given(
    kind=st.sampled_from(Kind), event=st.sampled_from(EVENTS), at=moments,
    staff=st.none() | any_text, outcome=st.none() | texts,
    details=st.dictionaries(texts, any_text, max_size=4), ticket=any_text,
)  # fmt: skip
def test_any_log_entry_round_trips(
    kind: Kind, event: str, at: datetime, staff: str | None, outcome: str | None,
    details: dict[str, str], ticket: str,
) -> None:  # fmt: skip
    original = LogEntry("r", ticket, kind, "k", event, at, staff, outcome, details)
    assert entry_from_dict(through_json(entry_to_dict(original))) == original


@settings(deadline=None)
@given(
    rating=st.integers(1, 4), at=moments,
    reasons=st.lists(any_text, max_size=4).map(tuple), comment=any_text,
)  # fmt: skip
def test_any_feedback_round_trips(rating: int, at: datetime, reasons: tuple[str, ...], comment: str) -> None:
    original = Feedback("fb", "k", rating, at, reasons, comment)
    assert feedback_from_dict(through_json(feedback_to_dict(original))) == original


# --- malformed records --------------------------------------------------------


GOOD_ENTRY = entry_to_dict(entry("created", 0))
GOOD_FEEDBACK = feedback_to_dict(Feedback("fb", "k", 3, T0))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"v": 2}, "unsupported version"),
        ({"v": None}, "unsupported version"),
        ({"kind": "steal"}, "kind: expected one of"),
        ({"event": "exploded"}, "event: expected one of"),
        ({"at": "yesterday"}, "at: not an ISO 8601"),
        ({"at": 1700000000}, "at: expected an ISO 8601 string"),
        ({"request_id": None}, "request_id: expected a string"),
        ({"staff": 7}, "staff: expected a string or null"),
        ({"details": {"aisle": 7}}, "details: expected an object of strings"),
    ],
)
def test_a_malformed_log_entry_is_refused_with_a_message_naming_the_field(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        entry_from_dict({**GOOD_ENTRY, **change})


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ([1, 2], "expected an object, got list"),
        ({**GOOD_FEEDBACK, "rating": 5}, "rating: expected one of"),
        ({**GOOD_FEEDBACK, "rating": True}, "rating: expected one of"),
        ({**GOOD_FEEDBACK, "reasons": "slow"}, "reasons: expected a list"),
        ({**GOOD_FEEDBACK, "comment": None}, "comment: expected a string"),
        ({k: v for k, v in GOOD_FEEDBACK.items() if k != "given_at"}, "given_at"),
    ],
)
def test_malformed_feedback_is_refused_with_a_message_naming_the_field(record: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        feedback_from_dict(record)


def test_what_could_not_be_read_back_is_refused_before_it_is_stored() -> None:
    with pytest.raises(ValueError, match="event"):
        entry_to_dict(entry("teleported", 0))
    with pytest.raises(ValueError, match="rating"):
        feedback_to_dict(Feedback("fb", "k", 0, T0))
    with pytest.raises(ValueError, match="naive"):
        entry_to_dict(LogEntry("r", "F-001", Kind.FIND, "k", "created", datetime(2026, 1, 1)))


# --- folding the request log into rows -----------------------------------------


def life_of_one_request() -> list[LogEntry]:
    return [
        entry("created", 0, details={"item": "洗发水", "aisle": "7"}),
        entry("claimed", 30, staff="Anna"),
        entry("released", 60, staff="Anna"),
        entry("claimed", 90, staff="Ben"),
        entry("resolved", 300, staff="Ben", outcome="found it"),
    ]


def test_a_request_becomes_one_row_with_its_figures() -> None:
    [row] = request_rows(life_of_one_request())
    assert (row.request_id, row.ticket, row.kind, row.kiosk) == ("r1", "F-001", Kind.FIND, "k1")
    assert row.details == {"item": "洗发水", "aisle": "7"}
    assert row.created_at == T0
    assert row.claimed_by == "Ben"  # the last one who claimed it
    assert row.claimed_at == T0 + timedelta(seconds=30)  # help first on its way
    assert row.released == 1
    assert (row.resolved_by, row.outcome) == ("Ben", "found it")
    assert row.resolved_at == T0 + timedelta(seconds=300)
    assert row.cancelled_at is None
    assert (row.seconds_to_claim, row.seconds_to_resolve) == (30.0, 300.0)


def test_entries_out_of_order_fold_to_the_same_row() -> None:
    expected = request_rows(life_of_one_request())
    for seed in range(20):
        shuffled = life_of_one_request()
        random.Random(seed).shuffle(shuffled)
        assert request_rows(shuffled) == expected


def test_a_step_delivered_twice_counts_once() -> None:
    entries = life_of_one_request()
    [row] = request_rows(entries + [entries[2], entries[1]])
    assert row.released == 1 and row.claimed_by == "Ben"


def test_created_and_claimed_in_the_same_instant_keep_their_order() -> None:
    [row] = request_rows([entry("claimed", 0, staff="Cai"), entry("created", 0)])
    assert row.seconds_to_claim == 0.0 and row.claimed_by == "Cai"


def test_rows_are_ordered_by_creation_whatever_order_entries_come_in() -> None:
    entries = [
        entry("created", 120, rid="late"),
        entry("resolved", 10, rid="early", staff="Ben"),
        entry("created", 0, rid="early"),
        entry("created", 60, rid="middle"),
    ]
    assert [r.request_id for r in request_rows(entries)] == ["early", "middle", "late"]


def test_a_request_created_before_the_range_gets_a_row_from_what_is_there() -> None:
    rows = request_rows(
        [
            entry("resolved", 200, rid="old", staff="Ben", outcome="refunded", ticket="R-004",
                  kind=Kind.RETURN),
            entry("claimed", 100, rid="old", staff="Ben", ticket="R-004", kind=Kind.RETURN),
            entry("created", 150, rid="new"),
        ]
    )  # fmt: skip
    assert [r.request_id for r in rows] == ["old", "new"]  # placed by its earliest entry
    old = rows[0]
    assert (old.ticket, old.kind, old.created_at) == ("R-004", Kind.RETURN, None)
    assert (old.claimed_by, old.resolved_by, old.outcome) == ("Ben", "Ben", "refunded")
    assert old.seconds_to_claim is None and old.seconds_to_resolve is None


def test_a_cancelled_request_has_no_resolve_time_but_keeps_its_outcome() -> None:
    [row] = request_rows([entry("created", 0), entry("cancelled", 600, outcome="nobody could come")])
    assert row.cancelled_at == T0 + timedelta(seconds=600)
    assert (row.resolved_at, row.seconds_to_resolve, row.claimed_by) == (None, None, None)
    assert row.outcome == "nobody could come"


def test_no_entries_give_no_rows() -> None:
    assert request_rows([]) == []


# --- the reports' fold straight from stored records (core/request_fold.py) ----------------


def _fold_from_stored(entries: list[LogEntry]) -> list[Any]:
    from core.request_fold import StepFolder, rows_of
    from core.stamps import Stamps

    folder = StepFolder(Stamps(UTC))
    folder.add_table({str(n): through_json(entry_to_dict(e)) for n, e in enumerate(entries, 1)})
    return list(rows_of(folder.states))


TRICKY = [
    entry("created", 0, seq=1, details={"language": "nl", "item": "soap"}),
    entry("claimed", 20, staff="Anna", seq=2),
    entry("released", 40, staff="Anna", seq=3),
    entry("escalated", 50, details={"level": "2"}, seq=4),
    entry("claimed", 60, staff="Ben", seq=5),
    entry("claimed", 60, staff="Ben", seq=5),  # the same step delivered twice
    entry("cancelled", 70, outcome="gone", seq=6),
    entry("resolved", 80, staff="Ben", outcome="found", seq=7, details={"language": "en"}),
    entry("created", 0, rid="r2", seq=1, details={"language": "zh_Hans"}),
    entry("released", 0, rid="r2", seq=0),  # old records without seq: exact copies count once
    entry("released", 0, rid="r2", seq=0),
    entry("released", 5, rid="r2", seq=0),
    entry("escalated", 9, rid="r2", details={"level": "3"}, seq=9),  # seqs 2..8 never arrived
    entry("resolved", 30, rid="r3", staff="Cai", outcome="done", seq=4000),  # no created step, a large seq
    entry("resolved", 31, rid="r3", staff="Dan", seq=4000),  # the same seq again: the first one read counts
    entry("cancelled", 10, rid="r4", seq=3),
    entry("resolved", 20, rid="r4", staff="Eva", outcome="late", seq=4),
    entry("claimed", 25, rid="r4", staff="Eva", seq=2),
]


@settings(max_examples=60, deadline=None)
@given(st.randoms(use_true_random=False))
def test_the_reports_fold_gives_the_rows_the_log_entries_give_in_any_order(rng: random.Random) -> None:
    steps = list(TRICKY)
    rng.shuffle(steps)
    assert _fold_from_stored(steps) == request_rows(steps)


def test_the_reports_fold_names_the_record_it_cannot_read() -> None:
    from core.request_fold import StepFolder
    from core.stamps import Stamps

    good = through_json(entry_to_dict(entry("created", 0, seq=1)))
    for change, message in [({"at": "2026-11-24T09:61:00Z"}, "at"), ({"seq": -1}, "seq"), ({"kind": "x"}, "kind"),
                            ({"staff": 5}, "staff"), ({"v": 2}, "version")]:  # fmt: skip
        folder = StepFolder(Stamps(UTC))
        with pytest.raises(ValueError, match=f"record 7: .*{message}"):
            folder.add_table({"1": good, "7": {**good, **change}})


@pytest.mark.parametrize(
    "text",
    ["2026-11-24T09:15:02Z", "2026-11-24T09:15:02.250000Z", "2026-11-24T10:15:02+01:00", "2026-11-24T09:15:02.25Z",
     "2026-03-29T00:59:59.999999Z", "2026-03-29T01:00:00Z"],
)  # fmt: skip
def test_stored_timestamps_read_as_microseconds_give_the_same_instant_and_wall_clock(text: str) -> None:
    from zoneinfo import ZoneInfo

    from core.stamps import EPOCH, Stamps

    tz = ZoneInfo("Europe/Amsterdam")
    stamps = Stamps(tz)
    stamps.read("2026-11-24T09:00:00Z", "at")  # the hour cached first: the fast path reads what follows
    micros = stamps.read(text, "at")
    moment = from_iso_utc(text)
    assert micros == (moment - EPOCH) // timedelta(microseconds=1)
    local = moment.astimezone(tz)
    assert stamps.local(micros) == (local.date(), local.weekday(), local.hour, local.minute)
    assert stamps.local_text(micros) == local.strftime("%Y-%m-%d %H:%M:%S")
    assert stamps.utc_text(micros) == moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize("text", ["2026-11-24T09:15:02", "2026-11-24T09:15:0xZ", "2026-11-24T09:15:02.25000xZ", 7])
def test_a_timestamp_that_is_not_one_is_refused_by_the_fast_reader_too(text: object) -> None:
    from core.stamps import Stamps

    stamps = Stamps(UTC)
    stamps.read("2026-11-24T09:00:00Z", "at")
    with pytest.raises(ValueError, match="at"):
        stamps.read(text, "at")


# --- a phone token never reaches the store's record, an export or a report -------------------

TOKEN = "q8Fz0XyL3vN_tR6wK2mPjA"


def kiosk_log_with_a_token() -> list[LogEntry]:
    return [
        entry("created", 0, seq=1, details={"item": "soap", "language": "nl"}, token=TOKEN),
        entry("claimed", 20, staff="Anna", seq=2),
        entry("resolved", 80, staff="Anna", outcome="shown_item", seq=3),
    ]


def test_the_kiosk_keeps_a_created_steps_token_for_its_restart_and_no_other_step_has_one() -> None:
    created, claimed, _resolved = kiosk_log_with_a_token()
    assert entry_to_dict(created)["token"] == TOKEN
    assert entry_from_dict(through_json(entry_to_dict(created))).token == TOKEN
    assert "token" not in entry_to_dict(claimed)
    with pytest.raises(ValueError, match="token: expected a string"):
        entry_from_dict({**entry_to_dict(created), "token": 7})


def test_the_store_record_is_made_from_states_which_never_carry_the_token(tmp_path: Path) -> None:
    from core import wire
    from core.model import Request
    from core.recording import from_message
    from store_server.record import StoreRecord

    request = Request("r1", Kind.HELP, "H-001", "k1", T0, details={"topic": "other"}, changed_at=T0, token=TOKEN)
    payload = wire.encode_request(request)
    assert TOKEN.encode() not in payload
    keep = from_message("s1", wire.state_topic("s1", "k1", "r1"), payload, T0)
    assert keep.record.token == "" and "token" not in entry_to_dict(keep.record)  # type: ignore[union-attr]
    record = StoreRecord(tmp_path / "record")
    try:
        record.store(keep)  # type: ignore[arg-type]
    finally:
        record.close()
    files = [p for p in (tmp_path / "record").rglob("*") if p.is_file()]
    assert files and not [p for p in files if TOKEN.encode() in p.read_bytes()]


def test_an_export_and_a_report_of_a_kiosks_own_files_hold_no_token(tmp_path: Path) -> None:
    import subprocess
    import sys
    import zipfile

    from adapters.tinydb_store import TinyDBEventLog

    with TinyDBEventLog(tmp_path / "kiosk") as log:
        for step in kiosk_log_with_a_token():
            log.append_entry(step)
    assert any(TOKEN.encode() in p.read_bytes() for p in (tmp_path / "kiosk").rglob("*.json")), "the kiosk keeps it"
    root = Path(__file__).resolve().parents[1]
    day = ["--data-dir", str(tmp_path / "kiosk"), "--from", "2026-11-24"]
    for command in (
        ["manager.export", *day, "--format", "csv,jsonl", "--out", str(tmp_path / "export")],
        ["manager.report", *day, "--format", "html,xlsx,csv,jsonl", "--out", str(tmp_path / "report")],
    ):
        done = subprocess.run([sys.executable, "-m", *command], cwd=root, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert TOKEN not in done.stdout + done.stderr
    written = [*(tmp_path / "export").iterdir(), *(tmp_path / "report").iterdir()]
    assert {p.suffix for p in written} >= {".csv", ".jsonl", ".html", ".xlsx"}
    for path in written:
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                raw = b"".join(book.read(name) for name in book.namelist())
        else:
            raw = path.read_bytes()
        if path.name.startswith("requests-"):
            assert b"soap" in raw, f"{path.name}: the request is there"
        assert TOKEN.encode() not in raw, path.name
