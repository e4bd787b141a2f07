"""`store-assist-report`: a range of store-local days as a report (HTML, XLSX) and exports (CSV, JSON Lines).

Reads the store's record (`--record`) or one kiosk's data dir (`--data-dir`)
through manager/record.py (no lock, no writes), computes core/figures.py,
and writes only the files it names, into `--out`, each renamed into place
when all of them are complete. HTML and XLSX are laid out by
manager/report_html.py and manager/report_xlsx.py; `--mail` sends the
written files through the store's SMTP relay (manager/mail.py).

    python -m manager.report --record var/store/record --from 2026-11-23 --to 2026-11-29 --format html,xlsx

Exit codes: 0 done, 1 the record or the mail failed, 2 the command line or the configuration is wrong.
"""

from __future__ import annotations

import argparse
import gc
import re
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import NoReturn

from core.figures import Figures, WallClock
from manager.export import FORMATS, Cells, StagedFiles, retention_cutoff
from manager.export_rows import export_files
from manager.record import Record
from shell.config import ConfigError
from shell.ports import StoreError
from shell.store_config import REPORT_LANGUAGES, StoreConfig, default_store_config, load_store

PROG = "store-assist-report"
REPORT_FORMATS = ("html", "xlsx", *FORMATS)


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


def _parser(prog: str, export_only: bool) -> _Parser:
    what = "the request log and feedback as CSV or JSON Lines" if export_only else "a report with its figures"
    parser = _Parser(prog=prog, description=f"Write {what} for a range of store-local days.")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--record", type=Path, metavar="DIR", help="the store's record (the recorder's folder)")
    source.add_argument("--data-dir", type=Path, metavar="DIR", help="one kiosk's data directory")
    parser.add_argument("--from", dest="first", type=_day, metavar="YYYY-MM-DD", help="first day (default: today)")
    parser.add_argument("--to", dest="last", type=_day, metavar="YYYY-MM-DD", help="last day (default: --from)")
    formats = FORMATS if export_only else REPORT_FORMATS
    parser.add_argument(
        "--format",
        default="csv" if export_only else "html,xlsx",
        help=f"comma-separated, of {', '.join(formats)} (default: %(default)s)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        required=export_only,
        help="folder to write to" + ("" if export_only else " (default: reports.out_dir of the config)"),
    )
    parser.add_argument("--contacts", action="store_true", help="include shoppers' contact details (where given)")
    parser.add_argument("--config", type=Path, metavar="FILE", help="the store's config (default config/store.toml)")
    if not export_only:
        parser.add_argument("--lang", choices=REPORT_LANGUAGES, help="the report's language (default: config)")
        parser.add_argument("--mail", action="store_true", help="mail the files to the config's mail.to")
    return parser


def _args(argv: Sequence[str] | None, prog: str, export_only: bool) -> tuple[argparse.Namespace, StoreConfig]:
    parser = _parser(prog, export_only)
    args = parser.parse_args(argv)
    try:
        config = load_store(args.config or default_store_config())
    except ConfigError as exc:
        parser.error(f"config: {exc}")
    today = datetime.now(UTC).astimezone(config.tz).date()
    args.first = args.first or args.last or today
    args.last = args.last or args.first
    args.formats = [f.strip() for f in args.format.split(",") if f.strip()]
    allowed = FORMATS if export_only else REPORT_FORMATS
    bad = [f for f in args.formats if f not in allowed]
    folder = args.record or args.data_dir
    flag = "--record" if args.record else "--data-dir"
    if bad or not args.formats:
        parser.error(
            f"argument --format: invalid choice {','.join(bad) or args.format!r} (choose from {', '.join(allowed)})"
        )
    if args.first > args.last:
        parser.error(f"--from {args.first} is after --to {args.last}")
    if not folder.is_dir():
        parser.error(f"{flag} {folder}: no such directory")
    if not any((folder / kind).is_dir() for kind in ("requests", "feedback")):
        # A report of nothing would look like a quiet day.
        what = "the store's record" if flag == "--record" else "a kiosk's data dir"
        parser.error(f"{flag} {folder}: not {what} (no requests/ or feedback/ folder in it)")
    args.out = args.out or Path(config.reports.out_dir)
    if args.out.exists() and not args.out.is_dir():
        parser.error(f"--out {args.out}: exists and is not a directory")
    if not export_only:
        args.lang = args.lang or config.reports.language
        if args.mail and not config.mail.recipients:
            parser.error("--mail: the config has no mail.to")
    args.folder = folder
    return args, config


