"""Driving the text fronts (headless kiosk, console pager) as real processes.

Touches subprocesses and pipes. Lines are read by a thread into a queue so a
test can wait for a line with a timeout instead of sleeping.
"""

from __future__ import annotations

import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class LineProcess:
    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, *args],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        self.stderr: list[str] = []
        self._stderr_grew = threading.Condition()
        threading.Thread(target=self._pump, args=(self.proc.stdout, self.lines), daemon=True).start()
        threading.Thread(target=self._drain, daemon=True).start()

    @staticmethod
    def _pump(stream, lines) -> None:  # type: ignore[no-untyped-def]
        for line in stream:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    def _drain(self) -> None:
        for line in self.proc.stderr:  # type: ignore[union-attr]
            with self._stderr_grew:
                self.stderr.append(line)
                self._stderr_grew.notify_all()
        with self._stderr_grew:
            self.stderr.append("")  # the end: wakes waiters one last time
            self._stderr_grew.notify_all()

    def logged(self, text: str, *, times: int = 1, timeout: float = 15.0) -> list[str]:
        """Wait until `text` is in at least `times` lines of stderr; those lines."""

        def found() -> list[str]:
            return [line for line in self.stderr if text in line]

        with self._stderr_grew:
            if not self._stderr_grew.wait_for(lambda: len(found()) >= times, timeout):
                raise TimeoutError(
                    f"{text!r} not logged {times} time(s) in {timeout}s; stderr {''.join(self.stderr[-20:])}"
                )
            return found()

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def expect(self, prefix: str, timeout: float = 15.0) -> str:
        """The next line starting with `prefix`; other lines are kept in `seen`."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                line = self.lines.get(timeout=max(left, 0.001))
            except queue.Empty:
                raise TimeoutError(
                    f"no line starting {prefix!r} within {timeout}s; seen {self.seen[-10:]}; "
                    f"stderr {''.join(self.stderr[-20:])}"
                ) from None
            if line is None:
                raise EOFError(f"process ended before {prefix!r}; stderr {''.join(self.stderr[-20:])}")
            self.seen.append(line)
            if line.startswith(prefix):
                return line

    def saw(self, prefix: str) -> str | None:
        """Without waiting: a line starting with `prefix` printed so far, if any.
        For tests that must keep another loop (Kivy's) turning while they wait."""
        while True:
            try:
                line = self.lines.get_nowait()
            except queue.Empty:
                break
            if line is None:
                break
            self.seen.append(line)
        return next((line for line in self.seen if line.startswith(prefix)), None)

    def close(self, timeout: float = 15.0) -> int:
        if self.proc.poll() is None:
            try:
                self.send("quit")
                self.proc.stdin.close()  # type: ignore[union-attr]
            except (BrokenPipeError, ValueError):
                pass
            try:
                return self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def run_to_end(*args: str) -> subprocess.CompletedProcess[str]:
    """An entry point (`run_kiosk.py --headless …`) run with no input to its end:
    for setups it must refuse at once, or that stop at the end of input."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
