"""A health gate for systemd's watchdog: WATCHDOG=1 only while the process can do its work.

`Watchdog.ping` is called from the service's own loop (a stuck loop sends
nothing); it asks `trouble()` first — None when all is well, else a short
line that goes to STATUS and holds the ping back, so systemd restarts the
service once the watchdog interval passes. `StorageProbe` tells whether a
folder takes a new file now. Touches the folders it is given (a probe file
written and removed); the notifier is any object with ping() and status().
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

PROBE = ".watchdog-probe"


class Notifier(Protocol):
    def ping(self) -> None: ...

    def status(self, line: str) -> None: ...


class Watchdog:
    def __init__(self, notifier: Notifier, trouble: Callable[[], str | None], status: str) -> None:
        self.notifier = notifier
        self.trouble = trouble
        self.status = status  # the line for `systemctl status` while all is well
        self._said = status

    def ping(self) -> None:
        trouble = self.trouble()
        self._tell(trouble or self.status)
        if trouble is None:
            self.notifier.ping()

    def _tell(self, line: str) -> None:
        if line != self._said:
            self._said = line
            self.notifier.status(line)


class StorageProbe:
    """Whether each of `folders` takes a new file now: one byte written and removed (a full disk, a
    read-only remount, a folder gone or replaced all say no — for root too, whom permissions do not stop).
    A folder not made yet is tried at its parent, where it would be made."""

    def __init__(self, folders: Sequence[Path]) -> None:
        self.folders = list(folders)

    def trouble(self) -> str | None:
        for folder in self.folders:
            where = folder if folder.exists() or not folder.parent.is_dir() else folder.parent
            probe = where / PROBE
            try:
                fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                try:
                    os.write(fd, b"1")
                finally:
                    os.close(fd)
                os.unlink(probe)
            except OSError as exc:
                return f"storage cannot be written: {folder}: {exc.strerror or exc}"
        return None
