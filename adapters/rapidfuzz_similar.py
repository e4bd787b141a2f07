"""Word similarity for the item finder. The only module that imports rapidfuzz.

Pure computation (no I/O): rapidfuzz's C++ scorers compare one typed word with
tens of thousands of catalog words in about a millisecond.
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz, process

SCORE_CUTOFF = 75.0  # "pant" ~ "paint" 89, "blu" ~ "blue" 86; "paint" ~ "print" 80
LIMIT = 30


def similar(word: str, vocabulary: Sequence[str]) -> list[tuple[str, float]]:
    """Catalog words that look like `word` (a typo, a letter missing), best first."""
    return [
        (match, float(score))
        for match, score, _index in process.extract(
            word, vocabulary, scorer=fuzz.ratio, limit=LIMIT, score_cutoff=SCORE_CUTOFF, processor=None
        )
    ]
