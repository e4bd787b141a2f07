"""Storage insert cost as the log grows: ours against plain TinyDB, same run.

    .venv/bin/python -m bench.storage [--sizes 1000,100000,1000000]

For each size N, N records are already stored, then new records are inserted
one by one, each durable when the call returns:

- ours: TinyDBEventLog (a file per UTC hour of at most 200 records, atomic
  writes with fsync) holding N records spread over past hours;
- plain: TinyDB with its default JSONStorage, one file holding N records (no
  fsync: it is faster than it is safe).

Each case runs in its own process so that its peak resident memory is its own.
Target: ours p99 ≤ 5 ms at every size.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.figures import peak_rss_mb, summary_ms

T0 = datetime(2024, 1, 1, tzinfo=UTC)
PER_FILE = 200


def record(n: int, at: datetime) -> dict[str, object]:
    from core.model import Kind, LogEntry
    from core.records import entry_to_dict

    details = {"topic": "question"}
    entry = LogEntry(f"r{n:08d}", f"H-{n % 1000:03d}", Kind.HELP, "kiosk-1", "created", at, details=details)
    return entry_to_dict(entry)


def fill_ours(folder: Path, size: int) -> None:
    """N records in full hourly files, as a kiosk would have left them."""
    (folder / "requests").mkdir(parents=True)
    for start in range(0, size, PER_FILE):
        hour = T0 + timedelta(hours=start // PER_FILE)
        table = {str(i + 1): record(start + i, hour) for i in range(min(PER_FILE, size - start))}
        (folder / "requests" / f"{hour:%Y-%m-%dT%H}.json").write_text(json.dumps({"entries": table}))


def fill_plain(path: Path, size: int) -> None:
    table = {str(i + 1): record(i, T0) for i in range(size)}
    path.write_text(json.dumps({"_default": table}))


def case(kind: str, size: int, inserts: int) -> None:
    """One measurement, in this process; prints one JSON line."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        samples = []
        if kind == "ours":
            from adapters.tinydb_store import TinyDBEventLog
            from core.records import entry_from_dict

            fill_ours(folder, size)
            now = T0 + timedelta(hours=size // PER_FILE + 1)
            with TinyDBEventLog(folder) as log:
                for i in range(inserts):
                    entry = entry_from_dict(record(size + i, now))
                    start = time.perf_counter()
                    log.append_entry(entry)
                    samples.append(time.perf_counter() - start)
        else:
            from tinydb import TinyDB

            fill_plain(folder / "db.json", size)
            db = TinyDB(folder / "db.json")
            for i in range(inserts):
                start = time.perf_counter()
                db.insert(record(size + i, T0))
                samples.append(time.perf_counter() - start)
            db.close()
    print(json.dumps({"samples": samples, "peak_rss_mb": peak_rss_mb()}))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.storage")
    parser.add_argument("--sizes", default="1000,100000,1000000")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--inserts", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        case(args.case, args.size, args.inserts)
        return
    print("insert one record, durable on return, with N records already stored")
    for size in (int(s) for s in args.sizes.split(",")):
        # Plain TinyDB rewrites the whole file per insert: few samples at big sizes.
        plain_inserts = 500 if size <= 10_000 else 20 if size <= 100_000 else 3
        for kind, inserts in (("plain", plain_inserts), ("ours", 500)):
            out = subprocess.run(
                [sys.executable, "-m", "bench.storage", "--case", kind, "--size", str(size), "--inserts", str(inserts)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            result = json.loads(out.stdout.strip().splitlines()[-1])
            label = "plain TinyDB JSONStorage (baseline)" if kind == "plain" else "ours: hourly files, atomic + fsync"
            rss = f"peak RSS {result['peak_rss_mb']:.0f} MB"
            print(f"  N={size:>9,}  {label:38s} {summary_ms(result['samples'])}   {rss}")
    print("  target: ours p99 ≤ 5 ms at every size")


if __name__ == "__main__":
    main()
