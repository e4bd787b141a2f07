"""The printer's real-time status (DLE EOT n): the bits, then the virtual
printer and the serial pipe on a real pseudo-terminal pair, in this process
and as `python -m printer.virtual`.

Tickets here are a few hand-written ESC/POS bytes rather than the kiosk's
layout: these tests are about status and dropping, not about what a ticket
says.
"""

from __future__ import annotations

import os
import select
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from core.model import PrinterState
from printer.printer_status import (
    OFFLINE_CAUSE,
    PRINTER_STATUS,
    QUERIES,
    ROLL_PAPER,
    is_status_byte,
    split_queries,
    state_from,
    status_byte,
)
from printer.serial_port import SerialPipe
from printer.virtual import VirtualPrinter
from tests.processes import LineProcess

WAIT = 10.0  # seconds: the most any answer or byte may take; the waits end as soon as it comes
SILENCE = 0.2  # seconds a query waits on a printer that will not answer
QUIET = 0x12  # a status byte with nothing to report


def ticket_bytes(number: str) -> bytes:
    """Initialise, a line, the number in large type, a line, cut."""
    return b"\x1b@Store\n\x1d!\x11" + number.encode() + b"\n\x1d!\x00Ask for help\n\x1dV\x00"


def read_state(pipe: SerialPipe, timeout: float = WAIT) -> PrinterState:
    return state_from({n: pipe.ask(query, timeout) for n, query in QUERIES.items()})


# -- the bits ------------------------------------------------------------------


def test_the_queries_are_dle_eot_1_2_and_4() -> None:
    assert (PRINTER_STATUS, OFFLINE_CAUSE, ROLL_PAPER) == (b"\x10\x04\x01", b"\x10\x04\x02", b"\x10\x04\x04")
    assert dict(QUERIES) == {1: PRINTER_STATUS, 2: OFFLINE_CAUSE, 4: ROLL_PAPER}


def test_a_printer_with_nothing_to_report_is_ok() -> None:
    assert state_from({1: QUIET, 2: QUIET, 4: QUIET}) is PrinterState.OK


@pytest.mark.parametrize(
    ("n", "bit", "state"),
    [
        (1, 3, PrinterState.OFFLINE),
        (2, 2, PrinterState.COVER_OPEN),
        (2, 5, PrinterState.PAPER_OUT),
        (2, 6, PrinterState.OFFLINE),
        (4, 2, PrinterState.PAPER_LOW),
        (4, 3, PrinterState.PAPER_LOW),
        (4, 5, PrinterState.PAPER_OUT),
        (4, 6, PrinterState.PAPER_OUT),
    ],
)
def test_each_status_bit_alone_gives_its_state(n: int, bit: int, state: PrinterState) -> None:
    answers: dict[int, int | None] = {1: QUIET, 2: QUIET, 4: QUIET}
    answers[n] = QUIET | 1 << bit
    assert state_from(answers) is state


@pytest.mark.parametrize(("n", "bit"), [(1, 2), (1, 5), (1, 6), (2, 3)])
def test_bits_that_do_not_stop_printing_leave_the_printer_ok(n: int, bit: int) -> None:
    # n=1: bit 2 drawer pin, bit 5 waiting for recovery, bit 6 feed button; n=2: bit 3 paper being fed.
    answers: dict[int, int | None] = {1: QUIET, 2: QUIET, 4: QUIET}
    answers[n] = QUIET | 1 << bit
    assert state_from(answers) is PrinterState.OK


@pytest.mark.parametrize("answers", [{}, {1: None, 2: None, 4: None}])
def test_no_answer_at_all_means_not_answering(answers: dict[int, int | None]) -> None:
    assert state_from(answers) is PrinterState.NOT_ANSWERING


