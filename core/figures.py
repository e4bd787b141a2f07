"""The figures a manager reads: counts, waits, service level, satisfaction, lost demand.

Pure: standard library only, no I/O, no clock (`now` is passed in). Everything
here is computed from the folded request rows (core/records.RequestRow), the
feedback and the searches of a range of store-local days; the renderers
(manager/report_html.py, manager/report_xlsx.py) only lay these values out.
Times are seconds, percentages 0–100, None where nothing to compute. Shapes:
core/figure_values.py; definitions: core/figure_definitions.py (named here).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta, tzinfo

from core.figure_definitions import DEFINITIONS
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
from core.records import RequestRow

__all__ = [
    "DEFINITIONS",
    "Associate",
    "DayPeriods",
    "EqualService",
    "FaceCounts",
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
    "compute",
]

CLAIM_BANDS = ("under 1 min", "1–3 min", "3–5 min", "over 5 min", "never")
LANGUAGE_UNKNOWN = "unknown"
FLAG_RATIO = 1.10  # a group waits more than 10 % longer than everyone at the median
_KINDS = (Kind.FIND, Kind.RETURN, Kind.HELP)
_HALF_HOUR = 1800


def percentile(sorted_values: Sequence[float], p: float) -> float | None:
    """Nearest rank: the smallest value that at least p % of the values do not exceed."""
    if not sorted_values:
        return None
    rank = max(1, -(-len(sorted_values) * p // 100))  # ceil without floats going astray
    return sorted_values[int(rank) - 1]


def percentiles(values: Iterable[float]) -> Percentiles:
    ordered = sorted(values)
    if not ordered:
        return Percentiles(0, None, None, None)
    return Percentiles(len(ordered), percentile(ordered, 50), percentile(ordered, 90), ordered[-1])


def median(values: Iterable[float]) -> float | None:
    return percentile(sorted(values), 50)


def face_counts(counts: Sequence[int]) -> FaceCounts:
    """FaceCounts from the numbers of faces 1..4; index = 100·Σ wᵢnᵢ / 3N, w = face − 1."""
    total = sum(counts)
    index = 100 * sum(n * w for w, n in enumerate(counts)) / (3 * total) if total else None
    return FaceCounts((counts[0], counts[1], counts[2], counts[3]), total, index)


def normalise_term(term: str) -> str:
    return " ".join(term.casefold().split())


def claim_band(seconds: float | None) -> str:
    if seconds is None:
        return CLAIM_BANDS[4]
    if seconds < 60:
        return CLAIM_BANDS[0]
    if seconds < 180:
        return CLAIM_BANDS[1]
    if seconds < 300:
        return CLAIM_BANDS[2]
    return CLAIM_BANDS[3]


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


def _service(row: RequestRow, target: int, now: datetime) -> tuple[bool, bool, float]:
    """(due, within target, wait so far) of a created request; see DEFINITIONS["service_level"]."""
    created = row.created_at
    assert created is not None
    if row.seconds_to_claim is not None:
        return True, row.seconds_to_claim <= target, row.seconds_to_claim
    end = row.cancelled_at or row.resolved_at or now
    waited = max(0.0, (end - created).total_seconds())
    return waited >= target, False, waited


class _Tally:
    """The counts behind one KindFigures."""

    __slots__ = ("requests", "claimed", "abandoned", "service_desk", "claims", "resolves", "due", "within")

    def __init__(self) -> None:
        self.requests = self.claimed = self.abandoned = self.service_desk = self.due = self.within = 0
        self.claims: list[float] = []
        self.resolves: list[float] = []

    def add(self, row: RequestRow, due: bool, within: bool) -> None:
        self.requests += 1
        if row.claimed_at is not None:
            self.claimed += 1
            if row.seconds_to_claim is not None:
                self.claims.append(row.seconds_to_claim)
        elif row.abandoned:
            self.abandoned += 1
        self.service_desk += row.service_desk
        if row.seconds_to_resolve is not None:
            self.resolves.append(row.seconds_to_resolve)
        self.due += due
        self.within += within

    def figures(self, kind: Kind | None, target: int) -> KindFigures:
        return KindFigures(
            kind=kind,
            requests=self.requests,
            claimed=self.claimed,
            unclaimed=self.requests - self.claimed - self.abandoned,
            abandoned=self.abandoned,
            service_desk=self.service_desk,
            time_to_claim=percentiles(self.claims),
            time_to_resolve=percentiles(self.resolves),
            target_seconds=target,
            within_target=self.within,
            service_level=100 * self.within / self.due if self.due else None,
            due=self.due,
        )


def _wait_groups(groups: Mapping[str, list[RequestRow]], overall: float | None) -> tuple[WaitGroup, ...]:
    result = []
    for label in sorted(groups):
        rows = groups[label]
        middle = median(r.seconds_to_claim for r in rows if r.seconds_to_claim is not None)
        flagged = middle is not None and overall is not None and middle > FLAG_RATIO * overall
        result.append(WaitGroup(label, len(rows), middle, flagged))
    return tuple(result)


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
    wall = WallClock(tz)
    total, kinds = _Tally(), {kind: _Tally() for kind in _KINDS}
    by_hour, by_weekday = [0] * 24, [0] * 7
    heat_volume = [[0] * 24 for _ in range(7)]
    heat_due, heat_within = [[0] * 24 for _ in range(7)], [[0] * 24 for _ in range(7)]
    period_days = {first + timedelta(days=n) for n in range((last - first).days + 1)}
    if len(period_days) > 7:
        period_days = {last}
    periods: dict[tuple[date, int], list[float | int]] = {}  # (day, half hour) → arrived, claimed, above, max wait
    by_id: dict[str, RequestRow] = {}
    by_language: dict[str, list[RequestRow]] = {}
    by_kind_rows: dict[str, list[RequestRow]] = {}
    staff: dict[str, list[float | int]] = {}  # name → [claims, resolves, *times to claim]
    claims_by_staff: dict[str, list[float]] = {}
    gaps = 0
    for row in rows:
        gaps += row.missing_steps > 0
        if row.created_at is None:
            continue
        local = wall(row.created_at)
        day = local.date()
        if not first <= day <= last:
            continue
        target = targets.get(row.kind, 60)
        due, within, waited = _service(row, target, now)
        total.add(row, due, within)
        kinds[row.kind].add(row, due, within)
        weekday, hour = local.weekday(), local.hour
        by_hour[hour] += 1
        by_weekday[weekday] += 1
        heat_volume[weekday][hour] += 1
        heat_due[weekday][hour] += due
        heat_within[weekday][hour] += within
        if day in period_days:
            cell = periods.setdefault((day, (hour * 60 + local.minute) // 30), [0, 0, 0, -1.0])
            cell[0] += 1
            cell[1] += row.claimed_at is not None
            cell[2] += due and not within
            cell[3] = max(cell[3], waited)
        by_id[row.request_id] = row
        by_language.setdefault(row.language or LANGUAGE_UNKNOWN, []).append(row)
        by_kind_rows.setdefault(row.kind.value, []).append(row)
        if per_associate:
            if row.claimed_by is not None and row.seconds_to_claim is not None:
                claims_by_staff.setdefault(row.claimed_by, []).append(row.seconds_to_claim)
            if row.resolved_by is not None:
                staff.setdefault(row.resolved_by, [0])[0] += 1
    satisfaction, joined = _feedback(feedback, wall, tz, first, last, retention_cutoff, by_id, per_associate)
    overall = median(s for s in (r.seconds_to_claim for r in by_id.values()) if s is not None)
    associates = None
    if per_associate:
        names = sorted(set(staff) | set(claims_by_staff))
        associates = tuple(
            Associate(name, len(claims_by_staff.get(name, [])), median(claims_by_staff.get(name, [])),
                      int(staff.get(name, [0])[0]))
            for name in names
        )  # fmt: skip
    return Figures(
        store=store,
        store_name=store_name,
        first=first,
        last=last,
        timezone=str(tz),
        generated_at=now.astimezone(tz),
        total=total.figures(None, max(targets.values(), default=60)),
        kinds=tuple(kinds[kind].figures(kind, targets.get(kind, 60)) for kind in _KINDS),
        volume_by_hour=tuple(by_hour),
        volume_by_weekday=tuple(by_weekday),
        days=tuple(_day_periods(day, periods, tz) for day in sorted(period_days)),
        heat_volume=HeatMap(
            tuple(tuple(float(n) for n in line) for line in heat_volume), tuple(tuple(line) for line in heat_volume)
        ),
        heat_service_level=HeatMap(
            tuple(
                tuple(100 * w / d if d else None for w, d in zip(wl, dl, strict=True))
                for wl, dl in zip(heat_within, heat_due, strict=True)
            ),
            tuple(tuple(line) for line in heat_due),
        ),
        satisfaction=satisfaction,
        joined=joined,
        lost_demand=_lost_demand(searches, wall, first, last),
        equal_service=EqualService(overall, _wait_groups(by_language, overall), _wait_groups(by_kind_rows, overall)),
        associates=associates,
        gaps=gaps,
    )


def _day_periods(day: date, periods: Mapping[tuple[date, int], list[float | int]], tz: tzinfo) -> DayPeriods:
    used = sorted(half for d, half in periods if d == day)
    if not used:
        return DayPeriods(day, ())
    rows = []
    for half in range(used[0], used[-1] + 1):
        arrived, claimed, above, longest = periods.get((day, half), (0, 0, 0, -1.0))
        start = datetime.combine(day, time(half // 2, 30 * (half % 2)), tzinfo=tz)
        rows.append(Period(start, int(arrived), int(claimed), int(above), float(longest) if longest >= 0 else None))
    return DayPeriods(day, tuple(rows))


def _feedback(
    feedback: Iterable[Feedback],
    wall: WallClock,
    tz: tzinfo,
    first: date,
    last: date,
    retention_cutoff: date | None,
    by_id: Mapping[str, RequestRow],
    per_associate: bool,
) -> tuple[Satisfaction, Joined]:
    overall = [0, 0, 0, 0]
    by_day: dict[date, list[int]] = {}
    by_hour = [[0, 0, 0, 0] for _ in range(24)]
    reasons: Counter[str] = Counter()
    comments = []
    joined_counts: dict[tuple[str, str], list[int]] = {}  # (what, label) → faces
    joined = unjoined = 0
    for item in feedback:
        local = wall(item.given_at)
        day = local.date()
        if not first <= day <= last:
            continue
        face = item.rating - 1
        overall[face] += 1
        counts = by_day.get(day)
        if counts is None:
            by_day[day] = counts = [0, 0, 0, 0]
        counts[face] += 1
        by_hour[local.hour][face] += 1
        if item.reasons:
            reasons.update(item.reasons)
        if item.comment and (retention_cutoff is None or day >= retention_cutoff):
            comments.append((item.rating, local.replace(tzinfo=None).replace(tzinfo=tz), item.comment))
        row = by_id.get(item.request_id) if item.request_id else None
        if row is None:
            unjoined += 1
            continue
        joined += 1
        labels = [("helped", "helped" if row.claimed_at is not None else "not helped"),
                  ("band", claim_band(row.seconds_to_claim)), ("kind", row.kind.value)]  # fmt: skip
        if per_associate and row.claimed_by is not None:
            labels.append(("associate", row.claimed_by))
        for key in labels:
            group = joined_counts.get(key)
            if group is None:
                joined_counts[key] = group = [0, 0, 0, 0]
            group[face] += 1

    def group(what: str, label: str) -> Group:
        return Group(label, face_counts(joined_counts.get((what, label), (0, 0, 0, 0))))

    comments.sort(key=lambda c: (c[0], c[1]))
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    satisfaction = Satisfaction(
        overall=face_counts(overall),
        by_day=tuple((day, face_counts(by_day.get(day, (0, 0, 0, 0)))) for day in days),
        by_hour=tuple((hour, face_counts(by_hour[hour])) for hour in range(24)),
        reasons=tuple(sorted(reasons.items(), key=lambda pair: (-pair[1], pair[0]))),
        comments=tuple(comments),
    )
    associates = sorted(label for what, label in joined_counts if what == "associate")
    return satisfaction, Joined(
        joined=joined,
        unjoined=unjoined,
        helped=group("helped", "helped"),
        not_helped=group("helped", "not helped"),
        by_claim_band=tuple(group("band", band) for band in CLAIM_BANDS),
        by_kind=tuple(group("kind", kind.value) for kind in _KINDS),
        by_associate=tuple(group("associate", name) for name in associates) if per_associate else None,
    )


def _lost_demand(searches: Iterable[Search], wall: WallClock, first: date, last: date) -> LostDemand:
    not_found: Counter[str] = Counter()
    out_of_stock: Counter[str] = Counter()
    count = 0
    for search in searches:
        if not first <= wall(search.at).date() <= last:
            continue
        count += 1
        if search.results == 0:
            term = normalise_term(search.term)
            if term:
                not_found[term] += 1
        out_of_stock.update(search.out_of_stock)

    def ranked(counter: Counter[str]) -> tuple[Ranked, ...]:
        return tuple(Ranked(term, n) for term, n in sorted(counter.items(), key=lambda pair: (-pair[1], pair[0])))

    return LostDemand(ranked(not_found), ranked(out_of_stock), count)
