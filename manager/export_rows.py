"""The export's rows made straight from what manager/record.py reads, and written as they stream.

Writes only the temporary files manager/export.StagedFiles names. The cells
are those of manager/export.Cells (the columns are an API, docs/reports.md),
made from the folded request states and the stored feedback fields instead of
a RequestRow, Feedback and datetimes for each of a year's 475,000 rows; CSV
cells are made as CSV straight away (yes/no, formulas quoted), one pass each.
"""

from __future__ import annotations

import functools
import os
import pickle
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

from core import request_fold as fold
from core.model import FACES, Status
from core.records import FeedbackFields
from core.request_fold import at_of
from core.request_rows import SERVICE_DESK_LEVEL
from core.stamps import TAIL_TEXT, Hour, Stamps
from manager import forked
from manager.export import (
    DETAIL_COLUMNS,
    FORMULA_STARTS,
    FREE_TEXT,
    REQUEST_COLUMNS,
    WRITERS,
    YES_NO,
    Cells,
    StagedFiles,
    line_maker,
    minutes_of,
    write_csv_lines,
    write_lines,
)  # fmt: skip
from manager.record import Record


@dataclass(frozen=True)
class StoredCells:
    """Cells.request and Cells.feedback's cells, made from the folded states and stored fields that
    manager/record.py reads (no RequestRow, Feedback or datetime for each of a year's rows); times
    as text from core/stamps.py's per-hour cache."""

    stamps: Stamps
    retention_cutoff: date | None
    contacts: bool = False

    def kept(self, micros: int | None) -> bool:
        if self.retention_cutoff is None or micros is None:
            return self.retention_cutoff is None
        return self.stamps.day(micros) >= self.retention_cutoff

    def request(self, request_id: str, state: list[Any], for_csv: bool = False) -> list[Any]:
        """Cells.request's cells; `for_csv`: as write_csv_lines would make them (yes/no, formulas quoted)."""
        texts, text = self.stamps.texts, _csv_text if for_csv else _same
        created, claimed, resolved = at_of(state[fold.CREATED]), at_of(state[fold.CLAIMED]), at_of(state[fold.RESOLVED])
        cancelled = at_of(fold.cancelled_key(state))
        if resolved is not None:
            status, outcome = Status.RESOLVED, state[fold.RESOLVE_OUTCOME]
        elif cancelled is not None:
            status, outcome = Status.CANCELLED, state[fold.CANCEL_OUTCOME]
        else:
            status, outcome = state[fold.STATUS], None
        details = fold.details_of(state)
        kept = self.kept(created if created is not None else claimed if claimed is not None else cancelled)
        escalation = state[fold.ESCALATION]
        service_desk: Any = escalation >= SERVICE_DESK_LEVEL
        abandoned: Any = cancelled is not None and claimed is None
        if for_csv:
            service_desk, abandoned = YES_NO[service_desk], YES_NO[abandoned]
        created_local, created_utc = texts(created)
        claimed_local, claimed_utc = texts(claimed)
        resolved_local, resolved_utc = texts(resolved)
        cancelled_local, cancelled_utc = texts(cancelled)
        return [
            text(request_id), text(state[fold.TICKET]), state[fold.KIND].value, text(state[fold.KIOSK]),
            text(details.get("language") or None), status.value, created_local, created_utc,
            text(state[fold.CLAIMED_BY]), claimed_local, claimed_utc,
            minutes_of((claimed - created) / 1_000_000) if created is not None and claimed is not None else None,
            state[fold.RELEASED], escalation, service_desk, abandoned,
            text(state[fold.RESOLVED_BY] if resolved is not None else None), resolved_local, resolved_utc,
            minutes_of((resolved - created) / 1_000_000) if created is not None and resolved is not None else None,
            cancelled_local, cancelled_utc, text(outcome if kept else None),
            *[text((details.get(k) if kept or k not in FREE_TEXT else None) or None) for k in DETAIL_COLUMNS],
            fold.missing_steps(state),
        ]  # fmt: skip

    def feedback(
        self, at: int, stamp: Hour, fields: FeedbackFields, tickets: Mapping[str, str], for_csv: bool = False
    ) -> list[Any]:
        """Cells.feedback's cells of feedback given at `at` in the UTC hour `stamp`; `for_csv` as in request."""
        fid, kiosk, rating, _, reasons, comment, contact, request_id = fields
        local: str | None
        utc: str | None
        if stamp.whole:
            tail = TAIL_TEXT[(at - stamp.base) // 1_000_000]
            local, utc = stamp.local_prefix + tail, stamp.utc_prefix + tail + "Z"
            kept = self.retention_cutoff is None or stamp.day >= self.retention_cutoff
        else:
            (local, utc), kept = self.stamps.texts(at), self.kept(at)
        text = _csv_text if for_csv else _same
        cells = [
            text(fid), local, utc, text(kiosk), rating, FACES.get(rating), text("; ".join(reasons) or None),
            text((comment if kept else "") or None), text(request_id or None),
            text(tickets.get(request_id)) if request_id else None,
        ]  # fmt: skip
        if self.contacts:
            cells.append(text((contact if kept else "") or None))
        return cells


_FORMULA_FIRST = frozenset(FORMULA_STARTS)


def _csv_text(cell: str | None) -> str | None:
    return "'" + cell if cell and cell[0] in _FORMULA_FIRST else cell


def _same(cell: str | None) -> str | None:
    return cell


# Of the requests, the share the second process writes: it folds them all first (a year: 1.7 s here)
# while this one reads and writes the feedback (2.2 s); with this share both end together (bench/report.py).
_FOLDER_SHARE = 0.68


def export_files(
    staged: StagedFiles, record: Record, cells: Cells, first: date, last: date, formats: Sequence[str]
) -> list[tuple[str, int]]:
    """Write requests-<range>.<fmt> and feedback-<range>.<fmt> per format, rows streamed from the
    record as they are written; (name, rows) per file.

    The requests are folded by a second process (manager/forked.py) while this one writes the
    feedback, on this machine's two cores. The feedback names its request's ticket, which that process
    sends as soon as the requests are folded; the lines of feedback read before it comes wait (those
    that name a request, unmade). Then that process writes the first requests (_FOLDER_SHARE) and
    leaves the others in a scratch file, which this one, its feedback done, writes as a part that it
    puts after that process's rows once they are written: the same bytes as one process writing all.
    """
    if not formats:
        return []
    stem = f"{first.isoformat()}_{last.isoformat()}"
    stored = StoredCells(record.stamps, cells.retention_cutoff, cells.contacts)
    requests = [(f"requests-{stem}.{fmt}", fmt) for fmt in formats]
    temps = [staged.temp_path(name) for name, _ in requests]
    rest_file = staged.scratch_path(f"requests-{stem}")

    def write_requests(send: Callable[[Any], None]) -> list[int]:
        send({request_id: state[fold.TICKET] for request_id, state in record.states().items()})  # before sorting
        states = record.ordered_states()
        split = round(len(states) * _FOLDER_SHARE)
        with open(rest_file, "xb") as rest:
            pickle.dump(states[split:], rest, protocol=pickle.HIGHEST_PROTOCOL)
        send(split)
        del states[split:]
        counts = []
        for temp, (_, fmt) in zip(temps, requests, strict=True):
            write, for_csv = _writer(fmt)
            lines = (stored.request(request_id, state, for_csv) for request_id, state in states)
            counts.append(_fill(temp, "xb", lambda h, w=write, ls=lines: w(h, REQUEST_COLUMNS, ls), sync=False))
        return counts

    child = forked.talk(write_requests) if (last - first).days >= 7 else forked.Here(write_requests)
    try:
        written = []
        for fmt in formats:
            name = f"feedback-{stem}.{fmt}"
            columns, for_csv = cells.feedback_columns(), fmt == "csv"
            lines = _feedback_lines(record, stored, child, for_csv, line_maker(fmt, columns))
            written.append((name, staged.write(name, lambda h, f=fmt, c=columns, ls=lines: write_lines(h, f, c, ls))))
        child.message(wait=True, number=1)  # the rest is in its file
        with open(rest_file, "rb") as rest:
            states = pickle.load(rest)
        parts, rest_counts = [], []
        for name, fmt in requests:
            write, for_csv = _writer(fmt, follows=True)
            lines = (stored.request(request_id, state, for_csv) for request_id, state in states)
            parts.append(staged.scratch_path(name))
            rest_counts.append(_fill(parts[-1], "xb", lambda h, w=write, ls=lines: w(h, REQUEST_COLUMNS, ls)))
        del states
        counts = child.result()
        for temp, part in zip(temps, parts, strict=True):
            with open(part, "rb") as rows:
                _fill(temp, "ab", lambda h, r=rows: shutil.copyfileobj(r, h, 1 << 20) or 0, sync=True)
    except BaseException:
        child.cancel()
        raise
    counted = [(name, first + rest) for (name, _), first, rest in zip(requests, counts, rest_counts, strict=True)]
    return counted + written


def _fill(path: Path, mode: str, fill: Callable[[IO[bytes]], int], sync: bool = False) -> int:
    with open(path, mode) as handle:
        count = fill(handle)
        if sync:
            handle.flush()
            os.fsync(handle.fileno())
    return count


def _writer(
    fmt: str, follows: bool = False
) -> tuple[Callable[[IO[bytes], Sequence[str], Iterable[Sequence[object]]], int], bool]:
    # CSV rows are made as CSV cells straight away: a year is 7 million cells, one pass over each.
    if fmt == "csv":
        return functools.partial(write_csv_lines, ready=True, follows=follows), True
    return WRITERS[fmt], False  # JSON Lines has no header: a part is its lines


_WAITING_ROWS = 500_000  # feedback read ahead while the tickets are folded: a year's is about 70 MB
_NO_TICKETS: dict[str, str] = {}
_REQUEST_ID = 7  # of FeedbackFields


def _feedback_lines(
    record: Record, stored: StoredCells, child: Any, for_csv: bool, line: Callable[[Sequence[object]], str]
) -> Iterator[str]:
    # Until the tickets come, each feedback's line is made straight away, but for those that name a request.
    waiting: list[str | tuple[int, Hour, FeedbackFields]] = []
    tickets = child.message(wait=False)
    feedback = stored.feedback
    for at, stamp, fields in record.feedback_fields():
        if tickets is None:
            waiting.append(
                (at, stamp, fields) if fields[_REQUEST_ID] else line(feedback(at, stamp, fields, _NO_TICKETS, for_csv))
            )
            if len(waiting) % 1000 == 0:
                tickets = child.message(wait=len(waiting) >= _WAITING_ROWS)
            continue
        if waiting:
            yield from _waited(waiting, stored, tickets, for_csv, line)
            waiting.clear()
        yield line(feedback(at, stamp, fields, tickets, for_csv))
    if waiting:
        tickets = tickets if tickets is not None else child.message(wait=True)
        yield from _waited(waiting, stored, tickets, for_csv, line)


def _waited(
    waiting: list[str | tuple[int, Hour, FeedbackFields]], stored: StoredCells, tickets: Mapping[str, str],
    for_csv: bool, line: Callable[[Sequence[object]], str],
) -> Iterator[str]:  # fmt: skip
    for made in waiting:
        yield made if type(made) is str else line(stored.feedback(*made, tickets, for_csv))  # type: ignore[misc]
