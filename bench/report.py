"""A year of a busy store to reports and exports: how long each takes and its peak memory.

    .venv/bin/python -m bench.report [--keep DIR]

Writes a year (2025) of a busy store — 300 requests and 1,000 feedback a day,
about 320,000 log entries, 365,000 feedback and 180,000 searches — straight
into partition files in the record's on-disk format (200 records a file, one
file per UTC hour and part, as adapters/tinydb_store.py writes them), then
runs each case in its own process and reports its wall time (interpreter
start included) and peak RSS, and that of the second process a year's
report reads with (manager/forked.py): the export as it was before the store's record
(TinyDB documents, LogEntry objects, the whole file built in memory) beside
the new CSV export, the HTML and XLSX reports, and one day's report.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.figures import peak_rss_mb

ROOT = Path(__file__).resolve().parent.parent
YEAR_FIRST, YEAR_LAST = date(2025, 1, 1), date(2025, 12, 31)
REQUESTS_A_DAY, FEEDBACK_A_DAY, SEARCHES_A_DAY = 300, 1000, 500
TZ = ZoneInfo("Europe/Amsterdam")
PER_FILE = 200
KINDS = ("find", "return", "help")
STAFF = ("Anna", "Ben", "Cai", "Dana", "Emre", "Femke")
LANGUAGES = ("nl", "nl", "nl", "en", "en", "zh_Hans", "zh_Hant")
REASONS = ("waited too long", "could not find it", "friendly staff", "quick help")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"


class _Files:
    """Records grouped by UTC hour into files of at most 200, as the writer leaves them."""

    def __init__(self, folder: Path, table: str) -> None:
        self.folder, self.table = folder, table
        folder.mkdir(parents=True, exist_ok=True)
        self.by_hour: dict[str, list[dict]] = {}

    def add(self, moment: datetime, record: dict) -> None:
        self.by_hour.setdefault(f"{moment.astimezone(UTC):%Y-%m-%dT%H}", []).append(record)

    def flush(self) -> int:
        count = 0
        for hour, records in self.by_hour.items():
            for part in range(0, len(records), PER_FILE):
                chunk = records[part : part + PER_FILE]
                name = f"{hour}.json" if part == 0 else f"{hour}.{part // PER_FILE}.json"
                table = {str(n + 1): record for n, record in enumerate(chunk)}
                payload = json.dumps({self.table: table}, ensure_ascii=True, separators=(",", ":"))
                (self.folder / name).write_text(payload, encoding="ascii")
                count += len(chunk)
        self.by_hour.clear()
        return count


def generate(data_dir: Path) -> tuple[int, int, int]:
    rng = random.Random(12)
    entries, feedback, searches = (
        _Files(data_dir / "requests", "entries"), _Files(data_dir / "feedback", "feedback"),
        _Files(data_dir / "searches", "searches"),
    )  # fmt: skip
    totals = [0, 0, 0]
    day = YEAR_FIRST
    while day <= YEAR_LAST:
        opening = datetime(day.year, day.month, day.day, 8, 0, tzinfo=TZ)
        request_ids = []
        for n in range(REQUESTS_A_DAY):
            kind = KINDS[n % 3]
            rid = f"{day:%Y%m%d}-{n:04d}"
            request_ids.append(rid)
            at = opening + timedelta(seconds=rng.uniform(0, 13 * 3600))
            base = {"v": 1, "request_id": rid, "ticket": f"{kind[0].upper()}-{n:03d}", "kind": kind,
                    "kiosk": rng.choice(("entrance-north", "entrance-south")), "staff": None,
                    "outcome": None}  # fmt: skip
            details = {"language": rng.choice(LANGUAGES)}
            if kind == "find":
                details |= {"item": "shampoo 250 ml", "sku": "100234", "aisle": "7", "shelf": "3"}
            elif kind == "return":
                details |= {"reason": "broken", "receipt": "R-2291"}
            else:
                details |= {"topic": "price", "note": "where are the prices"}
            steps = [("created", at, None, None, details)]
            t = at + timedelta(seconds=rng.expovariate(1 / 70))
            roll = rng.random()
            if roll < 0.04:
                steps.append(("cancelled", t, None, None, {}))
            elif roll < 0.07:
                steps.append(("escalated", t, None, None, {"level": "3"}))
            else:
                staff = rng.choice(STAFF)
                steps.append(("claimed", t, staff, None, {}))
                steps.append(("resolved", t + timedelta(seconds=rng.uniform(60, 600)), staff, "done", {}))
            for seq, (event, moment, staff, outcome, step_details) in enumerate(steps, 1):
                record = dict(base, event=event, at=_iso(moment), staff=staff, outcome=outcome,
                              details=step_details, seq=seq)  # fmt: skip
                entries.add(moment, record)
        for n in range(FEEDBACK_A_DAY):
            at = opening + timedelta(seconds=rng.uniform(0, 13 * 3600))
            rating = rng.choice((1, 2, 3, 3, 4, 4, 4))
            record = {"v": 1, "id": f"fb-{day:%Y%m%d}-{n:04d}", "kiosk": "entrance-north", "rating": rating,
                      "given_at": _iso(at), "reasons": [rng.choice(REASONS)] if rating <= 2 else [],
                      "comment": "it took a while" if n % 20 == 0 else "", "contact": "",
                      "request_id": rng.choice(request_ids) if n % 5 == 0 else ""}  # fmt: skip
            feedback.add(at, record)
        for n in range(SEARCHES_A_DAY):
            at = opening + timedelta(seconds=rng.uniform(0, 13 * 3600))
            found = rng.random() > 0.2
            record = {"v": 1, "id": f"s-{day:%Y%m%d}-{n:04d}", "kiosk": "entrance-north", "at": _iso(at),
                      "term": rng.choice(("shampoo", "Oat milk", "oat  milk", "batteries", "glue")),
                      "results": 3 if found else 0, "out_of_stock": ["100234 shampoo 250 ml"] if n % 9 == 0 else [],
                      "taken": ""}  # fmt: skip
            searches.add(at, record)
        if day.day == 28 or day == YEAR_LAST:  # flush every month: bounded memory while generating
            for i, files in enumerate((entries, feedback, searches)):
                totals[i] += files.flush()
        day += timedelta(days=1)
    return totals[0], totals[1], totals[2]


# --- the cases, each run in its own process --------------------------------------


def baseline(data_dir: Path, out: Path) -> None:
    """The export as it was: TinyDB documents to LogEntry and Feedback, folded, the CSV built in memory."""
    from adapters.atomic_file import write_atomically
    from adapters.tinydb_store import TinyDBEventLog
    from core.records import request_rows, to_iso_utc

    def when(moment: datetime | None) -> str:
        return to_iso_utc(moment) if moment else ""

    with TinyDBEventLog(data_dir, readonly=True) as log:
        rows = request_rows(log.entries_between(YEAR_FIRST, YEAR_LAST))
        feedback = log.feedback_between(YEAR_FIRST, YEAR_LAST)
    out.mkdir(parents=True, exist_ok=True)
    for name, lines in (
        ("requests.csv", ([r.request_id, r.ticket, r.kind.value, r.kiosk,
                           "; ".join(f"{k}: {v}" for k, v in sorted(r.details.items())), when(r.created_at),
                           r.claimed_by or "", when(r.claimed_at), r.seconds_to_claim, r.released, r.resolved_by or "",
                           when(r.resolved_at), r.seconds_to_resolve, when(r.cancelled_at), r.outcome or ""]
                          for r in rows)),
        ("feedback.csv", ([when(f.given_at), f.kiosk, f.rating, "; ".join(f.reasons), f.comment] for f in feedback)),
    ):  # fmt: skip
        text = io.StringIO(newline="")
        writer = csv.writer(text, lineterminator="\r\n")
        for cells in lines:
            writer.writerow(cells)
        write_atomically(out / name, text.getvalue().encode("utf-8-sig"))


def run_case(case: str, data_dir: Path, out: Path) -> None:
    year = ["--from", str(YEAR_FIRST), "--to", str(YEAR_LAST)]
    if case == "baseline":
        baseline(data_dir, out)
        return
    from manager.report import main

    config = ["--config", str(ROOT / "config" / "store.toml")]
    args = {
        "csv": ["--format", "csv", *year],
        "html": ["--format", "html", *year],
        "xlsx": ["--format", "xlsx", *year],
        "day": ["--format", "html,xlsx" if _has_xlsx() else "html", "--from", "2025-06-14"],
    }[case]
    with open(os.devnull, "w") as quiet:
        stdout, sys.stdout = sys.stdout, quiet
        try:
            code = main(["--record", str(data_dir), "--out", str(out), *config, *args])
        finally:
            sys.stdout = stdout
    if code != 0:
        raise SystemExit(f"{case}: exit {code}")


def _has_xlsx() -> bool:
    return (ROOT / "manager" / "report_xlsx.py").exists()


def measure(case: str, data_dir: Path, out: Path) -> tuple[float, float, float]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bench.report", "--case", case, "--data", str(data_dir), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{case} failed:\n{done.stderr}")
    own, forked = done.stdout.strip().splitlines()[-1].split()
    return elapsed, float(own), float(forked)


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.report")
    parser.add_argument("--case")
    parser.add_argument("--data", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--keep", type=Path, help="generate into (or reuse) this folder and keep it")
    args = parser.parse_args()
    if args.case:
        run_case(args.case, args.data, args.out)
        # The report reads a long range with a second process (manager/forked.py): its peak too.
        print(f"{peak_rss_mb():.1f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.1f}")
        return
    work = Path(tempfile.mkdtemp(prefix="bench-report-"))
    data_dir = args.keep or work / "record"
    try:
        if not (data_dir / "requests").is_dir():
            started = time.perf_counter()
            counts = generate(data_dir)
            print(f"generated {counts[0]:,} log entries, {counts[1]:,} feedback, {counts[2]:,} searches "
                  f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
        cases = [("baseline", "today's CSV export (before)", None), ("csv", "CSV export, a year", 3.0),
                 ("html", "HTML report, a year", 3.0)]  # fmt: skip
        if _has_xlsx():
            cases.append(("xlsx", "XLSX report, a year", 10.0))
        cases.append(("day", "one day's report", 0.5))
        print(f"{'case':32} {'seconds':>8} {'target':>7} {'peak RSS':>10} {'2nd process':>12}")
        for case, label, target in cases:
            elapsed, rss, forked = measure(case, data_dir, work / f"out-{case}")
            goal = f"{target:.1f}" if target else "–"
            second = f"{forked:9.0f} MB" if forked else f"{'–':>12}"
            print(f"{label:32} {elapsed:8.2f} {goal:>7} {rss:7.0f} MB {second}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
