"""`store-assist-export`: the request log and feedback of a range of store-local days, as CSV or JSON Lines.

Reads the store's record (`--record`, the recorder's folder) or one kiosk's
data dir (`--data-dir`) through manager/record.py: plain file reads, no lock,
no writes, so it runs beside the recorder or a kiosk writing the same folder.
Writes only the files it reports, into `--out`. The columns are an API,
listed in docs/reports.md; new columns are only ever added at the end.

    python -m manager.export --record var/store/record --from 2026-11-01 --to 2026-11-30 --out ~/exports

CSV is written the way Excel opens it without asking, Chinese included: UTF-8
with a byte order mark, CRLF line ends, a header row. Text cells that Excel
would run as a formula (starting with =, +, -, @, a tab or a carriage return)
are neutralised (CWE-1236: a shopper's comment must not run in Excel).
Shoppers' free text (notes, receipts, comments, staff's outcomes) is left out
for days before the retention period; contact details only with --contacts.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import secrets
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from core.figures import WallClock
from core.model import FACES, Feedback
from core.records import RequestRow

PROG = "store-assist-export"

# Excel, LibreOffice and Google Sheets start a formula at these; a shopper's
# comment "=HYPERLINK(...)" must stay text. OWASP's advice: prefix a quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # `"" in` these is False: empty cells stay empty

# What the kiosk puts in a request's details (kiosk/wording.py, kiosk/screens.py, kiosk/headless.py).
DETAIL_COLUMNS = ("item", "item_local", "sku", "aisle", "shelf", "reason", "receipt", "topic", "note")
FREE_TEXT = frozenset({"receipt", "note"})  # core/retention.py: forgotten after the retention period

REQUEST_COLUMNS = (
    "request_id", "ticket", "kind", "kiosk", "language", "status",
    "created_local", "created_utc", "claimed_by", "claimed_local", "claimed_utc", "minutes_to_claim",
    "released", "escalation", "service_desk", "abandoned",
    "resolved_by", "resolved_local", "resolved_utc", "minutes_to_resolve",
    "cancelled_local", "cancelled_utc", "outcome", *DETAIL_COLUMNS, "missing_steps",
)  # fmt: skip
FEEDBACK_COLUMNS = (
    "feedback_id", "given_local", "given_utc", "kiosk", "rating", "face", "reasons", "comment",
    "request_id", "ticket",
)  # fmt: skip
CONTACT_COLUMN = "contact"
FORMATS = ("csv", "jsonl")


class UsageError(Exception):
    """The command line asks for something that cannot be done; exit 2."""


def neutralise(cell: object) -> object:
    """A text cell that a spreadsheet would evaluate gets a leading `'`.

    Only text is touched: numbers we computed (minutes, ratings) stay numbers.
    """
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


@dataclass(frozen=True)
class Cells:
    """How values become cells: the store's clock and what retention still allows."""

    wall: WallClock
    retention_cutoff: date | None  # free text of days before this is left out
    contacts: bool = False

    def local(self, moment: datetime | None) -> str | None:
        # str() and a slice: strftime and isoformat(timespec=) cost several times more, 800,000 times a year.
        return str(self.wall(moment))[:19] if moment is not None else None

    @staticmethod
    def utc(moment: datetime | None) -> str | None:
        if moment is None:
            return None
        text = str(moment if moment.utcoffset() == _ZERO else moment.astimezone(UTC))
        return f"{text[:10]}T{text[11:19]}Z"

    def kept(self, moment: datetime | None) -> bool:
        """Whether free text from `moment` is still within retention."""
        if self.retention_cutoff is None or moment is None:
            return self.retention_cutoff is None
        return self.wall(moment).date() >= self.retention_cutoff

    def request(self, row: RequestRow) -> list[Any]:
        kept = self.kept(row.created_at or row.claimed_at or row.cancelled_at)
        details = [row.details.get(k) if kept or k not in FREE_TEXT else None for k in DETAIL_COLUMNS]
        return [
            row.request_id, row.ticket, row.kind.value, row.kiosk, row.language or None, row.status.value,
            self.local(row.created_at), self.utc(row.created_at), row.claimed_by,
            self.local(row.claimed_at), self.utc(row.claimed_at), minutes_of(row.seconds_to_claim),
            row.released, row.escalation, row.service_desk, row.abandoned,
            row.resolved_by, self.local(row.resolved_at), self.utc(row.resolved_at), minutes_of(row.seconds_to_resolve),
            self.local(row.cancelled_at), self.utc(row.cancelled_at), row.outcome if kept else None,
            *[d or None for d in details], row.missing_steps,
        ]  # fmt: skip

    def feedback(self, item: Feedback, tickets: Mapping[str, str]) -> list[Any]:
        kept = self.kept(item.given_at)
        ticket = tickets.get(item.request_id) if item.request_id else None
        cells = [
            item.id, self.local(item.given_at), self.utc(item.given_at), item.kiosk, item.rating,
            FACES.get(item.rating), "; ".join(item.reasons) or None, (item.comment if kept else "") or None,
            item.request_id or None, ticket,
        ]  # fmt: skip
        if self.contacts:
            cells.append((item.contact if kept else "") or None)
        return cells

    def feedback_columns(self) -> tuple[str, ...]:
        return (*FEEDBACK_COLUMNS, CONTACT_COLUMN) if self.contacts else FEEDBACK_COLUMNS


