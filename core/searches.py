"""What shoppers looked for on the Find screen, for the managers' lost demand:
the words only, never who typed them.

Pure: standard library only, no I/O, no clock (`now` is passed in). The
kiosk's shell tells the watch what the finder showed as the shopper types
(`typed`) and when the search is over (`finish`); it stores and publishes
the Search that comes out.

Rules
-----
1. One search per time the shopper is on the Find screen: it is finished when
   they leave it (Back, *Call a staff member*, *Take me there*, the visit ends
   or times out), not at every keystroke.
2. It holds the last term typed (cleaned, at most TERM_MAX characters), how
   many items the finder showed for it, those shown out of stock and the item
   taken, each as "<sku> <English name>".
3. No term (nothing typed, or the field emptied before leaving): no search.
4. Nothing about the shopper goes in: no language, no visit, no request, no time
   but the moment it finished.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from core.catalog import Item
from core.model import Search
from core.text import clean_text

TERM_MAX = 200  # the wire's limit (core/wire.py decode_search)
ITEM_MAX = 200
OUT_OF_STOCK_MAX = 20


def item_words(item: Item) -> str:
    """An item as searches name it: "<sku> <English name>"."""
    return clean_text(f"{item.sku} {item.names['en']}", ITEM_MAX)


class SearchWatch:
    """The search going on at the Find screen, until it is finished."""

    def __init__(self) -> None:
        self._term = ""
        self._shown: tuple[Item, ...] = ()

    @property
    def term(self) -> str:
        return self._term

    def typed(self, term: str, shown: Sequence[Item]) -> None:
        """The field now holds `term` and the finder shows `shown` for it."""
        self._term = clean_text(term, TERM_MAX)
        self._shown = tuple(shown) if self._term else ()

    def finish(self, search_id: str, kiosk: str, now: datetime, taken: Item | None = None) -> Search | None:
        """The shopper left the Find screen: the search, or None with no term (rule 3).
        The watch is empty again afterwards."""
        term, shown = self._term, self._shown
        self._term, self._shown = "", ()
        if not term:
            return None
        out_of_stock = tuple(item_words(item) for item in shown if item.stock <= 0)[:OUT_OF_STOCK_MAX]
        return Search(
            id=search_id,
            kiosk=kiosk,
            at=now,
            term=term,
            results=len(shown),
            out_of_stock=out_of_stock,
            taken=item_words(taken) if taken is not None else "",
        )
