"""Reading a store's record (or one kiosk's data dir) for reports and exports.

Reads partition files only (adapters/partition_files.py): no lock, no
writes, so it runs beside the recorder or a kiosk writing the same folder.
The record's files are UTC hours; a range of store-local days is read as the
UTC days around it and cut to the local days here. Requests are folded as
their files are read (one compact step per entry, no LogEntry); feedback and
searches stream, file by file, so a year of a busy store never sits in memory
at once. Every problem leaves as `shell.ports.StoreError`, naming the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta, tzinfo
from pathlib import Path

from adapters.partition_files import FEEDBACK, REQUESTS, SEARCHES, records
from core.figures import WallClock
from core.model import Feedback, Search
from core.records import RequestRow, RowFolder, feedback_from_stored, search_from_dict, step_from_dict
from shell.ports import StoreError


class Record:
    """One data directory in the record's layout, read for the local days [first, last]."""

    def __init__(self, data_dir: Path, tz: tzinfo, first: date, last: date) -> None:
        if not data_dir.is_dir():
            raise StoreError(f"{data_dir}: no such directory")
        self.data_dir = data_dir
        self.first, self.last = first, last
        self.wall = WallClock(tz)
        # Every zone is within a day of UTC; the day after also brings the
        # claims and resolutions of requests made just before closing.
        self._utc_first, self._utc_last = first - timedelta(days=1), last + timedelta(days=1)

    def _in_range(self, moment_day: date) -> bool:
        return self.first <= moment_day <= self.last

    def rows(self) -> list[RequestRow]:
        """The requests created on the local days (and those of them without a
        `created` step whose first step is on them), in creation order."""
        folder = RowFolder()
        for path, doc_id, stored in records(self.data_dir, REQUESTS, self._utc_first, self._utc_last):
            try:
                folder.add(step_from_dict(stored))
            except ValueError as exc:
                raise StoreError(f"{path}: record {doc_id}: {exc}") from exc
        wall = self.wall
        return [
            row
            for row in folder.rows()
            if (row.created_at is not None and self._in_range(wall(row.created_at).date()))
            or (row.created_at is None and self._first_seen_in_range(row))
        ]

    def _first_seen_in_range(self, row: RequestRow) -> bool:
        first_step = row.claimed_at or row.cancelled_at or row.resolved_at
        return first_step is not None and self._in_range(self.wall(first_step).date())

    def feedback(self) -> FeedbackStream:
        return FeedbackStream(self)

    def searches(self) -> Iterator[Search]:
        """The searches of the local days, oldest file first."""
        for path, doc_id, stored in records(self.data_dir, SEARCHES, self._utc_first, self._utc_last):
            try:
                search = search_from_dict(stored)
            except ValueError as exc:
                raise StoreError(f"{path}: record {doc_id}: {exc}") from exc
            if self._in_range(self.wall(search.at).date()):
                yield search


class FeedbackStream:
    """The feedback of the local days, read afresh from the files each time it is iterated.

    Each shopper's feedback once: the same id in two files (a retried write, or
    an imported kiosk dir beside the store's record) counts once.
    """

    def __init__(self, record: Record) -> None:
        self._record = record

    def __iter__(self) -> Iterator[Feedback]:
        record = self._record
        wall, seen, day = record.wall, set(), ""
        for path, doc_id, stored in records(record.data_dir, FEEDBACK, record._utc_first, record._utc_last):
            if path.name[:10] != day:
                # A copy of one feedback is filed under the same instant, so in
                # the same UTC day: remembering one day's ids is enough.
                day, seen = path.name[:10], set()
            try:
                item = feedback_from_stored(stored)
            except ValueError as exc:
                raise StoreError(f"{path}: record {doc_id}: {exc}") from exc
            if item.id in seen or not record._in_range(wall(item.given_at).date()):
                continue
            seen.add(item.id)
            yield item
