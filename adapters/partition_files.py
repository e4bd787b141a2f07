"""Reading a data directory's partition files straight from disk, for reports.

Touches nothing but the files it is asked to read (no lock, no writes), and
needs no TinyDB: a partition is a JSON object of tables, `{"entries": {"1":
{...}, "2": {...}}}`, renamed into place whole by its one writer (see
adapters/tinydb_store.py), so `json.loads` of the file is the whole story. A
year of a busy store is read this way in a fraction of the time TinyDB's
documents take. Every OS or JSON problem leaves as `shell.ports.StoreError`.

The only file that imports orjson: it parses these files 2–3 times faster
than `json` (a year of a busy store: 1.4 s instead of 1.9 s), which is a
large part of the year's report. What orjson refuses and `json` reads (a
lone surrogate, written as `\\udXXX` by a writer that met odd input) is read
by `json` instead, so the two read the same files.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from shell.ports import StoreError

REQUESTS = "requests"
FEEDBACK = "feedback"
SEARCHES = "searches"  # what shoppers looked for on the Find screen
ALERTS = "alerts"  # the store's alerts, as the store's recorder keeps them
KINDS = (REQUESTS, FEEDBACK, SEARCHES, ALERTS)
TABLE = {REQUESTS: "entries", FEEDBACK: "feedback", SEARCHES: "searches", ALERTS: "alerts"}
# `2026-11-24T09.json`, `2026-11-24T09.1.json` (the next 200 of a busy hour), or a
# whole day `2026-11-24.json` from earlier versions.
PARTITION_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:T(\d{2})(?:\.(\d+))?)?\.json$")


def partitions(data_dir: Path, kind: str, first: date, last: date) -> list[Path]:
    """Existing partition files of `kind` whose UTC day is in [first, last], in time order
    (day, hour, part), by listing the folder once rather than probing every hour of a range."""
    folder = data_dir / kind
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise StoreError(f"cannot list {folder}: {exc}") from exc
    found = []
    for name in names:
        match = PARTITION_NAME.match(name)
        if not match:
            continue  # the lock, a writer's temp file, a file someone set aside
        try:
            day = date.fromisoformat(match.group(1))
        except ValueError:
            continue
        if first <= day <= last:
            found.append((day, int(match.group(2) or -1), int(match.group(3) or 0), folder / name))
    return [path for *_, path in sorted(found)]


def read_table(path: Path, kind: str) -> dict[str, Any]:
    """One partition's records as stored: doc id → record. A broken file is a StoreError, never empty."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}  # removed between listing and reading: nothing was in it for us
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc}") from exc
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise StoreError(f"{path} is not a valid log file: {exc}") from exc
    if not isinstance(data, dict):
        raise StoreError(f"{path} is not a valid log file: expected an object of tables")
    table = data.get(TABLE[kind], {})
    if not isinstance(table, dict):
        raise StoreError(f"{path} is not a valid log file: {TABLE[kind]} is not a table")
    return table


def tables(data_dir: Path, kind: str, first: date, last: date) -> Iterator[tuple[Path, dict[str, Any]]]:
    """(file, its table: doc id → record) of `kind` for UTC days [first, last], in time order."""
    for path in partitions(data_dir, kind, first, last):
        yield path, read_table(path, kind)


def records(data_dir: Path, kind: str, first: date, last: date) -> Iterator[tuple[Path, str, Any]]:
    """(file, doc id, record) of `kind` for UTC days [first, last], file by file in time order."""
    for path in partitions(data_dir, kind, first, last):
        for doc_id, record in read_table(path, kind).items():
            yield path, doc_id, record
