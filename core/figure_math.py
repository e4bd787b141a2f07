"""The arithmetic of the figures: nearest-rank percentiles, the satisfaction index, claim bands, the service rule.

Pure: standard library only, no I/O, no clock. Used by core/figure_tally.py and named by core/figures.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from core.figure_values import FaceCounts, Percentiles
from core.model import Kind

CLAIM_BANDS = ("under 1 min", "1–3 min", "3–5 min", "over 5 min", "never")
LANGUAGE_UNKNOWN = "unknown"
FLAG_RATIO = 1.10  # a group waits more than 10 % longer than everyone at the median
# … judged on at least this many of its claims: one slow claim is no pattern.
FLAG_MIN_CLAIMS = 20
KINDS = (Kind.FIND, Kind.RETURN, Kind.HELP)


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


def service_numbers(
    created: int, claimed: int | None, ended: int | None, target: int, now: int
) -> tuple[bool, bool, float]:
    """(due, within target, wait so far) of a request asked at `created` (microseconds), claimed at
    `claimed`, resolved or cancelled at `ended`; see DEFINITIONS["service_level"]."""
    if claimed is not None:
        seconds = (claimed - created) / 1_000_000
        return True, seconds <= target, seconds
    waited = max(0.0, ((ended if ended is not None else now) - created) / 1_000_000)
    return waited >= target, False, waited
