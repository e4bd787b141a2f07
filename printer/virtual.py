"""A virtual ticket printer on a pseudo-terminal, for the demo and the tests.

    python -m printer.virtual --out DIR

Opens a pseudo-terminal pair and prints `port /dev/pts/N` as its first line:
give that port to the kiosk (`--printer /dev/pts/N`). Every byte the kiosk
sends is appended to DIR/printer.bin; each finished (cut) ticket is decoded
into DIR/ticket-<number>.txt and drawn as DIR/ticket-<number>.png, and a line
`ticket <number> <png>` is printed.

It answers the real-time status queries `DLE EOT 1`, `2` and `4` from a
simulated state (printer/printer_status.py has the bits), which lines on
standard input change, each acknowledged with the whole state:

    paper ok|low|out   cover open|closed   offline   online   mute   answer

    -> state paper=out cover=closed offline=no answering=yes

`mute` makes it a printer with no return line: it hears queries and answers
nothing. While the paper is out, the cover open or it is offline it prints
nothing, like a real printer: the bytes still go to printer.bin, but make no
ticket, and a line `dropped <n> bytes: paper out` says so. An unknown line is
answered `error: unknown command ...` and changes nothing. Stops at the end of
its standard input (Ctrl-D, or the parent closing the pipe) or on
SIGTERM/SIGINT.

In a test process: `VirtualPrinter(out=None)` keeps no files; `start()` runs
it on a thread, `close()` stops it; `received()` and `tickets()` say what
came; the `set_…` methods change its state from any thread.

Touches the pty pair, DIR, stdin, stdout and stderr (log).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import logging
import os
import select
import signal
import sys
import threading
import tty
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO

from printer.decode import PrintedTicket, tickets_in
from printer.preview import render
from printer.printer_status import PAPER, split_queries, status_byte

log = logging.getLogger(__name__)

PENDING_MAX = 4 << 20  # bytes without a cut kept for decoding; more is junk, not a ticket
RECEIVED_MAX = 16 << 20  # bytes kept in memory for received(); printer.bin keeps them all
TICKETS_KEPT = 1000  # finished tickets kept in memory for tickets()
STOP_WAIT = 5.0  # seconds close() waits for the loop that start() began


@dataclass(frozen=True)
class Simulated:
    """What the virtual printer pretends about itself."""

    paper: str = "ok"  # one of PAPER
    cover_open: bool = False
    offline: bool = False
    answering: bool = True  # False: no return line, queries go unanswered

    @property
    def stopped_by(self) -> str | None:
        """Why it does not print now; None when it prints."""
        if self.paper == "out":
            return "paper out"
        if self.cover_open:
            return "cover open"
        return "offline" if self.offline else None

    def answer(self, n: int) -> int:
        return status_byte(n, paper=self.paper, cover_open=self.cover_open, offline=self.offline)

    def line(self) -> str:
        cover = "open" if self.cover_open else "closed"
        offline, answering = ("yes" if flag else "no" for flag in (self.offline, self.answering))
        return f"state paper={self.paper} cover={cover} offline={offline} answering={answering}"


def _log_line(line: str) -> None:
    log.info("%s", line)


class VirtualPrinter:
    def __init__(self, out: Path | None = None, *, say: Callable[[str], None] = _log_line) -> None:
        """`out`: the folder for printer.bin and the tickets (None: no files).
        `say`: where its lines go (`ticket …`, `dropped …`, `state …`)."""
        self.out = out
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
        self._say = say
        self.master, self.slave = os.openpty()
        # Raw mode: every byte passes unchanged (no CR/LF mapping, no XON/XOFF
        # eating 0x11/0x13, no echo back to the kiosk). The slave stays open
        # here too, so the master sees no hang-up (EIO) while the kiosk closes
        # and reopens the port.
        tty.setraw(self.slave)
        tty.setraw(self.master)
        # Status answers that nobody reads must not block the loop.
        os.set_blocking(self.master, False)
        self.port = os.ttyname(self.slave)
        # Only the loop's thread uses these.
        self.pending = bytearray()  # bytes of the ticket being printed
        self._unscanned = b""  # the start of a status query cut by the end of a read
        self.count = 0
        # Shared with other threads, under the condition's lock; notified
        # whenever received bytes have been dealt with.
        self._changed = threading.Condition()
        self._state = Simulated()
        self._received = bytearray()
        self._handled = 0  # bytes received and dealt with since the start
        self._tickets: deque[PrintedTicket] = deque(maxlen=TICKETS_KEPT)
        # A byte on this pipe wakes the loop to stop (signal handler, stdin watcher).
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_w, False)
        self.stopping = False
        self._thread: threading.Thread | None = None
        self._closed = False

    # -- the simulated state, from any thread --------------------------------

    @property
    def state(self) -> Simulated:
        with self._changed:
            return self._state

    def _change(self, **changes: Any) -> None:
        with self._changed:
            self._state = replace(self._state, **changes)

    def set_paper(self, paper: str) -> None:
        """The roll: "ok", "low" (near its end: still prints) or "out"."""
        if paper not in PAPER:
            raise ValueError(f"paper: expected one of {', '.join(PAPER)}, got {paper!r}")
        self._change(paper=paper)

    def set_cover(self, open: bool) -> None:
        self._change(cover_open=open)

    def set_offline(self, offline: bool) -> None:
        self._change(offline=offline)

    def set_answering(self, answering: bool) -> None:
        self._change(answering=answering)

    def command(self, line: str) -> str:
        """Carry out one line of the stdin language; the reply, also said."""
        key = " ".join(line.split()).lower()
        action = COMMANDS.get(key)
        if action is None:
            reply = f"error: unknown command {line.strip()!r}; expected one of: {', '.join(COMMANDS)}"
        else:
            action(self)
            reply = self.state.line()
        self._announce(reply)
        return reply

    # -- what came, from any thread ------------------------------------------

    def received(self) -> bytes:
        """Every byte received so far (the last RECEIVED_MAX of them), queries included."""
        with self._changed:
            return bytes(self._received)

    def tickets(self) -> list[PrintedTicket]:
        """The tickets printed so far (not those dropped), oldest first."""
        with self._changed:
            return list(self._tickets)

    def wait_handled(self, size: int, timeout: float) -> bool:
        """Whether, within `timeout` seconds, `size` bytes in all have been
        received and dealt with (answered, printed or dropped)."""
        with self._changed:
            return self._changed.wait_for(lambda: self._handled >= size, timeout)

    # -- running --------------------------------------------------------------

    def start(self) -> None:
        """Run on a thread of its own, until close()."""
        self._thread = threading.Thread(target=self.run, name=f"virtual printer {self.port}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Safe from a signal handler or another thread."""
        self.stopping = True
        # A full or closed pipe means the loop is waking up anyway.
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")

    def run(self) -> None:
        with contextlib.ExitStack() as stack:
            record = stack.enter_context(open(self.out / "printer.bin", "ab")) if self.out is not None else None
            while not self.stopping:
                ready, _, _ = select.select([self.master, self._wake_r], [], [])
                if self.master in ready:
                    self._take(record)
            # What the kiosk wrote just before the stop is still recorded.
            while select.select([self.master], [], [], 0)[0] and self._take(record):
                pass

    def _take(self, record: BinaryIO | None) -> bool:
        try:
            chunk = os.read(self.master, 65536)
        except BlockingIOError:
            return False
        except OSError as exc:  # cannot happen while we hold the slave; do not spin on it
            log.error("reading the pty failed: %s", exc)
            self.stopping = True
            return False
        if not chunk:
            return False
        if record is not None:
            record.write(chunk)
            record.flush()
        with self._changed:  # before any answer, so whoever sees the answer sees the query too
            self._received += chunk
            del self._received[:-RECEIVED_MAX]
        data = self._unscanned + chunk
        content, queries, kept = split_queries(data)
        self._unscanned = data[len(data) - kept :]
        self._answer(queries)
        self._print(content)
        with self._changed:
            self._handled += len(chunk)
            self._changed.notify_all()
        return True

    def _answer(self, queries: list[int]) -> None:
        state = self.state
        if not queries or not state.answering:
            return
        try:
            os.write(self.master, bytes(state.answer(n) for n in queries))
        except BlockingIOError:  # the kiosk reads no answers; a real printer would drop them too
            log.warning("%d status answers not taken by the other end: dropped", len(queries))

    def _print(self, content: bytes) -> None:
        if not content:
            return
        stopped_by = self.state.stopped_by
        if stopped_by is not None:
            # A ticket begun before counts as lost too: the printer stopped mid-way.
            self._announce(f"dropped {len(self.pending) + len(content)} bytes: {stopped_by}")
            self.pending.clear()
            return
        self.pending += content
        tickets, taken = tickets_in(bytes(self.pending))
        del self.pending[:taken]
        if len(self.pending) > PENDING_MAX:
            log.warning("%d bytes without a cut: dropped from decoding (still in printer.bin)", len(self.pending))
            self.pending.clear()
        for ticket in tickets:
            self._save(ticket)

    def _save(self, ticket: PrintedTicket) -> None:
        self.count += 1
        with self._changed:
            self._tickets.append(ticket)
        name = ticket.large[0] if ticket.large else f"{self.count:04d}"
        # The name comes from printed bytes: keep it a plain file name.
        safe = "".join(ch if ch.isascii() and (ch.isalnum() or ch == "-") else "_" for ch in name)[:40]
        if self.out is None:
            self._announce(f"ticket {safe}")
            return
        text = "\n".join([*ticket.lines, *(f"qr: {q}" for q in ticket.qr)]) + "\n"
        try:
            (self.out / f"ticket-{safe}.txt").write_text(text, encoding="utf-8")
            png = render(ticket, self.out / f"ticket-{safe}.png")
        except (OSError, ValueError) as exc:  # a bad picture must not stop the printer
            log.error("ticket %s not saved: %s", safe, exc)
            return
        self._announce(f"ticket {safe} {png}")

    def _announce(self, line: str) -> None:
        try:
            self._say(line)
        except OSError:  # nobody reads our stdout any more
            self.stop()

    def close(self) -> None:
        """Stop, wait for the thread start() began, release the pty. Call it
        after run() has returned when run() was called directly."""
        if self._closed:
            return
        self.stop()
        if self._thread is not None:
            self._thread.join(STOP_WAIT)
            if self._thread.is_alive():  # closing its descriptors under it could hit reused ones
                log.error("virtual printer %s did not stop within %s s: pty left open", self.port, STOP_WAIT)
                return
        self._closed = True
        for fd in (self.master, self.slave, self._wake_r, self._wake_w):
            os.close(fd)


