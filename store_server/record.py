"""The store's record on disk, and what it already holds.

Touches the record's data directory through adapters/tinydb_store.py (the
same layout as a kiosk's: a file per UTC hour, one writer holding the lock,
atomic writes) and nothing else.

What it holds is known by each record's identity (core/recording.py), day by
day: a record is filed under the UTC day of its own time, and a copy of it
carries that same time, so a copy is always looked for in the right day.
The recent days are read at start (the copies that come are nearly all
recent: the broker's session queue holds at most `broker.session_expiry` of
messages, finished states are retained for an hour, kiosks resend what the
broker did not acknowledge); an older day is read the first time a message
of that day comes, so a copy is found however old it is. At most `MAX_DAYS`
days stay in memory; a day let go is read again when needed.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from adapters.tinydb_store import TinyDBEventLog
from core.model import Feedback, LogEntry, Search
from core.recording import ALERTS, FEEDBACK, REQUESTS, SEARCHES, Keep, Key, key_of
from shell.ports import StoreError

log = logging.getLogger(__name__)

MAX_DAYS = 14
START_DAYS = 3  # today, yesterday and the day before: read at start


class StoreRecord:
    """The record's writer (it holds the data dir's lock while open)."""

    def __init__(self, data_dir: str | Path) -> None:
        self.data_dir = Path(data_dir)
        self.log = TinyDBEventLog(self.data_dir)  # StoreError when another process writes it
        # Per day read: the identities held, and each request's seq numbers.
        self._days: OrderedDict[date, tuple[set[Key], dict[str, set[int]]]] = OrderedDict()

    def read_recent(self, today: date) -> int:
        """Read what the last START_DAYS days hold; how many records."""
        for offset in range(START_DAYS - 1, -1, -1):
            self._day(today - timedelta(days=offset))
        return sum(len(keys) for keys, _seqs in self._days.values())

    def has(self, keep: Keep) -> bool:
        return keep.key in self._day(keep.day)[0]

    def known_seqs(self, keep: Keep) -> set[int]:
        """The seq numbers the record holds for the request of `keep` (a state):
        from its day and the day before (a request spans midnight at most)."""
        request_id = keep.key[1]
        found: set[int] = set()
        for day in (keep.day - timedelta(days=1), keep.day):
            found |= self._day(day)[1].get(request_id, set())
        return found

    def store(self, keep: Keep) -> None:
        """Write `keep` durably (on disk when this returns); StoreError if not."""
        held = self._day(keep.day)
        record = keep.record
        if isinstance(record, LogEntry):
            self.log.append_entry(record)
        elif isinstance(record, Feedback):
            self.log.append_feedback(record)
        elif isinstance(record, Search):
            self.log.append_search(record)
        else:
            self.log.append_record(ALERTS, keep.at, record)
        self._note(held, keep.key)

    @staticmethod
    def _note(held: tuple[set[Key], dict[str, set[int]]], key: Key) -> None:
        held[0].add(key)
        if key[0] == REQUESTS:
            held[1].setdefault(key[1], set()).add(int(key[2]))

    def _day(self, day: date) -> tuple[set[Key], dict[str, set[int]]]:
        held = self._days.get(day)
        if held is not None:
            self._days.move_to_end(day)
            return held
        held = (set(), {})
        for kind, records in self._read_day(day):
            for record in records:
                self._note(held, key_of(kind, record))
        self._days[day] = held
        while len(self._days) > MAX_DAYS:
            self._days.popitem(last=False)
        return held

    def _read_day(self, day: date) -> list[tuple[str, list[Any]]]:
        return [
            (REQUESTS, self.log.entries_between(day, day)),
            (FEEDBACK, self.log.feedback_between(day, day)),
            (SEARCHES, self.log.searches_between(day, day)),
            (ALERTS, self.log.records_between(ALERTS, day, day)),
        ]

    def scrub_free_text_before(self, first_kept: date) -> int:
        return self.log.scrub_free_text_before(first_kept)

    def close(self) -> None:
        self.log.close()


def open_record(data_dir: str | Path) -> StoreRecord:
    """The record for writing, or StoreError saying plainly who holds it."""
    try:
        return StoreRecord(data_dir)
    except StoreError as exc:
        if "in use by another process" in str(exc):
            raise StoreError(
                f"the store's record {data_dir} is in use by another process "
                "(a running store-assist-recorder): stop it first"
            ) from None
        raise