@pytest.mark.parametrize(
    "byte",
    [QUIET & ~0x02, QUIET & ~0x10, QUIET | 0x01, QUIET | 0x80, 0x00, 0xFF, 0x7E & ~0x10, 0x112, -1],
    ids=["bit1-clear", "bit4-clear", "bit0-set", "bit7-set", "zero", "all", "paper-end-unframed", "wide", "negative"],
)
def test_a_byte_without_the_fixed_status_bits_counts_as_no_answer(byte: int) -> None:
    assert not is_status_byte(byte)
    assert state_from({1: byte, 2: byte, 4: byte}) is PrinterState.NOT_ANSWERING
    assert state_from({1: QUIET, 4: byte}) is PrinterState.OK, "judged on the good answer alone"


def test_paper_end_wins_over_cover_over_offline_over_near_end() -> None:
    everything = {1: QUIET | 0x08, 2: QUIET | 0x04 | 0x40, 4: QUIET | 0x0C | 0x60}
    assert state_from(everything) is PrinterState.PAPER_OUT
    assert state_from({**everything, 4: QUIET | 0x0C}) is PrinterState.COVER_OPEN
    assert state_from({**everything, 2: QUIET, 4: QUIET | 0x0C}) is PrinterState.OFFLINE
    assert state_from({1: QUIET, 2: QUIET, 4: QUIET | 0x0C}) is PrinterState.PAPER_LOW


def test_a_printer_without_a_paper_sensor_is_judged_on_its_other_answers() -> None:
    assert state_from({1: QUIET, 2: QUIET, 4: None}) is PrinterState.OK
    assert state_from({1: None, 2: QUIET | 0x04, 4: None}) is PrinterState.COVER_OPEN
    assert state_from({1: None, 2: None, 4: QUIET | 0x0C}) is PrinterState.PAPER_LOW


def test_the_answers_built_are_those_an_epson_printer_sends() -> None:
    def answers(paper: str = "ok", cover_open: bool = False, offline: bool = False) -> list[int]:
        return [status_byte(n, paper=paper, cover_open=cover_open, offline=offline) for n in (1, 2, 4)]

    assert answers() == [0x12, 0x12, 0x12]
    assert answers(paper="low") == [0x12, 0x12, 0x1E]
    assert answers(paper="out") == [0x1A, 0x32, 0x7E]
    assert answers(cover_open=True) == [0x1A, 0x16, 0x12]
    assert answers(offline=True) == [0x1A, 0x12, 0x12]


@pytest.mark.parametrize("paper", ["ok", "low", "out"])
@pytest.mark.parametrize("cover_open", [False, True])
@pytest.mark.parametrize("offline", [False, True])
def test_every_built_answer_reads_back_as_the_state_it_was_built_from(
    paper: str, cover_open: bool, offline: bool
) -> None:
    built = {n: status_byte(n, paper=paper, cover_open=cover_open, offline=offline) for n in QUERIES}
    assert all(is_status_byte(byte) for byte in built.values())
    if paper == "out":
        expected = PrinterState.PAPER_OUT
    elif cover_open:
        expected = PrinterState.COVER_OPEN
    elif offline:
        expected = PrinterState.OFFLINE
    else:
        expected = PrinterState.PAPER_LOW if paper == "low" else PrinterState.OK
    assert state_from(built) is expected


def test_an_unknown_query_or_paper_state_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="got 3"):
        status_byte(3, paper="ok", cover_open=False, offline=False)
    with pytest.raises(ValueError, match="'wet'"):
        status_byte(1, paper="wet", cover_open=False, offline=False)


def test_queries_are_taken_out_of_the_stream_wherever_they_appear() -> None:
    data = b"ab\x10\x04\x01cd\x10\x04\x04\x10\x04\x03\x10\x05\x01e"
    content, queries, kept = split_queries(data)
    assert queries == [1, 4] and kept == 0
    assert content == b"abcd\x10\x04\x03\x10\x05\x01e", "DLE EOT 3 and DLE ENQ are no status queries here"