def figures_of(record: Record, config: StoreConfig, cutoff: date, now: datetime) -> Figures:
    return record.figures(
        targets=config.reports.targets(),
        per_associate=config.reports.per_associate,
        retention_cutoff=cutoff,
        store=config.store.id,
        store_name=config.store.name,
        now=now,
    )


def run(argv: Sequence[str] | None, prog: str = PROG, *, export_only: bool = False) -> int:
    args, config = _args(argv, prog, export_only)
    now = datetime.now(UTC)
    wall = WallClock(config.tz)
    cutoff = retention_cutoff(wall(now).date(), config.recorder.retention_days)
    staged = StagedFiles(args.out)
    stem = f"{args.first.isoformat()}_{args.last.isoformat()}"
    lines = []
    # A year's read makes millions of short-lived lists and dicts and no reference cycles: the
    # collector's passes over the requests' states kept in memory cost a third of the time (measured).
    gc.disable()
    try:
        tables = [f for f in args.formats if f in FORMATS]
        record = Record(args.folder, config.tz, args.first, args.last, rows_too=bool(tables) or "xlsx" in args.formats)
        needs_figures = not export_only and (args.mail or {"html", "xlsx"} & set(args.formats))
        figures = figures_of(record, config, cutoff, now) if needs_figures else None
        if "html" in args.formats:
            from manager.report_html import render_html

            name = f"report-{stem}.html"
            staged.temp_path(name).write_text(render_html(figures, args.lang), encoding="utf-8")
            lines.append(name)
        if "xlsx" in args.formats:
            from manager.report_xlsx import record_rows, write_xlsx

            name = f"report-{stem}.xlsx"
            requests, feedback = record_rows(record, cutoff, args.contacts)
            write_xlsx(staged.temp_path(name), figures, requests, feedback, args.lang, contacts=args.contacts)
            lines.append(name)
        counted = export_files(staged, record, Cells(wall, cutoff, args.contacts), args.first, args.last, tables)
        paths = staged.commit()
    except (StoreError, OSError) as exc:
        staged.abandon()
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 1
    except BaseException:
        staged.abandon()
        raise
    finally:
        gc.enable()
    rows_of = dict(counted)
    for path in paths:
        count = rows_of.get(path.name)
        suffix = "" if count is None else f" ({count} {'row' if count == 1 else 'rows'})"
        print(f"wrote {path}{suffix}")
    if not export_only and args.mail:
        return _mail(config, figures, paths, prog)
    return 0


def _mail(config: StoreConfig, figures: Figures | None, paths: list[Path], prog: str) -> int:
    from manager.mail import MailError, send_report

    assert figures is not None
    period = str(figures.first) if figures.first == figures.last else f"{figures.first} – {figures.last}"
    total = figures.total
    level = "–" if total.service_level is None else f"{total.service_level:.0f} %"
    index = figures.satisfaction.overall.index
    text = (
        f"{figures.store_name}, {period}\n"
        f"Requests: {total.requests}; service level: {level}; unclaimed: {total.unclaimed}; "
        f"satisfaction: {'–' if index is None else f'{index:.0f}'} of 100.\n"
        f"The report is attached: {', '.join(p.name for p in paths)}.\n"
    )
    try:
        send_report(config.mail, f"{figures.store_name}: report {period}", text, paths)
    except MailError as exc:
        print(f"{prog}: error: mail not sent: {exc}", file=sys.stderr)
        return 1
    print(f"mailed to {', '.join(config.mail.recipients)}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the report; returns the exit code (0 done, 1 store or mail error, 2 usage)."""
    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
