"""A virtual ticket printer on a pseudo-terminal, for the demo and the tests.

    python -m printer.virtual --out DIR

Opens a pseudo-terminal pair and prints `port /dev/pts/N` as its first line:
give that port to the kiosk (`--printer /dev/pts/N`). Every byte the kiosk
sends is appended to DIR/printer.bin; each finished (cut) ticket is decoded
into DIR/ticket-<number>.txt and drawn as DIR/ticket-<number>.png, and a line
`ticket <number> <png>` is printed. Stops at the end of its standard input or
on SIGTERM/SIGINT. Touches the pty, DIR and stdout.
"""

from __future__ import annotations

import argparse
import os
import select
import signal
import sys
import threading
import tty
from pathlib import Path

from printer.decode import decode
from printer.preview import render


class VirtualPrinter:
    def __init__(self, out: Path) -> None:
        self.out = out
        out.mkdir(parents=True, exist_ok=True)
        self.master, self.slave = os.openpty()
        # Raw mode: every byte passes unchanged (no CR/LF mapping, no XON/XOFF).
        tty.setraw(self.slave)
        tty.setraw(self.master)
        self.port = os.ttyname(self.slave)
        self.pending = bytearray()  # bytes of the ticket being printed
        self.count = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        with open(self.out / "printer.bin", "ab") as record:
            while not self.stopped.is_set():
                ready, _, _ = select.select([self.master], [], [], 0.2)
                if not ready:
                    continue
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # the other side hung up; keep the slave open and go on
                    continue
                record.write(chunk)
                record.flush()
                self.pending += chunk
                self._finish_tickets()

    def _finish_tickets(self) -> None:
        tickets = decode(bytes(self.pending))
        done = [t for t in tickets if t.cut]
        if not done:
            return
        # Keep only what follows the last cut for the next ticket.
        last_cut = max(self.pending.rfind(b"\x1dV"), 0)
        tail = self.pending[last_cut + 2 :]
        self.pending = bytearray(tail[1:] if tail[:1] not in (b"A", b"B", b"a", b"b") else tail[2:])
        for ticket in done:
            self.count += 1
            name = ticket.large[0] if ticket.large else f"{self.count:04d}"
            safe = "".join(ch if ch.isalnum() or ch == "-" else "_" for ch in name)
            text = "\n".join([*ticket.lines, *(f"qr: {q}" for q in ticket.qr)]) + "\n"
            (self.out / f"ticket-{safe}.txt").write_text(text, encoding="utf-8")
            png = render(ticket, self.out / f"ticket-{safe}.png")
            print(f"ticket {safe} {png}", flush=True)

    def close(self) -> None:
        self.stopped.set()
        os.close(self.master)
        os.close(self.slave)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m printer.virtual", description="a virtual ESC/POS printer on a pty")
    parser.add_argument("--out", type=Path, default=Path("var/printer"), help="folder for bytes, texts and previews")
    args = parser.parse_args(argv)
    printer = VirtualPrinter(args.out)
    print(f"port {printer.port}", flush=True)

    def stop(*_args: object) -> None:
        printer.stopped.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def watch_stdin() -> None:
        for _line in sys.stdin:
            pass
        printer.stopped.set()

    threading.Thread(target=watch_stdin, name="stdin", daemon=True).start()
    try:
        printer.run()
    finally:
        printer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