@pytest.mark.parametrize(("tail", "kept"), [(b"\x10", 1), (b"\x10\x04", 2)])
def test_a_query_cut_by_the_end_of_a_read_is_kept_for_the_next_read(tail: bytes, kept: int) -> None:
    first = split_queries(b"xy" + tail)
    assert first == (b"xy", [], kept)
    rest = b"\x10\x04\x02z"[len(tail) :]
    assert split_queries(tail + rest) == (b"z", [2], 0)


# -- the virtual printer in this process, through a pty --------------------------


@pytest.fixture
def said() -> list[str]:
    return []


@pytest.fixture
def virtual(tmp_path: Path, said: list[str]) -> Iterator[VirtualPrinter]:
    printer = VirtualPrinter(tmp_path, say=said.append)
    printer.start()
    yield printer
    printer.close()


@pytest.fixture
def pipe(virtual: VirtualPrinter) -> Iterator[SerialPipe]:
    pipe = SerialPipe(virtual.port, write_timeout=WAIT)
    yield pipe
    pipe.close()


SETTINGS: dict[str, tuple[Callable[[VirtualPrinter], None], PrinterState]] = {
    "nothing": (lambda printer: None, PrinterState.OK),
    "paper-low": (lambda printer: printer.set_paper("low"), PrinterState.PAPER_LOW),
    "paper-out": (lambda printer: printer.set_paper("out"), PrinterState.PAPER_OUT),
    "cover-open": (lambda printer: printer.set_cover(True), PrinterState.COVER_OPEN),
    "offline": (lambda printer: printer.set_offline(True), PrinterState.OFFLINE),
}


@pytest.mark.parametrize("setting", list(SETTINGS))
def test_the_state_asked_through_a_pty_is_the_one_the_printer_was_set_to(
    virtual: VirtualPrinter, pipe: SerialPipe, setting: str
) -> None:
    change, expected = SETTINGS[setting]
    change(virtual)
    assert read_state(pipe) is expected
    assert virtual.received() == PRINTER_STATUS + OFFLINE_CAUSE + ROLL_PAPER
    assert virtual.wait_handled(9, WAIT) and virtual.tickets() == [], "queries are not tickets"


def test_a_silent_printer_gives_no_answer_within_the_timeout_and_answers_again_once_it_speaks(
    virtual: VirtualPrinter, pipe: SerialPipe
) -> None:
    virtual.set_answering(False)
    started = time.monotonic()
    assert pipe.ask(ROLL_PAPER, timeout=SILENCE) is None
    waited = time.monotonic() - started
    assert SILENCE * 0.9 <= waited < SILENCE + 2, f"waited {waited:.2f} s for a {SILENCE} s timeout"
    assert virtual.wait_handled(3, WAIT), "the query reached the printer, which kept quiet"
    virtual.set_answering(True)
    virtual.set_paper("low")
    assert pipe.ask(ROLL_PAPER, timeout=WAIT) == 0x1E


def test_a_query_split_across_two_reads_is_answered_and_not_printed(virtual: VirtualPrinter) -> None:
    virtual.set_paper("low")
    ticket = ticket_bytes("H-007")
    cut = ticket.index(b"Ask")
    first, second = ticket[:cut] + b"\x10", b"\x04\x04" + ticket[cut:]
    kiosk = os.open(virtual.port, os.O_RDWR | os.O_NOCTTY)
    try:
        os.write(kiosk, first)
        assert virtual.wait_handled(len(first), WAIT)  # the printer has read it: the next write is a new read
        os.write(kiosk, second)
        assert select.select([kiosk], [], [], WAIT)[0], "no answer to a query split across two reads"
        assert os.read(kiosk, 16) == b"\x1e"
        assert virtual.wait_handled(len(first) + len(second), WAIT)
    finally:
        os.close(kiosk)
    [printed] = virtual.tickets()
    assert printed.large == ["H-007"] and printed.lines == ["Store", "H-007", "Ask for help"]
    assert virtual.received() == first + second


