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
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.model import Kind, Ticket
from printer.decode import decode
from printer.serial_port import SerialPipe
from printer.ticket_layout import layout
from printer.ticket_printer import EscposTicketPrinter
from shell.ports import PrinterError
from tests.kiosk_fixture import PtyPrinter
from tests.xvfb import ROOT, distinct_colours

AMS = ZoneInfo("Europe/Amsterdam")
AT = datetime(2026, 11, 24, 9, 15, tzinfo=UTC)
DETAILS = {
    Kind.FIND: ({"item": "Blue paint"}, "Blue paint"),
    Kind.RETURN: ({"receipt": "R1", "reason": "Wrong size"}, "Wrong size"),
    Kind.HELP: ({"topic": "complaint", "note": "x"}, "Complaint"),
}
WORDS = {Kind.FIND: "Find an item", Kind.RETURN: "Return an item", Kind.HELP: "Ask for help"}


def ticket(kind: Kind = Kind.HELP, details: dict[str, str] | None = None, place: int = 2) -> Ticket:
    number = f"{kind.prefix}-007"
    return Ticket("3f9c2a7e1b4d4c10", number, kind, place, AT, details if details is not None else DETAILS[kind][0])


@pytest.mark.parametrize("kind", list(Kind))
def test_each_ticket_type_decodes_to_its_number_type_detail_qr_and_cut(kind: Kind) -> None:
    data = layout(ticket(kind), store_name="Paint & Co. Zuid", tz=AMS)
    [printed] = decode(data)
    assert printed.large == [f"{kind.prefix}-007"]
    assert WORDS[kind] in printed.lines and DETAILS[kind][1] in printed.lines
    assert "Place in line: 2" in printed.lines and "2026-11-24 10:15" in printed.lines  # local time
    assert printed.qr == ["3f9c2a7e1b4d4c10"] and printed.cut and printed.images == 0
    assert len(data) <= 400, f"{len(data)} bytes: a Latin ticket must stay under 400 (native QR)"


def test_text_from_shoppers_can_never_become_a_printer_command() -> None:
    hostile = "\x1b@reset\x1dV\x00cut\x1bp\x00\x19\xfadrawer\x10\x04\x01\x00\x7f\x9b2J\u202eevil" + "z" * 5000
    data = layout(ticket(Kind.FIND, {"item": hostile}), store_name="\x1bE\x01Store\x1d!\x11", tz=AMS)
    assert b"\x1bp" not in data and b"\x10\x04" not in data and b"\x1b@" not in data
    assert data.count(b"\x1dV") == 1, "exactly one cut: ours"
    [printed] = decode(data)
    item_line = next(line for line in printed.lines if line.startswith("@reset"))
    assert item_line.startswith("@resetVcutpudrawer2Jevilz") and len(item_line) <= 32
    assert printed.lines[0] == "EStore!"  # the ESC and control bytes gone, the letters kept


def test_accents_are_folded_and_other_scripts_do_not_switch_the_code_page() -> None:
    data = layout(ticket(Kind.FIND, {"item": "Crème brûlée 蓝色油漆"}), store_name="Café", tz=AMS)
    assert b"\x1bt" not in data[data.index(b"Find an item") :], "no code page switch mid-ticket"
    [printed] = decode(data)
    assert "Creme brulee ????" in printed.lines and printed.lines[0] == "Cafe"


def test_an_unknown_profile_is_a_printer_error_naming_it() -> None:
    with pytest.raises(PrinterError, match="'TM-NOPE'"):
        layout(ticket(), store_name="S", tz=AMS, profile="TM-NOPE")


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
    printer = EscposTicketPrinter(SerialPipe(far.port), store_name="Store", tz=AMS)
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
            data = layout(ticket(kind), store_name="Store Assist Demo Store", tz=AMS)
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
