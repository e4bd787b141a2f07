"""A month of a busy store made up (seeded): request rows, feedback and searches, and the figures computed from them.

For the report's pictures and its XLSX test: the store opens 08:00–21:00,
Saturday is busiest, late afternoons are short of staff (waits grow with the
queue), Chinese-speaking shoppers wait a little longer, and some shoppers
write comments a spreadsheet or a browser would misread. And `small_day`: a
quiet day of a handful of requests, as a one-day report of a small store shows.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from core.figures import Figures, compute
from core.model import Feedback, Kind, Search, Status
from core.request_rows import RequestRow

ZONE = ZoneInfo("Europe/Amsterdam")
FIRST, LAST = date(2026, 11, 1), date(2026, 11, 30)
HOURLY = {8: 3, 9: 6, 10: 9, 11: 11, 12: 12, 13: 11, 14: 10, 15: 12, 16: 15, 17: 16, 18: 12, 19: 7, 20: 4}
WEEKDAY = (0.8, 0.8, 0.9, 0.9, 1.1, 1.6, 0.7)
STAFF = ("Anna", "Ben", "Cai", "Dana", "Emre", "Femke")
LANGUAGES = ("nl",) * 6 + ("en",) * 3 + ("zh_Hans", "zh_Hant")
UNHAPPY = ("I waited too long", "I could not find what I needed", "Staff could not help me", "Prices", "Something else")
HAPPY = ("Quick help", "Friendly staff", "I found what I needed", "Good prices", "Something else")
COMMENTS = (
    "Nobody came, I left after ten minutes.",
    '=HYPERLINK("http://evil.example","prize")',
    "<script>alert('x')</script> the kiosk is great",
    "Anna found the paint for me in a minute!",
    "+31 20 555 0100 call me about the refund",
    "Could not find the garden hoses.",
    '</svg>"><img src=x onerror=alert(1)> ok',
)
TERMS = ("garden hose 30m", "paint white matt", "led bulb e14", "drill bits 6mm", "hdmi cable", "oat milk", "glue")
OUT_OF_STOCK = ("8711234000012 Garden hose 30 m", "8711234000029 LED bulb E14 4W", "8711234000036 Wall paint white 5 l")
TARGETS = {Kind.FIND: 60, Kind.RETURN: 90, Kind.HELP: 60}
NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


def month(
    seed: int = 11, first: date = FIRST, last: date = LAST
) -> tuple[list[RequestRow], list[Feedback], list[Search]]:
    """The store's days [first, last] (November 2026 unless told)."""
    rng = random.Random(seed)
    rows: list[RequestRow] = []
    feedback: list[Feedback] = []
    searches: list[Search] = []
    day = first
    while day <= last:
        for hour, per_hour in HOURLY.items():
            for _ in range(round(per_hour * WEEKDAY[day.weekday()] * rng.uniform(0.7, 1.3))):
                created = _in_hour(rng, day, hour)
                rows.append(_request(rng, created, len(rows), per_hour * WEEKDAY[day.weekday()]))
            for n in range(round(per_hour * 3 * rng.uniform(0.7, 1.3))):
                at = _in_hour(rng, day, hour)
                feedback.append(_feedback(rng, at, f"fb-{len(feedback)}", rows[-30:] if n % 4 == 0 else []))
            for _ in range(per_hour * 2):
                at = _in_hour(rng, day, hour)
                term = rng.choice(TERMS)
                found = rng.random() > 0.25
                out = (rng.choice(OUT_OF_STOCK),) if found and rng.random() < 0.15 else ()
                searches.append(Search(f"s-{len(searches)}", "entrance-north", at, term, 3 if found else 0, out))
        day += timedelta(days=1)
    rows.sort(key=lambda r: r.created_at or NOW)
    return rows, feedback, searches


def _in_hour(rng: random.Random, day: date, hour: int) -> datetime:
    # In UTC, as the store's record gives its times.
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZONE).astimezone(UTC) + timedelta(
        seconds=rng.uniform(0, 3599)
    )