STOPS: dict[str, tuple[Callable[[VirtualPrinter], None], Callable[[VirtualPrinter], None]]] = {
    "paper out": (lambda printer: printer.set_paper("out"), lambda printer: printer.set_paper("ok")),
    "cover open": (lambda printer: printer.set_cover(True), lambda printer: printer.set_cover(False)),
    "offline": (lambda printer: printer.set_offline(True), lambda printer: printer.set_offline(False)),
}


@pytest.mark.parametrize("reason", list(STOPS))
def test_a_ticket_sent_while_the_printer_cannot_print_makes_no_ticket_file(
    virtual: VirtualPrinter, pipe: SerialPipe, said: list[str], tmp_path: Path, reason: str
) -> None:
    stop, resume = STOPS[reason]
    lost, kept = ticket_bytes("F-001"), ticket_bytes("H-002")
    stop(virtual)
    pipe.write(lost)
    assert virtual.wait_handled(len(lost), WAIT)
    assert virtual.tickets() == [] and not (tmp_path / "ticket-F-001.txt").exists()
    assert f"dropped {len(lost)} bytes: {reason}" in said
    resume(virtual)
    pipe.write(kept)
    assert virtual.wait_handled(len(lost) + len(kept), WAIT)
    assert [t.large for t in virtual.tickets()] == [["H-002"]]
    assert (tmp_path / "ticket-H-002.txt").exists() and not (tmp_path / "ticket-F-001.txt").exists()
    assert (tmp_path / "printer.bin").read_bytes() == lost + kept, "every byte is still recorded"


def test_a_virtual_printer_on_a_thread_stops_and_releases_its_pty_when_closed() -> None:
    printer = VirtualPrinter(None)
    printer.start()
    [thread] = [t for t in threading.enumerate() if t.name == f"virtual printer {printer.port}"]
    printer.close()
    assert not thread.is_alive()
    with pytest.raises(OSError):
        os.fstat(printer.master)
    printer.close()  # a second close is harmless


# -- python -m printer.virtual, driven through its standard input ----------------


def test_stdin_commands_change_the_answers_and_a_bad_command_changes_nothing(tmp_path: Path) -> None:
    proc = LineProcess("-m", "printer.virtual", "--out", str(tmp_path))
    try:
        pipe = SerialPipe(proc.expect("port ").split()[1])
        assert read_state(pipe) is PrinterState.OK

        def command(line: str, state: str, expected: PrinterState) -> None:
            proc.send(line)
            assert proc.expect("state ") == f"state {state}"
            assert read_state(pipe) is expected, line

        command("paper out", "paper=out cover=closed offline=no answering=yes", PrinterState.PAPER_OUT)
        command("paper low", "paper=low cover=closed offline=no answering=yes", PrinterState.PAPER_LOW)
        command("cover open", "paper=low cover=open offline=no answering=yes", PrinterState.COVER_OPEN)
        command("cover closed", "paper=low cover=closed offline=no answering=yes", PrinterState.PAPER_LOW)
        command("offline", "paper=low cover=closed offline=yes answering=yes", PrinterState.OFFLINE)

        proc.send("paper wet")
        error = proc.expect("error: ")
        assert error.startswith("error: unknown command 'paper wet'") and "paper ok" in error
        assert read_state(pipe) is PrinterState.OFFLINE, "a bad command changed the state"

        command("online", "paper=low cover=closed offline=no answering=yes", PrinterState.PAPER_LOW)
        proc.send("mute")
        assert proc.expect("state ").endswith("answering=no")
        assert read_state(pipe, timeout=SILENCE) is PrinterState.NOT_ANSWERING
        command("answer", "paper=low cover=closed offline=no answering=yes", PrinterState.PAPER_LOW)
        assert not any(line.startswith(("ticket", "dropped")) for line in proc.seen), "queries printed nothing"
        pipe.close()
        assert proc.close() == 0, "the end of stdin stops it cleanly"
    finally:
        proc.close()
