"""The outbox on disk: one small file per message waiting for the broker.

Touches `<data_dir>/outbox/` only; OS errors leave as `StoreError`. A file per
message makes adding and removing cost the same however many are waiting, and
each file is written atomically (adapters/atomic_file.py), so a crash leaves
a message whole or not there at all — never half of one.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from pathlib import Path

from adapters.atomic_file import TEMP_SUFFIX, fsync_dir, write_atomically
from shell.ports import Outgoing, StoreError

log = logging.getLogger(__name__)


class FileOutbox:
    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for leftover in self.folder.glob(f".*{TEMP_SUFFIX}"):
                leftover.unlink()  # a write that never finished was never accepted
            fsync_dir(self.folder)
        except OSError as exc:
            raise StoreError(f"cannot use outbox folder {self.folder}: {exc}") from exc

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def add(self, message: Outgoing) -> None:
        body = {
            "topic": message.topic,
            "payload": base64.b64encode(message.payload).decode("ascii"),
            "retain": message.retain,
            "expiry": message.expiry,
        }
        try:
            write_atomically(self._path(message.key), json.dumps(body).encode("ascii"))
        except OSError as exc:
            raise StoreError(f"cannot keep a message in {self.folder}: {exc}") from exc

    def remove(self, key: str) -> None:
        # No folder fsync: after a power cut the file may come back, and the
        # message is sent once more — receivers deduplicate. Cheaper than a
        # second fsync for every message.
        try:
            self._path(key).unlink(missing_ok=True)
        except OSError as exc:
            log.error("cannot remove sent message %s from the outbox: %s", key, exc)

    def pending(self) -> list[Outgoing]:
        waiting = []
        try:
            paths = sorted(p for p in self.folder.glob("*.json") if not p.name.startswith("."))
        except OSError as exc:
            raise StoreError(f"cannot read outbox folder {self.folder}: {exc}") from exc
        for path in paths:
            try:
                body = json.loads(path.read_bytes())
                waiting.append(
                    Outgoing(
                        key=path.stem,
                        topic=str(body["topic"]),
                        payload=base64.b64decode(body["payload"], validate=True),
                        retain=bool(body["retain"]),
                        expiry=body["expiry"] if isinstance(body["expiry"], int) else None,
                    )
                )
            except (OSError, ValueError, KeyError, TypeError) as exc:
                # Written atomically, so this is damage from outside: keep it
                # aside for a person to look at, and carry on with the rest.
                log.error("outbox file %s cannot be read (%s); moved aside as .bad", path, exc)
                path.replace(path.with_suffix(".bad"))
        return waiting

    def count(self) -> int:
        return sum(1 for p in self.folder.glob("*.json") if not p.name.startswith("."))
