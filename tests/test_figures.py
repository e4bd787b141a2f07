"""core/figures.compute on hand-made requests and feedback, checked against values worked out here."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from adapters.tinydb_store import TinyDBEventLog
from core.figures import compute, percentile
from core.model import Feedback, Kind, LogEntry, Search
from core.records import request_rows
from manager.record import Record
from shell.ports import StoreError

TZ = ZoneInfo("Europe/Amsterdam")
DAY = date(2026, 11, 24)  # a Tuesday; Amsterdam is UTC+1 in November
T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # 10:00 in the store
TARGETS = {Kind.FIND: 60, Kind.RETURN: 120, Kind.HELP: 60}
NOW = T0 + timedelta(hours=6)


def life(
    rid: str,
    kind: Kind,
    start: float,
    claim: float | None = None,
    resolve: float | None = None,
    cancel: float | None = None,
    language: str = "nl",
    staff: str = "Anna",
    level: int = 0,
) -> list[LogEntry]:
    at = T0 + timedelta(seconds=start)
    steps = [LogEntry(rid, "T", kind, "k1", "created", at, details={"language": language, "item": "soap"}, seq=1)]
    seq = 1
    if level:
        seq += 1
        steps.append(
            LogEntry(
                rid, "T", kind, "k1", "escalated", at + timedelta(seconds=1), details={"level": str(level)}, seq=seq
            )
        )
    for event, offset in (("claimed", claim), ("resolved", resolve), ("cancelled", cancel)):
        if offset is not None:
            seq += 1
            steps.append(LogEntry(rid, "T", kind, "k1", event, at + timedelta(seconds=offset), staff=staff, seq=seq))
    return steps


WAITS = [10, 30, 50, 70, 90, 200, 400]  # seconds to claim of seven find requests


def entries() -> list[LogEntry]:
    found = []
    for n, wait in enumerate(WAITS):
        found += life(f"f{n}", Kind.FIND, n * 600, claim=wait, resolve=wait + 100, staff="Anna" if n % 2 else "Ben")
    found += life("r1", Kind.RETURN, 100, claim=110, language="en")  # within its 120 s target
    found += life("h1", Kind.HELP, 200, cancel=30, language="en")  # abandoned before the target: not due
    found += life("h2", Kind.HELP, 300, cancel=500, language="en", level=3)  # abandoned after it: due, missed
    found += life("h3", Kind.HELP, 5 * 3600 + 3590)  # open, 10 s old at NOW: not due yet
    return found


def figures(rows=None, feedback=(), searches=(), per_associate=False, first=DAY, last=DAY):  # type: ignore[no-untyped-def]
    return compute(
        rows if rows is not None else request_rows(entries()), feedback, searches, tz=TZ, first=first, last=last,
        targets=TARGETS, per_associate=per_associate, retention_cutoff=DAY, store="s1", store_name="Store", now=NOW,
    )  # fmt: skip


def nearest_rank(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(p / 100 * len(ordered)) - 1]


def test_percentiles_are_nearest_rank() -> None:
    f = figures()
    find = f.kinds[0]
    assert find.time_to_claim.count == 7
    assert find.time_to_claim.p50 == nearest_rank(WAITS, 50) == 70
    assert find.time_to_claim.p90 == nearest_rank(WAITS, 90) == 400
    assert find.time_to_claim.max == 400
    assert percentile([], 50) is None and percentile([5.0], 90) == 5.0


def test_service_level_counts_only_requests_due() -> None:
    f = figures()
    find, ret, help_ = f.kinds
    assert (find.due, find.within_target, find.service_level) == (7, 3, 100 * 3 / 7)
    assert (ret.due, ret.within_target) == (1, 1)
    assert (help_.requests, help_.due, help_.within_target, help_.service_level) == (3, 1, 0, 0.0)
    assert (help_.abandoned, help_.unclaimed, help_.service_desk) == (2, 1, 1)
    assert f.total.requests == 11 and f.total.claimed + f.total.unclaimed + f.total.abandoned == 11


def test_heat_maps_and_volume_are_in_store_time() -> None:
    f = figures()
    assert sum(f.volume_by_hour) == 11 and f.volume_by_weekday[1] == 11  # Tuesday
    # 10:00–10:59 store time: f0..f5 (every 10 minutes from 10:00), r1, h1, h2; f6 at 11:00; h3 at 15:59
    assert (f.volume_by_hour[10], f.volume_by_hour[11], f.volume_by_hour[15]) == (9, 1, 1)
    assert f.heat_volume.counts[1][10] == 9 and f.heat_volume.values[1][10] == 9.0
    assert f.heat_service_level.counts[1][10] == 8  # h1 was not due
    assert f.heat_service_level.values[1][10] == 100 * 4 / 8  # f0, f1, f2 and r1 in time
    assert f.heat_service_level.values[0][10] is None  # nothing on a Monday


def test_satisfaction_index_and_join() -> None:
    rows = request_rows(entries())
    feedback = [
        Feedback("a", "k1", 4, T0, request_id="f0"),  # helped, under 1 min
        Feedback("b", "k1", 1, T0, request_id="h2", comment="nobody came"),  # not helped
        Feedback("c", "k1", 3, T0, request_id="f6", reasons=("slow",)),  # helped, over 5 min
        Feedback("d", "k1", 2, T0, reasons=("slow", "rude")),  # unjoined
        Feedback("e", "k1", 4, T0 - timedelta(days=2)),  # outside the range
    ]
    f = figures(rows, feedback, per_associate=True)
    assert f.satisfaction.overall.counts == (1, 1, 1, 1)
    assert f.satisfaction.overall.index == 100 * (3 + 2 + 1 + 0) / (3 * 4)
    assert f.satisfaction.reasons == (("slow", 2), ("rude", 1))
    assert (f.joined.joined, f.joined.unjoined) == (3, 1)
    assert f.joined.helped.satisfaction.counts == (0, 0, 1, 1)
    assert f.joined.not_helped.satisfaction.counts == (1, 0, 0, 0)
    bands = {g.label: g.satisfaction.responses for g in f.joined.by_claim_band}
    assert bands == {"under 1 min": 1, "1–3 min": 0, "3–5 min": 0, "over 5 min": 1, "never": 1}
    assert [c[2] for c in f.satisfaction.comments] == ["nobody came"]
    assert f.joined.by_associate is not None


def test_per_associate_is_off_by_default() -> None:
    f = figures()
    assert f.associates is None and f.joined.by_associate is None
    on = figures(per_associate=True)
    by_name = {a.name: a for a in on.associates or ()}
    assert by_name["Anna"].claims == 4 and by_name["Ben"].claims == 4  # Anna: f1, f3, f5 and r1
    assert by_name["Anna"].median_claim == nearest_rank([30, 70, 200, 110], 50)
    assert by_name["Anna"].resolves == 3 and by_name["Ben"].resolves == 4


def test_equal_service_flags_groups_waiting_over_ten_percent_longer() -> None:
    f = figures()
    claims = sorted([*WAITS, 110])
    overall = nearest_rank(claims, 50)
    assert f.equal_service.overall_median == overall
    by_language = {g.label: g for g in f.equal_service.by_language}
    assert by_language["en"].median_claim == 110
    assert not by_language["en"].flagged  # slower, but one claim is no pattern
    assert by_language["nl"].median_claim == nearest_rank(WAITS, 50)


def test_a_group_is_flagged_on_twenty_claims_or_more() -> None:
    fast_nl = [s for n in range(30) for s in life(f"n{n}", Kind.FIND, 4000 + n * 30, claim=40)]
    slow_en = [s for n in range(20) for s in life(f"e{n}", Kind.RETURN, 5000 + n * 30, claim=150, language="en")]
    few_zh = [s for n in range(3) for s in life(f"z{n}", Kind.HELP, 6000 + n * 30, claim=300, language="zh_Hans")]
    f = figures(request_rows(entries() + fast_nl + slow_en + few_zh))
    claims = [*WAITS, *[40] * 30, 110, *[150] * 20, *[300] * 3]
    overall = nearest_rank(claims, 50)
    assert f.equal_service.overall_median == overall == 40
    by_language = {g.label: g for g in f.equal_service.by_language}
    assert by_language["en"].median_claim == 150 and by_language["en"].flagged  # 21 claims, 150 > 1.1 × 40
    assert by_language["zh_Hans"].median_claim == 300 and not by_language["zh_Hans"].flagged  # only 3 claims
    assert not by_language["nl"].flagged


def test_gaps_count_requests_missing_a_seq_and_old_records_are_not_gaps() -> None:
    steps = life("g", Kind.FIND, 0, claim=10, resolve=20)
    old = [LogEntry("o", "T", Kind.FIND, "k1", "created", T0), LogEntry("o", "T", Kind.FIND, "k1", "claimed", T0)]
    rows = request_rows([steps[0], steps[2], *old])  # seq 2 never arrived
    assert figures(rows).gaps == 1


def test_the_same_step_twice_counts_once() -> None:
    steps = entries()
    assert request_rows(steps + steps[:5]) == request_rows(steps)


def test_lost_demand_ranks_normalised_terms() -> None:
    searches = [Search(f"s{n}", "k1", T0, term, results) for n, (term, results) in
                enumerate([("Oat  milk", 0), ("oat milk", 0), ("glue", 0), ("soap", 4)])]  # fmt: skip
    searches.append(Search("x", "k1", T0, "soap", 2, out_of_stock=("1 Soap",)))
    lost = figures(searches=searches).lost_demand
    assert [(r.term, r.count) for r in lost.not_found] == [("oat milk", 2), ("glue", 1)]
    assert [(r.term, r.count) for r in lost.out_of_stock] == [("1 Soap", 1)] and lost.searches == 5


def test_periods_of_a_day_run_from_the_first_to_the_last_half_hour_with_traffic() -> None:
    [day] = figures().days
    assert day.periods[0].start == datetime(2026, 11, 24, 10, 0, tzinfo=TZ)
    assert day.periods[0].arrived == 6  # f0, f1, f2, r1, h1, h2
    assert day.periods[0].claimed == 4 and day.periods[0].above_target == 1  # h2: due, never claimed
    assert day.periods[0].max_wait == 500  # h2 waited until it was cancelled
    assert day.periods[-1].start == datetime(2026, 11, 24, 15, 30, tzinfo=TZ)  # h3


def _written_record(tmp_path: Path) -> tuple[Path, list[LogEntry], list[Feedback], list[Search]]:
    """A fortnight around DAY written through the store's writer, the same feedback twice as a retried write does."""
    steps = entries() + [e for n, e in enumerate(entries()) if n % 3 == 0]  # some steps delivered again
    for day in range(-6, 8, 3):
        steps += [replace(e, request_id=f"{e.request_id}-{day}", at=e.at + timedelta(days=day)) for e in entries()]
    feedback = [Feedback(f"fb{n}", "k1", n % 4 + 1, T0 + timedelta(hours=n * 7), reasons=("slow",) * (n % 2),
                         comment="late" if n % 3 else "", request_id="f0" if n % 5 else "")
                for n in range(-30, 40)]  # fmt: skip
    searches = [Search(f"s{n}", "k1", T0 + timedelta(hours=n * 5), "Oat  Milk" if n % 2 else "glue", n % 3,
                       ("100 soap",) * (n % 4 == 0)) for n in range(-20, 30)]  # fmt: skip
    data_dir = tmp_path / "record"
    with TinyDBEventLog(data_dir) as log:
        for step in steps:
            log.append_entry(step)
        for item in [*feedback, *feedback[::4]]:
            log.append_feedback(item)
        for search in searches:
            log.append_search(search)
    return data_dir, steps, feedback, searches


