"""Writing a file so that a crash or power cut leaves the old file or the new one.

Touches the file system only. Used by the event log (TinyDB partitions) and the
kiosk's outbox (one file per message waiting for the broker).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

TEMP_SUFFIX = ".tmp"


def fsync_dir(folder: Path) -> None:
    """Make a rename, a new file or a removal in `folder` survive a power cut."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(path: Path, payload: bytes) -> None:
    """Temp file in the same folder, fsync, rename over `path`, fsync the folder.

    A reader (or the next start after a crash) sees the whole old file or the
    whole new one, never half of one; leftovers are named `.<name>.<random>.tmp`.
    """
    folder = path.parent
    temp = folder / f".{path.name}.{secrets.token_hex(6)}{TEMP_SUFFIX}"
    # O_EXCL: the name is ours alone; 0o666 lets the umask decide, as for any new file.
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_dir(folder)
