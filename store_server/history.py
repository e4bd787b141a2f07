"""`store-assist-recorder import DIR …`: kiosks' history from before the recorder, into the store's record.

Touches the kiosks' data dirs (read only, no lock: a running kiosk may keep
writing them) and the record (its writer's lock: the recorder must be
stopped, and the lock says so plainly when it is not).

Idempotent: every record is looked for in the record by its identity
(core/recording.py) before it is written, so importing a dir twice, or a dir
whose states the recorder already kept live, doubles nothing. Every dir is
read whole before anything is written: a broken file stops the import with
the file named and the record unchanged.
"""

from __future__ import annotations

import logging
import sys
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from adapters.tinydb_store import TinyDBEventLog
from core.model import Feedback, LogEntry, Search
from core.recording import (
    FEEDBACK,
    REQUESTS,
    SEARCHES,
    Keep,
    entry_key,
    feedback_key,
    numbered,
    search_key,
)
from shell.ports import StoreError
from store_server.record import StoreRecord, open_record

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class KioskHistory:
    folder: Path
    entries: list[LogEntry]
    feedback: list[Feedback]
    searches: list[Search]


def read_kiosk_dir(folder: Path) -> KioskHistory:
    """Everything a kiosk's data dir holds; StoreError naming what is wrong."""
    if not folder.is_dir():
        raise StoreError(f"{folder}: no such directory")
    if not (folder / "requests").is_dir() and not (folder / "feedback").is_dir():
        raise StoreError(f"{folder} is not a kiosk's data dir (no requests/ or feedback/ folder in it)")
    kiosk = TinyDBEventLog(folder, readonly=True)
    try:
        # entries_between sorts by time and keeps file order for steps of one
        # instant: the order the kiosk made them, which numbers old entries.
        # A created step keeps the phone token for the kiosk's own restart; the store's record never holds one.
        entries = [replace(e, token="") for e in numbered(kiosk.entries_between(date.min, date.max))]
        feedback = kiosk.feedback_between(date.min, date.max)
        searches = kiosk.searches_between(date.min, date.max)
    finally:
        kiosk.close()
    return KioskHistory(folder, entries, feedback, searches)


def keeps(history: KioskHistory) -> list[Keep]:
    out = [Keep(REQUESTS, entry_key(e), e.at, e) for e in history.entries]
    out += [Keep(FEEDBACK, feedback_key(f), f.given_at, f) for f in history.feedback]
    out += [Keep(SEARCHES, search_key(s), s.at, s) for s in history.searches]
    return out


def import_into(record: StoreRecord, histories: list[KioskHistory]) -> dict[Path, Counter[str]]:
    """Write what the record does not hold yet; per dir, how many of each kind were added, and were there already."""
    counts: dict[Path, Counter[str]] = {}
    for history in histories:
        count: Counter[str] = Counter()
        for keep in keeps(history):
            if record.has(keep):
                count["already"] += 1
                continue
            record.store(keep)
            count[keep.kind] += 1
        counts[history.folder] = count
    return counts


def run_import(record_dir: str, folders: list[Path]) -> int:
    try:
        histories = [read_kiosk_dir(folder) for folder in folders]
    except StoreError as exc:
        print(f"store-assist-recorder import: {exc}; nothing imported", file=sys.stderr)
        return 1
    try:
        record = open_record(record_dir)
    except StoreError as exc:
        print(f"store-assist-recorder import: {exc}; nothing imported", file=sys.stderr)
        return 1
    try:
        counts = import_into(record, histories)
    except StoreError as exc:
        print(f"store-assist-recorder import: stopped: {exc} (what was written so far is whole; run it again)",
              file=sys.stderr)  # fmt: skip
        return 1
    finally:
        record.close()
    for folder, count in counts.items():
        print(
            f"imported {folder} into {record_dir}: {count[REQUESTS]} request step(s), {count[FEEDBACK]} feedback, "
            f"{count[SEARCHES]} search(es); {count['already']} already in the record"
        )
    return 0
