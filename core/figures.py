"""The figures a manager reads: counts, waits, service level, satisfaction, lost demand.

Pure: standard library only, no I/O, no clock (`now` is passed in). The
figures of a range of store-local days are counted by core/figure_tally.py
(the one computation); `compute` here feeds it folded request rows
(core/records.RequestRow), Feedback and Search objects, and manager/record.py
feeds it the record's files as they are read. The renderers
(manager/report_html.py, manager/report_xlsx.py) only lay these values out.
Times are seconds, percentages 0–100, None where nothing to compute. Shapes:
core/figure_values.py; definitions: core/figure_definitions.py (named here).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta, tzinfo

from core.figure_definitions import DEFINITIONS
from core.figure_math import (
    CLAIM_BANDS,
    FLAG_RATIO,
    LANGUAGE_UNKNOWN,
    claim_band,
    face_counts,
    median,
    normalise_term,
    percentile,
    percentiles,
    service_numbers,
)
from core.figure_tally import FigureTally
from core.figure_values import (
    Associate,
    DayPeriods,
    EqualService,
    FaceCounts,
    Figures,
    Group,
    HeatMap,
    Joined,
    KindFigures,
    LostDemand,
    Percentiles,
    Period,
    Ranked,
    Satisfaction,
    WaitGroup,
)
from core.model import Feedback, Kind, Search
from core.records import RequestRow, feedback_to_dict, search_to_dict
from core.stamps import Stamps, micros_of

__all__ = [
    "CLAIM_BANDS",
    "DEFINITIONS",
    "FLAG_RATIO",
    "LANGUAGE_UNKNOWN",
    "Associate",
    "DayPeriods",
    "EqualService",
    "FaceCounts",
    "FigureTally",
    "Figures",
    "Group",
    "HeatMap",
    "Joined",
    "KindFigures",
    "LostDemand",
    "Percentiles",
    "Period",
    "Ranked",
    "Satisfaction",
    "WaitGroup",
    "WallClock",
    "claim_band",
    "compute",
    "face_counts",
    "median",
    "normalise_term",
    "percentile",
    "percentiles",
    "service_verdict",
]


class WallClock:
    """UTC instants to the store's wall-clock time, one zone lookup per UTC hour (zones change
    their offset on the hour in UTC): a year of feedback is 365,000 lookups otherwise.

    Returns the instant shifted by the store's offset: its date, hour, minute
    and weekday are the store's; its tzinfo (UTC) is not to be read.
    """

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz
        self._offsets: dict[tuple[int, int, int, int], timedelta] = {}

    def __call__(self, moment: datetime) -> datetime:
        key = (moment.year, moment.month, moment.day, moment.hour)
        offset = self._offsets.get(key)
        if offset is None:
            offset = self._offsets[key] = moment.astimezone(self.tz).utcoffset() or timedelta(0)
        return moment + offset


def service_verdict(row: RequestRow, target: int, now: datetime) -> tuple[bool, bool, float]:
    """(due, within target, wait so far) of a request whose asking is in the record (`created_at`):
    the service level's one rule, for the report and the live figures; see DEFINITIONS["service_level"]."""
    created = micros_of(row.created_at)
    if created is None:
        raise ValueError(f"request {row.request_id}: no created step, so no wait to judge")
    ended = micros_of(row.cancelled_at or row.resolved_at)
    return service_numbers(created, micros_of(row.claimed_at), ended, target, micros_of(now) or 0)


def compute(
    rows: Iterable[RequestRow],
    feedback: Iterable[Feedback],
    searches: Iterable[Search],
    *,
    tz: tzinfo,
    first: date,
    last: date,
    targets: Mapping[Kind, int],
    per_associate: bool,
    retention_cutoff: date | None,
    store: str,
    store_name: str,
    now: datetime,
) -> Figures:
    """The figures of the store-local days [first, last].

    `rows`: folded requests (others than those created in the range count only
    towards `gaps`); `feedback` and `searches` are read once, as they stream,
    and those outside the range are skipped; feedback is expected unique by id.
    Comments from days before `retention_cutoff` are left out.
    """
    tally = FigureTally(Stamps(tz), first, last, targets, per_associate, retention_cutoff, micros_of(now) or 0)
    for row in rows:
        tally.gaps += row.missing_steps > 0
        created = micros_of(row.created_at)
        if created is not None:
            tally.add_request(
                row.request_id, row.kind, created, micros_of(row.claimed_at), row.claimed_by,
                micros_of(row.resolved_at), row.resolved_by, micros_of(row.cancelled_at), row.escalation,
                row.service_desk, row.language,
            )  # fmt: skip
    tally.feedback_table({str(n): feedback_to_dict(item) for n, item in enumerate(feedback, 1)})
    tally.search_table({str(n): search_to_dict(item) for n, item in enumerate(searches, 1)})
    return tally.figures(store=store, store_name=store_name, now=now)
