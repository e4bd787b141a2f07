"""A virtual ticket printer on a pseudo-terminal, for the demo and the tests.

    python -m printer.virtual --out DIR

Opens a pseudo-terminal pair and prints `port /dev/pts/N` as its first line:
give that port to the kiosk (`--printer /dev/pts/N`). Every byte the kiosk
sends is appended to DIR/printer.bin; each finished (cut) ticket is decoded
into DIR/ticket-<number>.txt and drawn as DIR/ticket-<number>.png, and a line
`ticket <number> <png>` is printed. Stops at the end of its standard input
(Ctrl-D, or the parent closing the pipe) or on SIGTERM/SIGINT.

Touches the pty pair, DIR, stdin, stdout and stderr (log).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import select
import signal
import sys
import threading
import tty
from pathlib import Path
from typing import BinaryIO

from printer.decode import PrintedTicket, tickets_in
from printer.preview import render

log = logging.getLogger(__name__)

PENDING_MAX = 4 << 20  # bytes without a cut kept for decoding; more is junk, not a ticket


class VirtualPrinter:
    def __init__(self, out: Path) -> None:
        self.out = out
        out.mkdir(parents=True, exist_ok=True)
        self.master, self.slave = os.openpty()
        # Raw mode: every byte passes unchanged (no CR/LF mapping, no XON/XOFF
        # eating 0x11/0x13, no echo back to the kiosk). The slave stays open
        # here too, so the master sees no hang-up (EIO) while the kiosk closes
        # and reopens the port.
        tty.setraw(self.slave)
        tty.setraw(self.master)
        self.port = os.ttyname(self.slave)
        self.pending = bytearray()  # bytes of the ticket being printed
        self.count = 0
        # A byte on this pipe wakes the loop to stop (signal handler, stdin watcher).
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_w, False)
        self.stopping = False

    def stop(self) -> None:
        """Safe from a signal handler or another thread."""
        self.stopping = True
        # A full or closed pipe means the loop is waking up anyway.
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")

    def run(self) -> None:
        with open(self.out / "printer.bin", "ab") as record:
            while not self.stopping:
                ready, _, _ = select.select([self.master, self._wake_r], [], [])
                if self.master in ready:
                    self._take(record)
            # What the kiosk wrote just before the stop is still recorded.
            while select.select([self.master], [], [], 0)[0] and self._take(record):
                pass

    def _take(self, record: BinaryIO) -> bool:
        try:
            chunk = os.read(self.master, 65536)
        except OSError as exc:  # cannot happen while we hold the slave; do not spin on it
            log.error("reading the pty failed: %s", exc)
            self.stopping = True
            return False
        if not chunk:
            return False
        record.write(chunk)
        record.flush()
        self.pending += chunk
        tickets, taken = tickets_in(bytes(self.pending))
        del self.pending[:taken]
        if len(self.pending) > PENDING_MAX:
            log.warning("%d bytes without a cut: dropped from decoding (still in printer.bin)", len(self.pending))
            self.pending.clear()
        for ticket in tickets:
            self._save(ticket)
        return True

    def _save(self, ticket: PrintedTicket) -> None:
        self.count += 1
        name = ticket.large[0] if ticket.large else f"{self.count:04d}"
        # The name comes from printed bytes: keep it a plain file name.
        safe = "".join(ch if ch.isascii() and (ch.isalnum() or ch == "-") else "_" for ch in name)[:40]
        text = "\n".join([*ticket.lines, *(f"qr: {q}" for q in ticket.qr)]) + "\n"
        try:
            (self.out / f"ticket-{safe}.txt").write_text(text, encoding="utf-8")
            png = render(ticket, self.out / f"ticket-{safe}.png")
        except (OSError, ValueError) as exc:  # a bad picture must not stop the printer
            log.error("ticket %s not saved: %s", safe, exc)
            return
        try:
            print(f"ticket {safe} {png}", flush=True)
        except OSError:  # nobody reads our stdout any more
            self.stop()

    def close(self) -> None:
        for fd in (self.master, self.slave, self._wake_r, self._wake_w):
            os.close(fd)


def _watch_stdin(printer: VirtualPrinter) -> None:
    try:
        fd = sys.stdin.fileno()
        while os.read(fd, 4096):  # what arrives means nothing; only the end does
            pass
    except (OSError, ValueError, AttributeError):  # no usable stdin: as good as its end
        pass
    log.info("standard input ended: stopping")
    printer.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m printer.virtual", description="a virtual ESC/POS printer on a pty")
    parser.add_argument("--out", type=Path, default=Path("var/printer"), help="folder for bytes, texts and previews")
    parser.add_argument("--log-level", default="WARNING")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    printer = VirtualPrinter(args.out)
    signal.signal(signal.SIGTERM, lambda *_: printer.stop())
    signal.signal(signal.SIGINT, lambda *_: printer.stop())
    print(f"port {printer.port}", flush=True)
    threading.Thread(target=_watch_stdin, args=(printer,), name="stdin", daemon=True).start()
    try:
        printer.run()
    finally:
        printer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