# The stdin language: each line, with its words separated by single spaces.
COMMANDS: dict[str, Callable[[VirtualPrinter], None]] = {
    **{f"paper {paper}": functools.partial(VirtualPrinter.set_paper, paper=paper) for paper in PAPER},
    "cover open": lambda printer: printer.set_cover(True),
    "cover closed": lambda printer: printer.set_cover(False),
    "offline": lambda printer: printer.set_offline(True),
    "online": lambda printer: printer.set_offline(False),
    "mute": lambda printer: printer.set_answering(False),
    "answer": lambda printer: printer.set_answering(True),
}

_stdout_lock = threading.Lock()  # the loop and the stdin thread both print


def _print_line(line: str) -> None:
    with _stdout_lock:  # one whole line at a time, never two interleaved
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def _watch_stdin(printer: VirtualPrinter) -> None:
    try:
        for line in sys.stdin:
            if line.strip():
                printer.command(line)
    except (OSError, ValueError, AttributeError, TypeError):  # no usable stdin: as good as its end
        pass
    log.info("standard input ended: stopping")
    printer.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m printer.virtual", description="a virtual ESC/POS printer on a pty")
    parser.add_argument("--out", type=Path, default=Path("var/printer"), help="folder for bytes, texts and previews")
    parser.add_argument("--log-level", default="WARNING")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    if isinstance(sys.stdin, io.TextIOWrapper):  # a stray byte is an unknown command, not the end of stdin
        sys.stdin.reconfigure(errors="replace")
    printer = VirtualPrinter(args.out, say=_print_line)
    signal.signal(signal.SIGTERM, lambda *_: printer.stop())
    signal.signal(signal.SIGINT, lambda *_: printer.stop())
    _print_line(f"port {printer.port}")
    threading.Thread(target=_watch_stdin, args=(printer,), name="stdin", daemon=True).start()
    try:
        printer.run()
    finally:
        printer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
