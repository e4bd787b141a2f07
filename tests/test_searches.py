"""What a search on the Find screen keeps for lost demand (core/searches.py), with plain values."""

from __future__ import annotations

from datetime import UTC, datetime

from core.catalog import Item
from core.model import Search
from core.searches import TERM_MAX, SearchWatch

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
PAINT = Item("PNT-1002", {"en": "Wall paint blue matt 2.5 l", "nl": "Muurverf blauw mat 2,5 l"}, stock=9)
GONE = Item("PNT-1003", {"en": "Wall paint red matt 2.5 l"}, stock=0)


def test_the_last_term_typed_is_the_search_with_what_the_finder_showed() -> None:
    watch = SearchWatch()
    for term, shown in [("p", [PAINT, GONE]), ("pai", [PAINT, GONE]), ("paint", [PAINT, GONE])]:
        watch.typed(term, shown)
    assert watch.finish("s1", "kiosk-1", NOW) == Search(
        "s1", "kiosk-1", NOW, "paint", 2, ("PNT-1003 Wall paint red matt 2.5 l",), ""
    )
    assert watch.finish("s2", "kiosk-1", NOW) is None, "finished once: the next one needs a new term"


def test_the_item_taken_is_named_by_sku_and_english_name() -> None:
    watch = SearchWatch()
    watch.typed("muurverf", [PAINT])
    search = watch.finish("s1", "kiosk-1", NOW, taken=PAINT)
    assert search is not None and search.taken == "PNT-1002 Wall paint blue matt 2.5 l" and search.out_of_stock == ()


def test_no_term_is_no_search_and_a_term_is_cleaned_and_cut() -> None:
    watch = SearchWatch()
    assert watch.finish("s1", "kiosk-1", NOW) is None
    watch.typed("paint", [PAINT])
    watch.typed("", [])  # emptied before leaving
    assert watch.finish("s1", "kiosk-1", NOW) is None
    watch.typed("  drill\x1b[2J  bits\n", [])
    search = watch.finish("s2", "kiosk-1", NOW)
    assert search is not None and search.term == "drill[2J bits" and search.results == 0
    watch.typed("x" * 500, [])
    assert len(watch.finish("s3", "kiosk-1", NOW).term) == TERM_MAX  # type: ignore[union-attr]