def minutes_of(seconds: float | None) -> float | None:
    return round(seconds / 60, 1) if seconds is not None else None


_ZERO = timedelta(0)
YES_NO = {True: "yes", False: "no"}


def _csv_cells(cells: Sequence[object]) -> list[object]:
    # One pass per row, no call per cell: a year is 7 million cells. None is
    # written empty by the csv module; True/False as yes/no.
    return [
        ("'" + c if c[:1] in FORMULA_STARTS else c) if type(c) is str else YES_NO[c] if type(c) is bool else c
        for c in cells
    ]


def write_csv_lines(
    handle: IO[bytes],
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    ready: bool = False,
    follows: bool = False,
) -> int:
    """Rows as CSV; `ready`: the rows' cells are CSV cells already (StoredCells(for_csv=True));
    `follows`: only the rows, to be put after another part's (no byte order mark, no header)."""
    text = _csv_text(handle, bom=not follows)
    writer = csv.writer(text, lineterminator="\r\n")
    if not follows:
        writer.writerow(header)
    count = 0
    if ready:
        write, line = text.write, csv_line_maker()
        for cells in rows:
            write(line(cells))
            count += 1
    else:
        for cells in rows:
            writer.writerow(_csv_cells(cells))
            count += 1
    text.flush()
    text.detach()
    return count


def _csv_text(handle: IO[bytes], bom: bool) -> io.TextIOWrapper:
    # The BOM is how Excel knows the file is UTF-8 (else Chinese turns to
    # mojibake); written here, as utf-8-sig would, whose encoder is Python code
    # called for every row (a year's 475,000) where utf-8's is built in.
    # errors="replace": a lone surrogate from odd input becomes "?" rather
    # than aborting the whole export.
    if bom:
        handle.write(codecs.BOM_UTF8)
    return io.TextIOWrapper(handle, encoding="utf-8", errors="replace", newline="", write_through=False)


