"""Figures for the report's tests, made by hand: every field filled, shopper text hostile where it can be.

The renderers only lay figures out, so their tests build the figures here
directly (a month of a busy store's shape, seeded) instead of computing them.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from core.figures import (
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
from core.model import Kind

ZONE = ZoneInfo("Europe/Amsterdam")
HOSTILE = (
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "</svg><b>bold</b>",
    '=HYPERLINK("http://evil.example","click")',
    "+1 555 0100",
    "-2+3",
    "@SUM(A1:A2)",
    "\tTabbed",
    "\rCarriage",
)


def faces(counts: tuple[int, int, int, int]) -> FaceCounts:
    responses = sum(counts)
    index = None if responses == 0 else 100 * sum(i * n for i, n in enumerate(counts)) / (3 * responses)
    return FaceCounts(counts, responses, index)


def kind_figures(kind: Kind | None, requests: int, rng: random.Random) -> KindFigures:
    claimed = round(requests * 0.93)
    within = round(claimed * rng.uniform(0.6, 0.9))
    p50 = rng.uniform(30, 70)
    return KindFigures(
        kind=kind,
        requests=requests,
        claimed=claimed,
        unclaimed=requests - claimed,
        abandoned=round(requests * 0.03),
        service_desk=round(requests * 0.02),
        time_to_claim=Percentiles(claimed, p50, p50 * 2.6, p50 * 9),
        time_to_resolve=Percentiles(claimed, p50 * 6, p50 * 14, p50 * 40),
        target_seconds=60,
        within_target=within,
        service_level=100 * within / requests if requests else None,
        due=requests,
    )


def month(*, associates: bool = True, seed: int = 12) -> Figures:
    """November 2026 at a busy store, with hostile shopper text in comments, terms, reasons and names."""
    rng = random.Random(seed)
    first, last = date(2026, 11, 1), date(2026, 11, 30)
    shape = [0] * 8 + [4, 9, 14, 18, 22, 20, 17, 19, 24, 26, 21, 12, 6] + [0] * 3
    volume = tuple(
        tuple(round(shape[h] * (1.6 if d == 5 else 1.0) * rng.uniform(0.7, 1.3)) for h in range(24)) for d in range(7)
    )
    level = tuple(
        tuple(
            None if volume[d][h] == 0 else max(0.0, min(100.0, 95 - volume[d][h] * rng.uniform(1.0, 2.6)))
            for h in range(24)
        )
        for d in range(7)
    )
    kinds = tuple(kind_figures(k, n, rng) for k, n in ((Kind.FIND, 4300), (Kind.RETURN, 2100), (Kind.HELP, 2600)))
    total = kind_figures(None, 9000, rng)
    day = last
    periods = tuple(
        Period(
            datetime(day.year, day.month, day.day, 8 + i // 2, 30 * (i % 2), tzinfo=ZONE),
            n,
            n - 1,
            n // 4,
            30.0 + 9 * n,
        )
        for i, n in enumerate(rng.randint(2, 14) for _ in range(26))
    )
    by_day = tuple(
        (
            first + timedelta(days=i),
            faces((rng.randint(20, 60), rng.randint(60, 120), rng.randint(300, 400), rng.randint(400, 600))),
        )
        for i in range(30)
    )
    by_hour = tuple(
        (h, faces((0, 0, 0, 0)) if shape[h] == 0 else faces((rng.randint(3, 30), 40, 200, 260))) for h in range(24)
    )
    comments = tuple(
        (face, datetime(2026, 11, 3 + i, 10 + face, 5, tzinfo=ZONE), text)
        for i, text in enumerate(HOSTILE)
        for face in (1 + i % 4,)
    ) + ((4, datetime(2026, 11, 20, 15, 0, tzinfo=ZONE), "Anna was very kind, found the paint in a minute."),)
    comments = tuple(sorted(comments, key=lambda c: (c[0], c[1])))
    overall = faces((1200, 2700, 10400, 15700))
    bands = ("under 1 min", "1–3 min", "3–5 min", "over 5 min", "never")
    joined = Joined(
        joined=5200,
        unjoined=24800,
        helped=Group("helped", faces((200, 500, 1800, 2300))),
        not_helped=Group("not helped", faces((150, 120, 80, 50))),
        by_claim_band=tuple(
            Group(b, faces((40 * i + 10, 60 * i + 50, 600 - 90 * i, 900 - 150 * i))) for i, b in enumerate(bands)
        ),
        by_kind=tuple(Group(k.value, faces((90, 200, 700, 900))) for k in Kind),
        by_associate=(Group("Anna", faces((10, 30, 200, 320))), Group(HOSTILE[1], faces((20, 40, 120, 90))))
        if associates
        else None,
    )
    terms = ("garden hose 30m", "paint white matt", HOSTILE[0], "led bulb e14", "drill bits", "hdmi cable", HOSTILE[2])
    lost = LostDemand(
        not_found=tuple(Ranked(t, 80 - 9 * i) for i, t in enumerate(terms)),
        out_of_stock=(
            Ranked("4006381333931 Stabilo pen", 41),
            Ranked(HOSTILE[3], 17),
            Ranked("123 Extension cord 5m", 9),
        ),
        searches=14250,
    )
    equal = EqualService(
        overall_median=48.0,
        by_language=(
            WaitGroup("en", 5200, 45.0, False),
            WaitGroup("nl", 3100, 47.0, False),
            WaitGroup("zh_Hans", 500, 61.0, True),
            WaitGroup("zh_Hant", 200, 50.0, False),
        ),
        by_kind=(
            WaitGroup("find", 4300, 41.0, False),
            WaitGroup("return", 2100, 66.0, True),
            WaitGroup("help", 2600, 44.0, False),
        ),
    )
    return Figures(
        store="s-042",
        store_name="Bouwmarkt Centrum",
        first=first,
        last=last,
        timezone="Europe/Amsterdam",
        generated_at=datetime(2026, 12, 1, 6, 0, tzinfo=UTC).astimezone(ZONE),
        total=total,
        kinds=kinds,
        volume_by_hour=tuple(sum(volume[d][h] for d in range(7)) * 4 for h in range(24)),
        volume_by_weekday=tuple(sum(row) * 4 for row in volume),
        days=(DayPeriods(day, periods),),
        heat_volume=HeatMap(tuple(tuple(float(v) for v in row) for row in volume), volume),
        heat_service_level=HeatMap(level, volume),
        satisfaction=Satisfaction(
            overall=overall,
            by_day=by_day,
            by_hour=by_hour,
            reasons=(("Quick help", 5400), ("Friendly staff", 4100), ("I waited too long", 900), (HOSTILE[2], 3)),
            comments=comments,
        ),
        joined=joined,
        lost_demand=lost,
        equal_service=equal,
        associates=(Associate("Anna", 2100, 41.0, 2000), Associate(HOSTILE[1], 900, 58.0, 870)) if associates else None,
        gaps=3,
    )
