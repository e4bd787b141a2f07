"""Processes of the demo, as the supervisor and the launcher see them: a
started or found process (`Proc`) and how to wait for and stop several at
once, the signals that ask for a stop, and lines read from a descriptor
without blocking. Touches /proc, pidfds, signals and the descriptors given.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


class DemoError(Exception):
    """Something the demo needs did not start: said in one line, then everything stops."""


class Stop(Exception):
    """A signal or a command asked the demo to stop."""


def running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie has ended)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rpartition(b")")[2].split()[0] != b"Z"
    except (OSError, IndexError):
        return False


def cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")[:-1]
    except OSError:
        return []


def _pidfd(pid: int) -> int | None:
    """A descriptor that becomes readable when `pid` ends (child or not);
    None where Linux has no pidfd (then the demo checks every half second)."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


@dataclass
class Proc:
    name: str
    pid: int
    argv: list[str]
    popen: subprocess.Popen[bytes] | None = None  # our own child; None: a process in a tmux pane
    pane: str | None = None  # the tmux pane it runs in
    gentle: int = signal.SIGTERM  # the signal it stops cleanly on
    fd: int | None = None  # readable once it has ended
    reported: bool = False  # its end has been said

    def __post_init__(self) -> None:
        self.fd = _pidfd(self.pid)

    def ended(self) -> bool:
        if self.popen is not None:
            return self.popen.poll() is not None
        return not running(self.pid)

    def signal(self, signum: int) -> None:
        if not self.ended():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(self.pid, signum)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def wait_ended(procs: Iterable[Proc], timeout: float, wake: int | None = None) -> bool:
    """Wait until every one has ended (True) or `timeout` passes (False);
    `wake` (a descriptor) cuts the wait short when readable."""
    procs = list(procs)
    deadline = time.monotonic() + timeout
    while True:
        left = [p for p in procs if not p.ended()]
        remaining = deadline - time.monotonic()
        if not left:
            return True
        if remaining <= 0:
            return False
        fds = [p.fd for p in left if p.fd is not None]
        polling = len(fds) < len(left)
        wait_on = fds + ([wake] if wake is not None else [])
        ready, _, _ = select_fds(wait_on, min(remaining, 0.5) if polling else remaining)
        if wake is not None and wake in ready:
            return False


def select_fds(fds: list[int], timeout: float) -> tuple[list[int], list[int], list[int]]:
    return select.select(fds, [], [], timeout)


def stop_procs(procs: list[Proc], timeout: float) -> list[Proc]:
    """Stop them together: the signal each stops cleanly on, then SIGTERM,
    then SIGKILL. Those still running at the end are returned."""
    for proc in procs:
        proc.signal(proc.gentle)
    if not wait_ended(procs, timeout):
        for proc in procs:
            proc.signal(signal.SIGTERM if proc.gentle != signal.SIGTERM else signal.SIGKILL)
        if not wait_ended(procs, timeout / 2):
            for proc in procs:
                proc.signal(signal.SIGKILL)
            wait_ended(procs, 2.0)
    return [p for p in procs if not p.ended()]


class Signals:
    """SIGTERM, SIGINT and SIGHUP all ask for a stop: noted, and a byte on
    `fd` wakes whatever waits (select on it)."""

    def __init__(self) -> None:
        self.fd, self._write = os.pipe()
        for end in (self.fd, self._write):
            os.set_blocking(end, False)
        self.received: str | None = None
        signal.set_wakeup_fd(self._write)
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, self._on_signal)

    def _on_signal(self, signum: int, _frame: object) -> None:
        self.received = self.received or signal.Signals(signum).name

    def drain(self) -> None:
        with contextlib.suppress(BlockingIOError):
            while os.read(self.fd, 512):
                pass

    def check(self) -> None:
        if self.received:
            raise Stop(self.received)


class Lines:
    """Whole lines from a descriptor read without blocking; None at its end."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._partial = b""

    def read(self) -> list[str] | None:
        try:
            chunk = os.read(self.fd, 65536)
        except BlockingIOError:
            return []
        except OSError:  # a terminal that went away
            chunk = b""
        if not chunk:
            return None
        *lines, self._partial = (self._partial + chunk).split(b"\n")
        return [line.decode(errors="replace").rstrip("\r") for line in lines]