def write_jsonl_lines(handle: IO[bytes], header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    count = 0
    for cells in rows:
        line = json.dumps(dict(zip(header, cells, strict=True)), ensure_ascii=False) + "\n"
        handle.write(line.encode("utf-8", errors="replace"))
        count += 1
    return count


def line_maker(fmt: str, header: Sequence[str]) -> Callable[[Sequence[object]], str]:
    """One row's line as write_csv_lines (with `ready`) or write_jsonl_lines makes it, for write_lines."""
    if fmt == "csv":
        return csv_line_maker()
    return lambda cells: json.dumps(dict(zip(header, cells, strict=True)), ensure_ascii=False) + "\n"


def csv_line_maker() -> Callable[[Sequence[object]], str]:
    """One row of CSV cells (StoredCells(for_csv=True)) as the csv module writes it (Excel's dialect, CRLF)."""
    made: list[str] = []
    writer = csv.writer(_Appending(made), lineterminator="\r\n")

    def csv_line(cells: Sequence[object]) -> str:
        # The module quotes only a cell with a comma, a quote or a line end, writes None empty and
        # other cells as str() (a float's str is its repr): a row with none of those is its cells
        # joined. The module takes a third longer for a year's rows; it writes all others.
        line = ",".join(["" if c is None else c if type(c) is str else str(c) for c in cells])
        if '"' in line or "\n" in line or "\r" in line or line.count(",") != len(cells) - 1 or not line:
            writer.writerow(cells)
            return made.pop()
        return line + "\r\n"

    return csv_line


class _Appending:
    """What csv.writer writes to: each line it makes, appended to a list."""

    def __init__(self, lines: list[str]) -> None:
        self.write = lines.append


def write_lines(handle: IO[bytes], fmt: str, header: Sequence[str], lines: Iterable[str]) -> int:
    """Lines made by line_maker, as write_csv_lines or write_jsonl_lines writes their rows."""
    count = 0
    if fmt == "csv":
        text = _csv_text(handle, bom=True)
        csv.writer(text, lineterminator="\r\n").writerow(header)
        write = text.write
        for line in lines:
            write(line)
            count += 1
        text.flush()
        text.detach()
        return count
    for line in lines:
        handle.write(line.encode("utf-8", errors="replace"))
        count += 1
    return count


WRITERS: dict[str, Callable[[IO[bytes], Sequence[str], Iterable[Sequence[object]]], int]] = {
    "csv": write_csv_lines,
    "jsonl": write_jsonl_lines,
}


class StagedFiles:
    """Files written to temp names in the output folder and renamed into place
    only when every one of them is complete: a failure halfway (a corrupt
    partition read while streaming) leaves none of them, and no new folder."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self._created = not out.exists()
        self._staged: list[tuple[Path, Path]] = []
        self._scratch: list[Path] = []

    def temp_path(self, name: str) -> Path:
        """Where to write `name` for now; it is renamed into place at commit."""
        self.out.mkdir(parents=True, exist_ok=True)
        temp = self.out / f".{name}.{secrets.token_hex(6)}.tmp"
        self._staged.append((temp, self.out / name))
        return temp

    def scratch_path(self, name: str) -> Path:
        """Where to write a file that helps make `name`; it is removed at commit (or abandon)."""
        self.out.mkdir(parents=True, exist_ok=True)
        scratch = self.out / f".{name}.{secrets.token_hex(6)}.part"
        self._scratch.append(scratch)
        return scratch

    def write(self, name: str, fill: Callable[[IO[bytes]], int]) -> int:
        return fill_file(self.temp_path(name), fill)

    def commit(self) -> list[Path]:
        self._remove_scratch()
        for temp, path in self._staged:
            os.replace(temp, path)
        if self._staged:
            fd = os.open(self.out, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        return [path for _, path in self._staged]

    def _remove_scratch(self) -> None:
        for scratch in self._scratch:
            scratch.unlink(missing_ok=True)
        self._scratch.clear()

    def abandon(self) -> None:
        self._remove_scratch()
        for temp, _ in self._staged:
            temp.unlink(missing_ok=True)
        if self._created and self.out.is_dir() and not any(self.out.iterdir()):
            self.out.rmdir()


def fill_file(temp: Path, fill: Callable[[IO[bytes]], int]) -> int:
    with open(temp, "xb") as handle:
        count = fill(handle)
        handle.flush()
        os.fsync(handle.fileno())
    return count


def retention_cutoff(today: date, days: int) -> date:
    return today - timedelta(days=days)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the export; returns the exit code (0 done, 1 store error, 2 usage)."""
    from manager.report import run

    return run(argv, PROG, export_only=True)


if __name__ == "__main__":
    sys.exit(main())