def _request(rng: random.Random, created: datetime, number: int, busy: float) -> RequestRow:
    kind = (Kind.FIND, Kind.FIND, Kind.RETURN, Kind.HELP)[number % 4]
    language = rng.choice(LANGUAGES)
    wait = rng.expovariate(1 / (20 + 4.5 * busy)) * (1.3 if language.startswith("zh") else 1.0)
    kiosk = rng.choice(("entrance-north", "entrance-south"))
    base = {"request_id": f"r-{number:05d}", "ticket": f"{kind.prefix}-{number % 1000:03d}", "kind": kind,
            "kiosk": kiosk, "created_at": created, "language": language}  # fmt: skip
    roll = rng.random()
    if roll < 0.04:
        return RequestRow(
            **base, cancelled_at=created + timedelta(seconds=wait), status=Status.CANCELLED, abandoned=True
        )
    if roll < 0.06:
        return RequestRow(**base, escalation=3, service_desk=True, status=Status.OPEN)
    staff = rng.choice(STAFF)
    claimed = created + timedelta(seconds=wait)
    resolved = claimed + timedelta(seconds=rng.uniform(60, 500))
    return RequestRow(
        **base, claimed_by=staff, claimed_at=claimed, resolved_at=resolved, resolved_by=staff, outcome="done",
        seconds_to_claim=wait, seconds_to_resolve=(resolved - created).total_seconds(), status=Status.RESOLVED,
        escalation=1 if wait > 60 else 0,
    )  # fmt: skip


def _feedback(rng: random.Random, at: datetime, ident: str, recent: list[RequestRow]) -> Feedback:
    rating = rng.choices((1, 2, 3, 4), weights=(6, 10, 34, 50))[0]
    request_id = rng.choice(recent).request_id if recent else ""
    if recent:
        helped = next(r for r in recent if r.request_id == request_id)
        slow = helped.seconds_to_claim is None or helped.seconds_to_claim > 120
        rating = max(1, rating - 1) if slow and rng.random() < 0.6 else rating
    reasons = (rng.choice(UNHAPPY if rating <= 2 else HAPPY),) if rng.random() < 0.7 else ()
    comment = rng.choice(COMMENTS) if rng.random() < 0.03 else ""
    contact = "shopper@example.com" if comment and rating <= 2 else ""
    return Feedback(ident, "entrance-north", rating, at, reasons, comment, contact, request_id)


def small_day(
    day: date, requests: int, *, first_hour: int = 10, responses: int = 1, searches: int = 1
) -> tuple[list[RequestRow], list[Feedback], list[Search]]:
    """A quiet day: `requests` claimed and resolved an hour apart from `first_hour` on, each kind in turn; the
    first `responses` feedback joined to them (very happy), and `searches` searches that found nothing."""
    rows = []
    for number in range(requests):
        kind = (Kind.FIND, Kind.RETURN, Kind.HELP)[number % 3]
        created = datetime(day.year, day.month, day.day, first_hour + number, 10, tzinfo=ZONE).astimezone(UTC)
        wait = 40.0 + 30 * number
        claimed = created + timedelta(seconds=wait)
        resolved = claimed + timedelta(seconds=90)
        rows.append(RequestRow(
            request_id=f"d-{number:03d}", ticket=f"{kind.prefix}-{number:03d}", kind=kind, kiosk="entrance-north",
            created_at=created, language="nl", claimed_by="Anna", claimed_at=claimed, resolved_at=resolved,
            resolved_by="Anna", outcome="done", seconds_to_claim=wait,
            seconds_to_resolve=(resolved - created).total_seconds(), status=Status.RESOLVED,
        ))  # fmt: skip
    feedback = [
        Feedback(
            f"dfb-{n}", "entrance-north", 4, rows[n].created_at + timedelta(minutes=20), (), "", "", rows[n].request_id
        )  # fmt: skip
        for n in range(min(responses, requests))
    ]
    found = [Search(f"ds-{n}", "entrance-north", rows[0].created_at, "garden hose", 0, ()) for n in range(searches)]
    return rows, feedback, found


def figures(
    rows: list[RequestRow],
    feedback: list[Feedback],
    searches: list[Search],
    *,
    per_associate: bool = True,
    first: date = FIRST,
    last: date = LAST,
) -> Figures:
    return compute(
        rows, feedback, searches, tz=ZONE, first=first, last=last, targets=TARGETS, per_associate=per_associate,
        retention_cutoff=None, store="s-042", store_name="Bouwmarkt Centrum", now=NOW,
    )  # fmt: skip
