"""Reading a store's record (or one kiosk's data dir) for reports and exports.

Reads partition files only (adapters/partition_files.py): no lock, no
writes, so it runs beside the recorder or a kiosk writing the same folder.
The record's files are UTC hours; a range of store-local days is read as the
UTC days around it and cut to the local days here. Each file is read once
for the figures: log entries fold into one compact state per request as
they are read (core/request_fold.py), feedback and searches are counted as
they stream (core/figure_tally.py), and nothing of a year sits in memory but
the requests' states and the counts. Rows for the exports and the workbook
come from the folded states and a second streaming pass over the feedback,
only when one is asked for. Every problem leaves as `shell.ports.StoreError`,
naming the file and the record.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from adapters.partition_files import FEEDBACK, REQUESTS, SEARCHES, tables
from core.figures import Figures, FigureTally
from core.model import Kind, Search
from core.records import FeedbackFields, feedback_fields, search_from_dict
from core.request_fold import (
    CLAIMED,
    CLAIMED_BY,
    CREATED,
    ESCALATION,
    KIND,
    RESOLVED,
    RESOLVED_BY,
    StepFolder,
    at_of,
    cancelled_key,
    first_seen,
    language_of,
    missing_steps,
    ordered,
)  # fmt: skip
from core.request_rows import SERVICE_DESK_LEVEL
from core.stamps import Hour, Stamps, micros_of
from manager import forked
from shell.ports import StoreError


class Record:
    """One data directory in the record's layout, read for the local days [first, last]."""

    def __init__(self, data_dir: Path, tz: tzinfo, first: date, last: date, *, rows_too: bool = True) -> None:
        """`rows_too=False`: only the figures will be asked for, so of what each shopper asked only the
        language is kept (a year's requests in less memory); rows then lack their details."""
        if not data_dir.is_dir():
            raise StoreError(f"{data_dir}: no such directory")
        self.data_dir = data_dir
        self.first, self.last = first, last
        self.stamps = Stamps(tz)
        # Every zone is within a day of UTC; the day after also brings the
        # claims and resolutions of requests made just before closing.
        self._utc_first, self._utc_last = first - timedelta(days=1), last + timedelta(days=1)
        self._states: dict[str, list[Any]] | None = None
        self.rows_too = rows_too

    def _tables(self, kind: str) -> Iterator[tuple[Path, dict[str, Any]]]:
        return tables(self.data_dir, kind, self._utc_first, self._utc_last)

    def states(self) -> dict[str, list[Any]]:
        """The folded requests created on the local days (and those without a `created`
        step whose first step is on them); the log files are read the first time only."""
        if self._states is None:
            folder = StepFolder(self.stamps, details=self.rows_too)
            for path, table in self._tables(REQUESTS):
                try:
                    folder.add_table(table)
                except ValueError as exc:
                    raise StoreError(f"{path}: {exc}") from exc
            day, first, last = self.stamps.day, self.first, self.last
            states = folder.states
            for request_id in [r for r, state in states.items() if not first <= day(_placed(state)) <= last]:
                del states[request_id]
            self._states = states
        return self._states

    def ordered_states(self) -> list[tuple[str, list[Any]]]:
        """(request id, state) in creation order, as the exports list them."""
        return ordered(self.states())

    def figures(
        self, *, targets: Mapping[Kind, int], per_associate: bool, retention_cutoff: date | None, store: str,
        store_name: str, now: datetime,
    ) -> Figures:  # fmt: skip
        """The figures of the local days (core/figures.compute's, from one read of each file)."""

        def tally_of() -> FigureTally:
            return FigureTally(self.stamps, self.first, self.last, targets, per_associate, retention_cutoff,
                               micros_of(now) or 0)  # fmt: skip

        def streams() -> FigureTally:
            counted = tally_of()
            counted.defer_joins = True
            self._count_streams(counted)
            return counted

        # A range of over a week reads its feedback and searches in a second process, beside the requests.
        streamed = forked.start(streams) if (self.last - self.first).days >= 7 else None
        tally = tally_of()
        for request_id, state in self.states().items():
            tally.gaps += missing_steps(state) > 0
            if state[CREATED] is None:
                continue
            resolved = at_of(state[RESOLVED])
            tally.add_request(
                request_id, state[KIND], at_of(state[CREATED]) or 0, at_of(state[CLAIMED]), state[CLAIMED_BY],
                resolved, state[RESOLVED_BY] if resolved is not None else None, at_of(cancelled_key(state)),
                state[ESCALATION], state[ESCALATION] >= SERVICE_DESK_LEVEL, language_of(state),
            )  # fmt: skip
        if streamed is None:
            self._count_streams(tally)
        else:
            tally.take_streams(streamed())
        return tally.figures(store=store, store_name=store_name, now=now)

    def _count_streams(self, tally: FigureTally) -> None:
        for path, table, seen in self._feedback_tables():
            try:
                tally.feedback_table(table, seen)
            except ValueError as exc:
                raise StoreError(f"{path}: {exc}") from exc
        for path, table in self._tables(SEARCHES):
            try:
                tally.search_table(table)
            except ValueError as exc:
                raise StoreError(f"{path}: {exc}") from exc

    def _feedback_tables(self) -> Iterator[tuple[Path, dict[str, Any], set[str]]]:
        """Feedback files with the ids already seen on their UTC day: a copy of one feedback
        (a retried write, an imported kiosk dir beside the store's record) is filed under the
        same instant, so in the same UTC day, and counts once."""
        day, seen = "", set[str]()
        for path, table in self._tables(FEEDBACK):
            if path.name[:10] != day:
                day, seen = path.name[:10], set()
            yield path, table, seen

    def feedback_fields(self) -> Iterator[tuple[int, Hour, FeedbackFields]]:
        """(given at in µs since 1970 UTC, its UTC hour, the stored fields, checked) of the local days' feedback,
        each shopper's once, oldest file first: the exports' rows without a Feedback made of each."""
        parse, day, first, last = self.stamps.parse, self.stamps.day, self.first, self.last
        for path, table, seen in self._feedback_tables():
            for doc_id, stored in table.items():
                try:
                    fields = feedback_fields(stored)
                    at, stamp = parse(fields[3], "feedback record: given_at")
                except ValueError as exc:
                    raise StoreError(f"{path}: record {doc_id}: {exc}") from exc
                if fields[0] in seen or not first <= (stamp.day if stamp.whole else day(at)) <= last:
                    continue
                seen.add(fields[0])
                yield at, stamp, fields

    def searches(self) -> Iterator[Search]:
        """The searches of the local days, oldest file first."""
        for path, table in self._tables(SEARCHES):
            for doc_id, stored in table.items():
                try:
                    search = search_from_dict(stored)
                except ValueError as exc:
                    raise StoreError(f"{path}: record {doc_id}: {exc}") from exc
                if self.first <= self.stamps.day(micros_of(search.at) or 0) <= self.last:
                    yield search


def _placed(state: list[Any]) -> int:
    """When a request counts as asked: its `created` step, else when it first showed up (never: far outside)."""
    when = at_of(state[CREATED]) if state[CREATED] is not None else first_seen(state)
    return when if when is not None else -(1 << 62)
