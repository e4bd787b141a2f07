"""The shape of a report's figures: frozen dataclasses the renderers lay out.

Pure: standard library only. Made by core/figures.compute, which also names
them for the renderers (import them from core.figures).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from core.model import Kind


@dataclass(frozen=True)
class Percentiles:
    count: int
    p50: float | None
    p90: float | None
    max: float | None


@dataclass(frozen=True)
class KindFigures:
    kind: Kind | None  # None: all types together
    requests: int
    claimed: int
    unclaimed: int
    abandoned: int
    service_desk: int
    time_to_claim: Percentiles
    time_to_resolve: Percentiles
    target_seconds: int
    within_target: int
    service_level: float | None
    due: int = 0  # the service level's denominator (see DEFINITIONS["service_level"])


@dataclass(frozen=True)
class Period:
    start: datetime  # local, aware; the period runs 30 minutes from here
    arrived: int
    claimed: int
    above_target: int
    max_wait: float | None


@dataclass(frozen=True)
class DayPeriods:
    day: date
    periods: tuple[Period, ...]  # from the first to the last period with traffic


@dataclass(frozen=True)
class HeatMap:
    values: tuple[tuple[float | None, ...], ...]  # 7 rows Monday..Sunday × 24 columns hour 0..23
    counts: tuple[tuple[int, ...], ...]  # the requests behind each cell


@dataclass(frozen=True)
class FaceCounts:
    counts: tuple[int, int, int, int]  # faces 1 very unhappy … 4 very happy
    responses: int
    index: float | None  # 100·Σ wᵢnᵢ / 3N, w = 0, 1, 2, 3 for faces 1..4


@dataclass(frozen=True)
class Satisfaction:
    overall: FaceCounts
    by_day: tuple[tuple[date, FaceCounts], ...]
    by_hour: tuple[tuple[int, FaceCounts], ...]  # 24 entries, local hour of day
    reasons: tuple[tuple[str, int], ...]  # ranked, most first
    comments: tuple[tuple[int, datetime, str], ...]  # (face, local time, comment), by face then time


@dataclass(frozen=True)
class Group:
    label: str
    satisfaction: FaceCounts


@dataclass(frozen=True)
class Joined:
    joined: int
    unjoined: int
    helped: Group  # joined feedback whose request was claimed
    not_helped: Group  # joined feedback whose request was not
    by_claim_band: tuple[Group, ...]  # "under 1 min", "1–3 min", "3–5 min", "over 5 min", "never"
    by_kind: tuple[Group, ...]
    by_associate: tuple[Group, ...] | None  # only with per_associate


@dataclass(frozen=True)
class Ranked:
    term: str
    count: int


@dataclass(frozen=True)
class LostDemand:
    not_found: tuple[Ranked, ...]
    out_of_stock: tuple[Ranked, ...]
    searches: int


@dataclass(frozen=True)
class WaitGroup:
    label: str
    requests: int
    median_claim: float | None
    flagged: bool  # median > 1.10 × the overall median


@dataclass(frozen=True)
class EqualService:
    overall_median: float | None
    by_language: tuple[WaitGroup, ...]
    by_kind: tuple[WaitGroup, ...]


@dataclass(frozen=True)
class Associate:
    name: str
    claims: int
    median_claim: float | None
    resolves: int


@dataclass(frozen=True)
class Figures:
    store: str
    store_name: str
    first: date
    last: date
    timezone: str
    generated_at: datetime
    total: KindFigures
    kinds: tuple[KindFigures, ...]  # find, return, help
    volume_by_hour: tuple[int, ...]  # 24
    volume_by_weekday: tuple[int, ...]  # 7, Monday first
    days: tuple[DayPeriods, ...]  # each day of a range of at most 7 days, else the last day
    heat_volume: HeatMap
    heat_service_level: HeatMap
    satisfaction: Satisfaction
    joined: Joined
    lost_demand: LostDemand
    equal_service: EqualService
    associates: tuple[Associate, ...] | None
    gaps: int  # requests whose record misses steps (a seq never received): counted, not guessed
