"""Finding an item as the shopper types: typo-tolerant, in every language at once.

Pure: the catalog and a word-similarity function go in (the adapter supplies
one backed by rapidfuzz), items come out. Nothing is scanned item by item:
every name, alias and sku is cut into words (core/catalog.py `tokens`), each
distinct word points at the items that contain it, and a typed word is matched
against the distinct words only — a few tens of thousands even for a big
store — by prefix (the shopper has not finished typing) and by similarity
(they typed it wrong) and, from four letters, inside longer words (Dutch
compounds: "verf" finds "muurverf"). An item scores the sum over typed words of its best
match; every typed word must match something.
"""

from __future__ import annotations

import bisect
import heapq
from collections import defaultdict
from collections.abc import Callable, Sequence

from core.catalog import Item, fold, tokens

# similar(word, vocabulary) → [(vocabulary word, score 0..100)], best first
Similar = Callable[[str, Sequence[str]], list[tuple[str, float]]]

PREFIX_SCORE = 100.0
INSIDE_SCORE = 90.0  # part of a compound word: "verf" in "muurverf", "light" in "spotlight"
MAX_PREFIX_WORDS = 200
MIN_LATIN = 2  # "b" matches many words; the best items still come first


class Finder:
    def __init__(self, items: Sequence[Item], similar: Similar) -> None:
        self.items = list(items)
        self.similar = similar
        self._by_code: dict[str, int] = {}
        postings: defaultdict[str, set[int]] = defaultdict(set)
        for index, item in enumerate(self.items):
            self._by_code[fold(item.sku)] = index
            if item.barcode:
                self._by_code[item.barcode] = index
            for text in (*item.names.values(), *item.aliases, item.sku):
                for word in tokens(text):
                    postings[word].add(index)
        self._postings = dict(postings)
        self._vocabulary = sorted(self._postings)

    def search(self, query: str, limit: int = 8) -> list[Item]:
        """The best matches, best first; an exact barcode or sku comes first of all."""
        wanted = tokens(query)
        if not wanted or (len(wanted) == 1 and len(wanted[0]) < MIN_LATIN and wanted[0].isascii()):
            # One Latin letter matches half the store: wait for the second.
            # (One Chinese character is a word and is searched.)
            return []
        code = fold(query.strip())
        exact = self._by_code.get(code)
        scores: dict[int, float] | None = None
        for word in wanted:
            word_scores = self._scores_for(word)
            if scores is None:
                scores = word_scores
            else:  # every typed word must match: keep items matched so far, add this word's score
                scores = {i: s + word_scores[i] for i, s in scores.items() if i in word_scores}
            if not scores:
                break
        # The best `limit` without sorting every match: a common word can match thousands.
        ranked = heapq.nsmallest(limit, (scores or {}).items(), key=lambda pair: (-pair[1], pair[0]))
        found = [self.items[i] for i, _score in ranked]
        if exact is not None:
            found = [self.items[exact], *[item for item in found if item is not self.items[exact]]][:limit]
        return found

    def _scores_for(self, word: str) -> dict[int, float]:
        """Each item's best score for one typed word."""
        best: dict[int, float] = {}
        start = bisect.bisect_left(self._vocabulary, word)
        for known in self._vocabulary[start : start + MAX_PREFIX_WORDS]:
            if not known.startswith(word):
                break
            # A finished word beats a word it only starts ("tap" over "tape").
            score = PREFIX_SCORE + (1.0 if known == word else 0.0)
            for index in self._postings[known]:
                best[index] = max(best.get(index, 0.0), score)
        if len(word) >= 4:
            for known in self._vocabulary:
                if word in known and not known.startswith(word):
                    for index in self._postings[known]:
                        best[index] = max(best.get(index, 0.0), INSIDE_SCORE)
        if len(word) >= 3:  # too short to tell a typo from another word
            for known, score in self.similar(word, self._vocabulary):
                for index in self._postings[known]:
                    best[index] = max(best.get(index, 0.0), score)
        return best
