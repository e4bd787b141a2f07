"""Work done in a forked copy of this process, for a report's second core.

Touches nothing itself: the work it is given reads and writes what it says.

Why: a year of a busy store is read and counted in about 3 s on one core of
this machine's two (tried here, bench/report.py), and the report must take
at most 3 s. Feedback and searches do not need the requests until their
counts are joined, so a fork reads them beside the requests and hands back
its small results (counts, a few thousand comments, the joined feedback's
request ids) through a pipe, pickled. A fork copies the memory the parent
has, so the child costs little of its own (bench/report.py reports both).
Forking a process with threads can deadlock the child, so with more than one
thread running (a test, a server) or without fork the work runs here, first.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from shell.ports import StoreError

T = TypeVar("T")


def start(work: Callable[[], T]) -> Callable[[], T]:
    """Start `work` in a forked child; returns the function that waits for its result (or raises its error)."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        done = work()
        return lambda: done
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: do the work, send what came of it, leave without running the parent's exit code
        os.close(read_end)
        code = 0
        try:
            try:
                payload = pickle.dumps((True, work()), protocol=pickle.HIGHEST_PROTOCOL)
            except (StoreError, OSError, ValueError) as exc:
                payload = pickle.dumps((False, StoreError(str(exc))), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as out:
                out.write(payload)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)

    def result() -> T:
        with os.fdopen(read_end, "rb") as answer:
            payload = answer.read()  # before waiting: a full pipe would keep the child from ending
        _, status = os.waitpid(pid, 0)
        if not payload or status != 0:
            raise StoreError(f"the reading process ended without its result (status {status})")
        ok, value = pickle.loads(payload)
        if not ok:
            raise value
        return value  # type: ignore[no-any-return]

    return result


class Talk:
    """A forked child that can send messages before its result (see `talk`)."""

    def __init__(self, pid: int, read_end: int) -> None:
        self.pid, self._answer, self._done = pid, os.fdopen(read_end, "rb"), False
        self._messages: list[Any] = []

    def _frame(self) -> tuple[str, Any]:
        size = self._answer.read(8)
        payload = self._answer.read(int.from_bytes(size, "big")) if len(size) == 8 else b""
        if not payload:
            self.cancel()
            raise StoreError("the reading process ended without its result")
        kind, value = pickle.loads(payload)
        if kind == "error":
            self.cancel()
            raise value
        return kind, value

    def message(self, wait: bool, number: int = 0) -> Any:
        """The child's message `number` (0 = its first), or None if it has not come yet and `wait` is False."""
        while len(self._messages) <= number:
            if not wait and not select.select([self._answer], [], [], 0)[0]:
                return None
            kind, value = self._frame()
            if kind != "message":
                self.cancel()
                raise StoreError("the reading process ended without sending what was waited for")
            self._messages.append(value)
        return self._messages[number]

    def result(self) -> Any:
        kind, value = self._frame()
        while kind == "message":  # messages nobody waited for
            self._messages.append(value)
            kind, value = self._frame()
        self._answer.close()
        os.waitpid(self.pid, 0)
        self._done = True
        return value

    def cancel(self) -> None:
        """Stop the child (the parent failed, or the child did): it writes nothing more."""
        if not self._done:
            self._done = True
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.waitpid(self.pid, 0)
            self._answer.close()


class Here:
    """`talk`'s work done in this process, first: its messages and result kept."""

    def __init__(self, work: Callable[[Callable[[Any], None]], Any]) -> None:
        self._messages: list[Any] = []
        self._result = work(self._messages.append)

    def message(self, wait: bool, number: int = 0) -> Any:
        return self._messages[number] if number < len(self._messages) else None

    def result(self) -> Any:
        return self._result

    def cancel(self) -> None:
        pass


def talk(work: Callable[[Callable[[Any], None]], Any]) -> Talk | Here:
    """Start `work(send)` in a forked child: it may `send` messages (pickled) before its result."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return Here(work)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        code = 0
        try:
            out = os.fdopen(write_end, "wb")

            def send(kind: str, value: Any) -> None:
                payload = pickle.dumps((kind, value), protocol=pickle.HIGHEST_PROTOCOL)
                out.write(len(payload).to_bytes(8, "big") + payload)
                out.flush()

            try:
                send("result", work(lambda value: send("message", value)))
            except (StoreError, OSError, ValueError) as exc:
                send("error", StoreError(str(exc)))
            out.close()
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    return Talk(pid, read_end)
