"""Tickets as bytes, through a real pseudo-terminal pair, and back as text and pictures."""

from __future__ import annotations

import os
import queue
import select
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.model import Kind, PrinterState
from printer.decode import decode
from printer.serial_port import SerialPipe
from printer.ticket_layout import layout
from printer.ticket_printer import EscposTicketPrinter
from shell.ports import PrinterError
from tests.kiosk_fixture import PtyPrinter
from tests.tickets import CODES, DETAIL_WORDS, NATIVE, content, ticket
from tests.xvfb import ROOT, distinct_colours


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_decoding_any_bytes_never_fails(data: bytes) -> None:
    for printed in decode(data):
        assert isinstance(printed.text, str)


def test_bytes_written_to_the_serial_port_arrive_unchanged_through_a_pty() -> None:
    far = PtyPrinter()
    pipe = SerialPipe(far.port, baudrate=9600, write_timeout=2)
    try:
        everything = bytes(range(256)) * 4
        pipe.write(everything)
        deadline = time.monotonic() + 5
        while far.data() != everything and time.monotonic() < deadline:
            select.select([], [], [], 0.01)  # polls the collector thread's buffer; bounded
        assert far.data() == everything
    finally:
        pipe.close()
        far.close()


def test_a_missing_port_is_a_printer_error_naming_it() -> None:
    with pytest.raises(PrinterError, match="/dev/no-such-printer"):
        SerialPipe("/dev/no-such-printer").write(b"x")


def test_a_printer_that_stops_taking_bytes_times_out_instead_of_hanging() -> None:
    master, slave = os.openpty()  # nobody reads the master: the pty fills up
    try:
        pipe = SerialPipe(os.ttyname(slave), write_timeout=0.5)
        started = time.monotonic()
        with pytest.raises(PrinterError, match="took more than 0.5 s"):
            pipe.write(b"x" * 1_000_000)
        assert time.monotonic() - started < 10
        pipe.close()
    finally:
        os.close(master)
        os.close(slave)


def test_a_ticket_printed_through_a_pty_decodes_to_the_same_number() -> None:
    far = PtyPrinter()
    printer = EscposTicketPrinter(SerialPipe(far.port), content)
    try:
        printer.print_ticket(ticket(Kind.RETURN))
        deadline = time.monotonic() + 5
        while not (far.data().endswith(b"\x1dV\x00")) and time.monotonic() < deadline:
            select.select([], [], [], 0.01)
        [printed] = decode(far.data())
        assert printed.large == ["R-007"] and printed.cut
    finally:
        printer.pipe.close()  # type: ignore[attr-defined]
        far.close()


def test_the_virtual_printer_records_bytes_text_and_a_picture_per_ticket(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "printer.virtual", "--out", str(tmp_path)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()  # type: ignore[union-attr]
    try:
        port = lines.get(timeout=15).split()
        assert port[0] == "port"
        pipe = SerialPipe(port[1])
        sent = b""
        for kind in (Kind.FIND, Kind.HELP):
            data = layout(content(ticket(kind), store="Store Assist Demo Store"))
            pipe.write(data)
            sent += data
        announced = [lines.get(timeout=15).split(), lines.get(timeout=15).split()]
        pipe.close()
        assert [a[:2] for a in announced] == [["ticket", "F-007"], ["ticket", "H-007"]]
        assert (tmp_path / "printer.bin").read_bytes() == sent
        assert "qr: 3f9c2a7e1b4d4c10" in (tmp_path / "ticket-H-007.txt").read_text()
        picture = Path(announced[1][2])
        assert distinct_colours(picture) > 2, "the preview is blank"
        shutil.copyfile(picture, ROOT / "docs" / "screenshots" / "ticket-preview.png")
    finally:
        proc.stdin.close()  # type: ignore[union-attr]
        assert proc.wait(timeout=15) == 0


def test_every_type_in_every_language_arrives_through_a_pty_as_the_ticket_it_was() -> None:
    """The kiosk's printer port (layout, serial pipe, status questions) against
    the virtual printer on a real pseudo-terminal pair."""
    far = PtyPrinter()
    printer = EscposTicketPrinter(SerialPipe(far.port, baudrate=9600), content, NATIVE)
    try:
        assert printer.status() is PrinterState.OK
        sent = [(kind, code) for code in CODES for kind in Kind]
        size = 9  # the three status questions
        for kind, code in sent:
            printer.print_ticket(ticket(kind, code))
            size += len(printer.bytes_for(ticket(kind, code)))
        assert far.virtual.wait_handled(size, 10), "every byte read by the printer"
        printed = far.virtual.tickets()
        for (kind, code), got in zip(sent, printed, strict=True):
            assert got.large == [f"{kind.prefix}-007"] and got.cut and got.qr == ["3f9c2a7e1b4d4c10"]
            assert DETAIL_WORDS[kind](code) in got.lines and got.images == 0, (kind, code, got.lines)
        far.virtual.set_paper("out")
        assert printer.status() is PrinterState.PAPER_OUT
    finally:
        printer.pipe.close()  # type: ignore[attr-defined]
        far.close()


def test_a_network_printer_is_reached_through_a_pyserial_socket_url() -> None:
    """`printer.port = "socket://host:9100"`: a raw TCP printer (here a listener on loopback)."""
    import socket

    got = bytearray()
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        printer = EscposTicketPrinter(SerialPipe(f"socket://127.0.0.1:{port}", write_timeout=5), content, NATIVE)
        sent = printer.bytes_for(ticket(Kind.RETURN, "nl"))
        done = threading.Thread(target=printer.print_ticket, args=(ticket(Kind.RETURN, "nl"),))
        done.start()
        connection, _ = server.accept()
        with connection:
            connection.settimeout(10)
            while len(got) < len(sent):
                chunk = connection.recv(65536)
                if not chunk:
                    break
                got += chunk
        done.join(10)
        printer.pipe.close()  # type: ignore[attr-defined]
    [printed] = decode(bytes(got))
    assert bytes(got) == sent and printed.large == ["R-007"] and "Verkeerde maat" in printed.lines
