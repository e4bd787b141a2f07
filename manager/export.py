"""`store-assist-export`: the request log and feedback for a date range, as CSV.

Reads a data directory through `TinyDBEventLog(readonly=True)` — no lock, no
writes — so it can run beside a kiosk that is writing the same directory.
Writes only the files it reports, into `--out`.

    python -m manager.export --data-dir /var/lib/store-assist \\
        --from 2026-11-01 --to 2026-11-30 --out ~/exports

CSV is written the way Excel opens it without asking, Chinese included: UTF-8
with a byte order mark, CRLF line ends, a header row. Text cells that Excel
would run as a formula (starting with =, +, -, @, a tab or a carriage return)
are neutralised (CWE-1236: a shopper's comment must not run in Excel).
"""

from __future__ import annotations

import argparse
import csv
import io
import logging
import re
import sys
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import NoReturn

from adapters.atomic_file import write_atomically
from adapters.tinydb_store import TinyDBEventLog
from core.model import FACES, Feedback
from core.records import RequestRow, request_rows, to_iso_utc
from shell.ports import StoreError

log = logging.getLogger(__name__)

PROG = "store-assist-export"

# Excel, LibreOffice and Google Sheets start a formula at these; a shopper's
# comment "=HYPERLINK(...)" must stay text. OWASP's advice: prefix a quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

REQUEST_HEADER = (
    "request_id", "ticket", "kind", "kiosk", "details",
    "created_at", "claimed_by", "claimed_at", "minutes_to_claim", "released",
    "resolved_by", "resolved_at", "minutes_to_resolve", "cancelled_at", "outcome",
)  # fmt: skip
FEEDBACK_HEADER = ("given_at", "kiosk", "rating", "face", "reasons", "comment")


class UsageError(Exception):
    """The command line asks for something that cannot be done; exit 2."""


def neutralise(cell: object) -> object:
    """A text cell that a spreadsheet would evaluate gets a leading `'`.

    Only text is touched: numbers we computed (minutes, ratings) stay numbers.
    """
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def _time(moment: datetime | None) -> str:
    return to_iso_utc(moment) if moment is not None else ""


def _minutes(seconds: float | None) -> float | str:
    return round(seconds / 60, 1) if seconds is not None else ""


def request_cells(row: RequestRow) -> list[object]:
    details = "; ".join(f"{key}: {value}" for key, value in sorted(row.details.items()))
    return [
        row.request_id, row.ticket, row.kind.value, row.kiosk, details,
        _time(row.created_at), row.claimed_by or "", _time(row.claimed_at),
        _minutes(row.seconds_to_claim), row.released,
        row.resolved_by or "", _time(row.resolved_at), _minutes(row.seconds_to_resolve),
        _time(row.cancelled_at), row.outcome or "",
    ]  # fmt: skip


def feedback_cells(feedback: Feedback) -> list[object]:
    return [
        _time(feedback.given_at),
        feedback.kiosk,
        feedback.rating,
        FACES.get(feedback.rating, ""),
        "; ".join(feedback.reasons),
        feedback.comment,
    ]


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write one CSV file atomically; return the number of data rows.

    A temp file renamed into place means an interrupted export never leaves
    a half file that looks complete.
    """
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(header)
    count = 0
    for cells in rows:
        writer.writerow([neutralise(cell) for cell in cells])
        count += 1
    # utf-8-sig: the BOM is how Excel knows the file is UTF-8 (else Chinese
    # turns to mojibake). errors="replace": a lone surrogate from odd input
    # becomes "?" rather than aborting the whole export.
    write_atomically(path, text.getvalue().encode("utf-8-sig", errors="replace"))
    return count


def export_csv(event_log: TinyDBEventLog, first: date, last: date, out: Path) -> list[tuple[Path, int]]:
    """Write both CSV files for [first, last]; return (path, rows) per file."""
    # Read everything before writing anything: a corrupt partition must not
    # leave one file written and the other missing.
    rows = request_rows(event_log.entries_between(first, last))
    feedback = _unique(event_log.feedback_between(first, last))
    stem = f"{first.isoformat()}_{last.isoformat()}"
    out.mkdir(parents=True, exist_ok=True)
    written = []
    path = out / f"requests-{stem}.csv"
    written.append((path, write_csv(path, REQUEST_HEADER, map(request_cells, rows))))
    path = out / f"feedback-{stem}.csv"
    written.append((path, write_csv(path, FEEDBACK_HEADER, map(feedback_cells, feedback))))
    return written


def _unique(feedback: list[Feedback]) -> list[Feedback]:
    # A retried write can store one shopper's feedback twice; count it once.
    seen: set[str] = set()
    unique = []
    for item in feedback:
        if item.id not in seen:
            seen.add(item.id)
            unique.append(item)
    return unique


# --- command line ----------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line that says what is wrong; `--help` has the usage.
        self.exit(2, f"{self.prog}: error: {message}\n")


_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _day(text: str) -> date:
    # Only YYYY-MM-DD: fromisoformat alone would also take `20261124`.
    try:
        if _DAY.match(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}")


def parse_args(argv: Sequence[str] | None, today: date) -> argparse.Namespace:
    parser = _Parser(
        prog=PROG,
        description="Export the request log and feedback for a range of UTC days as CSV.",
    )
    parser.add_argument(
        "--data-dir",
        required=True,
        type=Path,
        metavar="DIR",
        help="the kiosk's data directory (read only, never locked)",
    )
    parser.add_argument(
        "--from",
        dest="first",
        type=_day,
        metavar="YYYY-MM-DD",
        help="first UTC day (default: --to, or today)",
    )
    parser.add_argument(
        "--to",
        dest="last",
        type=_day,
        metavar="YYYY-MM-DD",
        help="last UTC day, inclusive (default: --from)",
    )
    parser.add_argument(
        "--out",
        required=True,
        type=Path,
        metavar="DIR",
        help="folder to write the files to (created if missing)",
    )
    parser.add_argument("--format", choices=("csv",), default="csv", help="file format")
    args = parser.parse_args(argv)
    # Neither given: today. One given: that single day.
    args.first = args.first or args.last or today
    args.last = args.last or args.first
    try:
        _check(args)
    except UsageError as exc:
        parser.error(str(exc))
    return args


def _check(args: argparse.Namespace) -> None:
    if args.first > args.last:
        raise UsageError(f"--from {args.first} is after --to {args.last}")
    if not args.data_dir.is_dir():
        raise UsageError(f"--data-dir {args.data_dir}: no such directory")
    if args.out.exists() and not args.out.is_dir():
        raise UsageError(f"--out {args.out}: exists and is not a directory")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the export; returns the exit code (0 done, 1 store error, 2 usage)."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = parse_args(argv, today=datetime.now(UTC).date())
    try:
        with TinyDBEventLog(args.data_dir, readonly=True) as event_log:
            written = export_csv(event_log, args.first, args.last, args.out)
    except (StoreError, OSError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 1
    for path, count in written:
        print(f"wrote {path} ({count} {'row' if count == 1 else 'rows'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
