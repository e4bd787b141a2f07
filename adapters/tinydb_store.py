"""The event log on disk: TinyDB files, one per UTC hour, written atomically.

The only file that imports tinydb. It touches the data directory and nothing
else; every TinyDB or OS error leaves it as `shell.ports.StoreError`.

Layout of a data directory::

    <data_dir>/.lock                      held (flock) by the one writer
    <data_dir>/requests/2026-11-24T09.json   log entries whose `at` falls in that UTC hour
    <data_dir>/requests/2026-11-24T09.1.json …and the next 200 of a busy hour, and so on
    <data_dir>/feedback/2026-11-24T09.json   feedback whose `given_at` falls in that hour
    <data_dir>/outbox/, retention.json       see adapters/file_outbox.py, scrub_free_text_before

(Files of a whole UTC day, `2026-11-24.json`, from earlier versions are read too.)

Why it is shaped like this:

- TinyDB rewrites the whole file on every insert, so a file per hour keeps an
  insert as cheap on day 1,000 as on day 1, and as cheap at closing time on a
  busy day as at opening (bench/storage.py, bench/latency.py measure it). The
  writer keeps the file it last wrote in memory instead of parsing it again
  before every insert; it is the only writer, so the copy cannot go stale.
- TinyDB's JSONStorage overwrites in place and then truncates, so a kill in
  between leaves a broken file (6 of 40 SIGKILLs during writes did, tried
  here). `AtomicJSONStorage` writes a temp file in the same folder, fsyncs
  it, renames it over the old one and fsyncs the folder: after a crash a
  reader sees the old file or the new one, never half of one.
- TinyDB is safe for neither threads nor processes. Inside the process a lock
  serialises every write; across processes only ONE may write a data
  directory, enforced by an exclusive flock on `<data_dir>/.lock` for as long
  as the log is open. Readers (`readonly=True`, e.g. the managers' export)
  take no lock at all: renames are atomic, so a reader never sees a torn file
  and never keeps a kiosk from starting.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

from tinydb import TinyDB
from tinydb.storages import Storage

from adapters.atomic_file import TEMP_SUFFIX, fsync_dir, write_atomically
from adapters.partition_files import (  # noqa: F401 (ALERTS, KINDS: named here for the writers' callers)
    ALERTS,
    FEEDBACK,
    KINDS,
    PARTITION_NAME,
    REQUESTS,
    SEARCHES,
    TABLE,
    partitions,
)
from core.model import Feedback, LogEntry, Search
from core.records import (
    entry_from_dict,
    entry_to_dict,
    feedback_from_dict,
    feedback_to_dict,
    search_from_dict,
    search_to_dict,
)
from core.retention import entry_without_free_text, feedback_without_free_text
from shell.ports import StoreError

log = logging.getLogger(__name__)

T = TypeVar("T")

_TABLE = TABLE
_PARTITION_NAME = PARTITION_NAME
# A busy hour moves on to `<hour>.1.json`, `<hour>.2.json`, …: every insert
# rewrites one file, and this keeps that file small whatever the traffic.
_MAX_RECORDS_PER_FILE = 200

# This hour's file for each kind plus the previous hour's, for entries stamped
# just before the hour that arrive just after it; older partitions are closed.
_MAX_OPEN_PARTITIONS = 2 * len(KINDS)


class AtomicJSONStorage(Storage):
    """A TinyDB storage that never leaves a half-written file.

    Each read parses the file afresh: the files are one day long, and a
    reader in another process must see the writer's latest rename.
    """

    def __init__(self, path: str | os.PathLike[str], readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._written: dict[str, dict[str, Any]] | None = None  # the writer's copy of the file

    def read(self) -> dict[str, dict[str, Any]] | None:
        if self._written is not None:
            return self._written
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None  # a day nothing happened yet; TinyDB starts it empty
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            # Never treat a broken file as empty: the next write would replace
            # a day of records with one.
            raise StoreError(f"{self.path} is not a valid log file: {exc}") from exc
        if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
            raise StoreError(f"{self.path} is not a valid log file: expected an object of tables")
        return data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        if self.readonly:
            raise StoreError(f"{self.path}: log opened read-only")
        # ASCII-only JSON: Chinese is stored as \u escapes, and even a lone
        # surrogate from odd input is stored instead of failing to encode.
        payload = json.dumps(data, ensure_ascii=True, separators=(",", ":")).encode("ascii")
        try:
            write_atomically(self.path, payload)
        except BaseException:
            # TinyDB changed `data` in place before asking us to write it: what
            # is on disk is the truth, read it again next time.
            self._written = None
            raise
        self._written = data


class TinyDBEventLog:
    """The `EventLog` port on TinyDB files partitioned by UTC day.

    Only one process may open a data directory for writing at a time; a
    second one gets StoreError("data dir X is in use by another process").
    `readonly=True` never writes, never locks and never creates anything.
    """

    def __init__(self, data_dir: str | os.PathLike[str], *, readonly: bool = False) -> None:
        self.data_dir = Path(data_dir)
        self.readonly = readonly
        self._write_lock = threading.Lock()
        self._open: OrderedDict[Path, TinyDB] = OrderedDict()
        self._parts: dict[tuple[str, str], int] = {}
        self._lock_fd: int | None = None
        self._closed = False
        if readonly:
            if not self.data_dir.is_dir():
                raise StoreError(f"data dir {self.data_dir} does not exist")
            return
        try:
            for kind in KINDS:
                (self.data_dir / kind).mkdir(parents=True, exist_ok=True)
            self._lock_fd = os.open(self.data_dir / ".lock", os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise StoreError(f"cannot open data dir {self.data_dir}: {exc}") from exc
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(self._lock_fd)
            self._lock_fd = None
            raise StoreError(f"data dir {self.data_dir} is in use by another process") from exc
        try:
            self._remove_leftover_temp_files()
            fsync_dir(self.data_dir)
        except OSError as exc:
            self.close()
            raise StoreError(f"cannot open data dir {self.data_dir}: {exc}") from exc

    # --- lifecycle ----------------------------------------------------------

    def close(self) -> None:
        """Close open partitions and give up the writer's lock. Idempotent."""
        with self._write_lock:
            if self._closed:
                return
            self._closed = True
            while self._open:
                _, db = self._open.popitem(last=False)
                db.close()
            if self._lock_fd is not None:
                os.close(self._lock_fd)  # closing the descriptor releases the flock
                self._lock_fd = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _remove_leftover_temp_files(self) -> None:
        # Only the lock holder may do this: a temp file is a write in progress
        # for whoever holds the lock, and a crash's leftover for nobody else.
        for kind in KINDS:
            for leftover in (self.data_dir / kind).glob(f".*{TEMP_SUFFIX}"):
                log.warning("removing %s, left by a write that never finished", leftover)
                leftover.unlink(missing_ok=True)

    # --- writing ------------------------------------------------------------

    def append_entry(self, entry: LogEntry) -> None:
        """Store one lifecycle step durably; it is on disk when this returns."""
        self._append(REQUESTS, entry.at, entry_to_dict(entry))

    def append_feedback(self, feedback: Feedback) -> None:
        """Store one shopper's feedback durably; it is on disk when this returns."""
        self._append(FEEDBACK, feedback.given_at, feedback_to_dict(feedback))

    def append_search(self, search: Search) -> None:
        """Store one search on the Find screen durably."""
        self._append(SEARCHES, search.at, search_to_dict(search))

    def append_record(self, kind: str, moment: datetime, record: dict[str, Any]) -> None:
        """Store a record of `kind` (one of KINDS) checked by its caller, filed under `moment`."""
        if kind not in _TABLE:
            raise StoreError(f"unknown kind of record {kind!r}")
        self._append(kind, moment, record)

    def _append(self, kind: str, moment: datetime, record: dict[str, Any]) -> None:
        if self.readonly:
            raise StoreError(f"data dir {self.data_dir} was opened read-only")
        with self._write_lock:
            if self._closed:
                raise StoreError(f"event log for {self.data_dir} is closed")
            path = self._partition(kind, moment.astimezone(UTC))
            try:
                table = self._db(path).table(_TABLE[kind])
                if len(table) >= _MAX_RECORDS_PER_FILE:
                    path = self._next_part(kind, moment.astimezone(UTC))
                    table = self._db(path).table(_TABLE[kind])
                table.insert(record)
            except StoreError:
                raise
            except (OSError, ValueError) as exc:
                raise StoreError(f"cannot write {path}: {exc}") from exc

    def _db(self, path: Path) -> TinyDB:
        """The cached writer for one partition (caller holds the write lock)."""
        db = self._open.get(path)
        if db is not None:
            self._open.move_to_end(path)
            return db
        db = TinyDB(path, storage=AtomicJSONStorage)
        self._open[path] = db
        while len(self._open) > _MAX_OPEN_PARTITIONS:
            _, oldest = self._open.popitem(last=False)
            oldest.close()
        return db

    # --- reading ------------------------------------------------------------

    def entries_between(self, first: date, last: date) -> list[LogEntry]:
        """Log entries whose UTC day is in [first, last], oldest first."""
        entries = list(self._read(REQUESTS, first, last, entry_from_dict))
        entries.sort(key=lambda e: e.at)
        return entries

    def entries_since(self, first: date) -> list[LogEntry]:
        """Log entries from `first` (UTC day) on, oldest first."""
        return self.entries_between(first, date.max)

    def feedback_between(self, first: date, last: date) -> list[Feedback]:
        """Feedback whose UTC day is in [first, last], oldest first."""
        feedback = list(self._read(FEEDBACK, first, last, feedback_from_dict))
        feedback.sort(key=lambda f: f.given_at)
        return feedback

    def searches_between(self, first: date, last: date) -> list[Search]:
        """Searches whose UTC day is in [first, last], oldest first."""
        searches = list(self._read(SEARCHES, first, last, search_from_dict))
        searches.sort(key=lambda s: s.at)
        return searches

    def records_between(self, kind: str, first: date, last: date) -> list[dict[str, Any]]:
        """Records of `kind` whose UTC day is in [first, last], as stored, in file order."""
        if kind not in _TABLE:
            raise StoreError(f"unknown kind of record {kind!r}")
        return list(self._read(kind, first, last, dict))

    def _read(self, kind: str, first: date, last: date, parse: Callable[[object], T]) -> Iterator[T]:
        if self._closed:
            raise StoreError(f"event log for {self.data_dir} is closed")
        # A fresh read-only TinyDB per file, not the writer's cached one:
        # reading needs no lock, because every file on disk is whole.
        for path in self._partitions(kind, first, last):
            db = TinyDB(path, storage=AtomicJSONStorage, readonly=True)
            try:
                documents = db.table(_TABLE[kind]).all()
            except StoreError:
                raise
            except (OSError, ValueError, AttributeError, TypeError) as exc:
                raise StoreError(f"cannot read {path}: {exc}") from exc
            finally:
                db.close()
            for document in documents:
                try:
                    yield parse(document)
                except ValueError as exc:
                    raise StoreError(f"{path}: record {document.doc_id}: {exc}") from exc

    # --- retention ----------------------------------------------------------

    def scrub_free_text_before(self, first_kept: date) -> int:
        """Remove free text from every record of days before `first_kept`
        (core/retention.py says what); how many records changed.

        Each day's file is rewritten at once, atomically. `retention.json`
        remembers how far it got, so a daily run reads only the new days.
        """
        if self.readonly:
            raise StoreError(f"data dir {self.data_dir} was opened read-only")
        marker = self.data_dir / "retention.json"
        done_through = date.min
        if marker.exists():
            try:
                done_through = date.fromisoformat(json.loads(marker.read_text())["scrubbed_before"])
            except (OSError, ValueError, KeyError, TypeError) as exc:
                log.warning("ignoring unreadable %s (%s): checking every old day", marker, exc)
        if first_kept <= done_through:
            return 0
        changed = 0
        last = first_kept - timedelta(days=1)

        def entry(record: Any) -> dict[str, Any]:
            return entry_to_dict(entry_without_free_text(entry_from_dict(record)))

        def feedback(record: Any) -> dict[str, Any]:
            return feedback_to_dict(feedback_without_free_text(feedback_from_dict(record)))

        with self._write_lock:
            for kind, change in ((REQUESTS, entry), (FEEDBACK, feedback)):
                for path in self._partitions(kind, done_through, last):
                    changed += self._rewrite(path, kind, change)
            try:
                write_atomically(marker, json.dumps({"scrubbed_before": first_kept.isoformat()}).encode())
            except OSError as exc:  # a full disk: said as the store's error, tried again at the next run
                raise StoreError(f"cannot write {marker}: {exc.strerror or exc}") from exc
        if changed:
            log.info("removed free text from %d record(s) before %s", changed, first_kept)
        return changed

    def _rewrite(self, path: Path, kind: str, change: Callable[[Any], dict[str, Any]]) -> int:
        """Apply `change` to every record of one day's file; one atomic write."""
        cached = self._open.pop(path, None)  # a cached writer would hold the old content
        if cached is not None:
            cached.close()
        storage = AtomicJSONStorage(path)
        data = storage.read() or {}
        table = data.get(_TABLE[kind], {})
        changed = 0
        for doc_id, record in table.items():
            try:
                new = change(record)
            except ValueError as exc:
                raise StoreError(f"{path}: record {doc_id}: {exc}") from exc
            if new != record:
                table[doc_id] = new
                changed += 1
        if changed:
            storage.write(data)
        return changed

    def _partitions(self, kind: str, first: date, last: date) -> list[Path]:
        return partitions(self.data_dir, kind, first, last)

    def _partition(self, kind: str, moment: datetime) -> Path:
        """The file this hour's records go to now (caller holds the write lock)."""
        hour = f"{moment:%Y-%m-%dT%H}"
        part = self._parts.get((kind, hour))
        if part is None:
            # First write to this hour since opening: continue its last part.
            found = [_PARTITION_NAME.match(p.name) for p in (self.data_dir / kind).glob(f"{hour}.*json")]
            part = max((int(m.group(3) or 0) for m in found if m), default=0)
            self._parts[(kind, hour)] = part
        return self._part_path(kind, hour, part)

    def _next_part(self, kind: str, moment: datetime) -> Path:
        hour = f"{moment:%Y-%m-%dT%H}"
        self._parts[(kind, hour)] = self._parts.get((kind, hour), 0) + 1
        return self._part_path(kind, hour, self._parts[(kind, hour)])

    def _part_path(self, kind: str, hour: str, part: int) -> Path:
        return self.data_dir / kind / (f"{hour}.json" if part == 0 else f"{hour}.{part}.json")