@pytest.mark.parametrize("first,last", [(DAY, DAY), (DAY - timedelta(days=5), DAY + timedelta(days=5))])
@pytest.mark.parametrize("rows_too", [True, False])
def test_the_records_one_pass_gives_the_figures_compute_gives(
    tmp_path: Path, first: date, last: date, rows_too: bool
) -> None:
    data_dir, steps, feedback, searches = _written_record(tmp_path)
    record = Record(data_dir, TZ, first, last, rows_too=rows_too)  # over a week: feedback read by a second process
    for per_associate in (False, True):
        fast = record.figures(targets=TARGETS, per_associate=per_associate, retention_cutoff=DAY, store="s1",
                              store_name="Store", now=NOW)  # fmt: skip
        rows = [r for r in request_rows(steps) if first <= r.created_at.astimezone(TZ).date() <= last]  # type: ignore[union-attr]
        assert fast == figures(rows, feedback, searches, per_associate=per_associate, first=first, last=last)
    assert fast.satisfaction.overall.responses == sum(
        first <= f.given_at.astimezone(TZ).date() <= last for f in feedback
    )


def test_a_record_the_figures_cannot_read_is_named_with_its_file(tmp_path: Path) -> None:
    data_dir, *_ = _written_record(tmp_path)
    for kind, field, table in (("feedback", "rating", "feedback"), ("searches", "results", "searches"),
                               ("requests", "at", "entries")):  # fmt: skip
        path = sorted((data_dir / kind).glob("*.json"))[0]
        original = path.read_text()
        data = json.loads(original)
        doc_id = next(iter(data[table]))
        data[table][doc_id][field] = "x"
        path.write_text(json.dumps(data))
        record = Record(data_dir, TZ, DAY - timedelta(days=10), DAY + timedelta(days=10))
        with pytest.raises(StoreError, match=f"{path.name}: record {doc_id}: .*{field}"):
            record.figures(targets=TARGETS, per_associate=False, retention_cutoff=None, store="s1",
                           store_name="Store", now=NOW)  # fmt: skip
        path.write_text(original)
