"""The demo's folder: where the project is, where the demo writes (var/demo/
unless --dir), how a path is shown, and the lock that allows one demo per
folder. Touches DIR/demo.lock only.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / "var" / "demo"


def shown(path: Path) -> str:
    """A path as a person in the project folder would type it."""
    with contextlib.suppress(ValueError):
        return str(path.relative_to(ROOT))
    return str(path)


class Lock:
    """One demo per folder: the supervisor holds DIR/demo.lock while it runs."""

    def __init__(self, demo_dir: Path) -> None:
        demo_dir.mkdir(parents=True, exist_ok=True)
        self.file = open(demo_dir / "demo.lock", "a+")  # noqa: SIM115 (held while the demo runs)

    def take(self) -> bool:
        try:
            fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        self.file.seek(0)
        self.file.truncate()
        self.file.write(f"{os.getpid()}\n")
        self.file.flush()
        return True

    def holder(self) -> str:
        self.file.seek(0)
        return self.file.read().strip() or "?"

    def release(self) -> None:
        fcntl.flock(self.file, fcntl.LOCK_UN)


def take_lock(demo_dir: Path) -> Lock | None:
    """The folder's lock, taken; None, said on stderr, when a demo holds it."""
    lock = Lock(demo_dir)
    if lock.take():
        return lock
    print(
        f"A demo is already running with {shown(demo_dir)} (pid {lock.holder()}). "
        f"Stop it first (kill {lock.holder()}), or give this one its own folder: --dir DIR",
        file=sys.stderr,
    )
    return None
