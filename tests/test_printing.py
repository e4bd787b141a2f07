"""Printing never holds up the screen, tells the shopper and staff when it fails,
and never prints a ticket twice. The real kiosk (widgets, broker, files) and
the virtual printer on a real pseudo-terminal pair."""

from __future__ import annotations

import os
import tty
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from core.model import PrinterState
from tests.kiosk_fixture import RunningKiosk, new_store, running_kiosk
from tests.pager_fixture import console_pager
from tests.processes import LineProcess
from tests.ui import button, tap, visible_texts, wait_until

PRINTING = "Printing your ticket…"
FAILED = "Your ticket could not be printed. Please remember your number."


def shows(kiosk: RunningKiosk, text: str) -> bool:
    return text in visible_texts(kiosk.screen)


def printer_said(pager: LineProcess) -> list[str]:
    """The printer states of kiosk-1 the console pager has printed so far, in order."""
    pager.saw("")
    return [line.split()[2] for line in pager.seen if line.startswith("printer kiosk-1 ")]


def ask_for_help(kiosk: RunningKiosk) -> None:
    tap(button(kiosk.screen, "Ask for help"))
    wait_until(lambda: kiosk.on("help"), what="help screen")
    tap(button(kiosk.screen, "Product question"))
    tap(button(kiosk.screen, "Call a staff member"))


@contextmanager
def xonxoff_pty() -> Iterator[tuple[str, Callable[[], None]]]:
    """A serial port with XON/XOFF flow control, and `stop()` that sends XOFF
    from the printer's side: what a printer does when it can take no more.
    Nobody reads the far end; the kernel holds what the kiosk sends."""
    master, slave = os.openpty()
    tty.setraw(slave)
    tty.setraw(master)
    try:
        yield os.ttyname(slave), lambda: os.write(master, b"\x13") and None
    finally:
        os.close(master)
        os.close(slave)


def test_a_stuck_printer_never_freezes_the_screen_and_the_shopper_keeps_their_number(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = new_store()
    pager = console_pager(broker, store, "Anna")
    settings = {"ask_status": False, "write_timeout": 2.0, "flow_control": "xonxoff"}
    try:
        with (
            xonxoff_pty() as (port, stop),
            running_kiosk(
                broker, tmp_path / "kiosk", store=store, printer=False, printer_settings={"port": port, **settings}
            ) as kiosk,
        ):
            ask_for_help(kiosk)
            wait_until(lambda: kiosk.on("ticket") and not shows(kiosk, PRINTING), what="the first ticket sent")
            assert not shows(kiosk, FAILED)
            stop()  # XOFF: the printer takes no more
            tap(button(kiosk.screen, "Done"))
            wait_until(lambda: kiosk.on("welcome"), what="welcome")
            ask_for_help(kiosk)
            # The ticket screen is up, and the app turning, while the write is stuck.
            wait_until(lambda: kiosk.on("ticket") and shows(kiosk, PRINTING), what="ticket screen, printing")
            assert shows(kiosk, "H-002")
            wait_until(lambda: shows(kiosk, FAILED), what="the shopper told")
            assert shows(kiosk, "H-002") and shows(kiosk, "Print again")
            # Staff hear of it at once, and the request itself went out as usual.
            wait_until(lambda: pager.saw("printer kiosk-1 failed"), what="the pager told")
            assert pager.saw("new H-002")
    finally:
        pager.close()


def test_out_of_paper_no_ticket_is_sent_staff_are_told_and_it_clears_after_a_refill(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = new_store()
    pager = console_pager(broker, store, "Anna")
    try:
        with running_kiosk(broker, tmp_path / "kiosk", store=store) as kiosk:
            virtual = kiosk.printer.virtual  # type: ignore[union-attr]
            wait_until(lambda: kiosk.app.service.printer_state is PrinterState.OK, what="printer asked at start")
            virtual.set_paper("out")
            ask_for_help(kiosk)
            wait_until(lambda: shows(kiosk, FAILED), what="the shopper told")
            wait_until(lambda: printer_said(pager)[-1:] == ["paper_out"], what="the pager told: out of paper")
            assert virtual.tickets() == [], "nothing sent to a printer without paper"

            virtual.set_paper("ok")  # a staff member puts in a new roll
            wait_until(lambda: printer_said(pager)[-2:] == ["paper_out", "ok"], what="the pager told it is fixed")
            assert virtual.tickets() == [], "no backlog printed after the refill"

            tap(button(kiosk.screen, "Print again"))
            wait_until(lambda: [t.large for t in virtual.tickets()] == [["H-001"]], what="the ticket, once")
            wait_until(lambda: not shows(kiosk, FAILED) and not shows(kiosk, PRINTING), what="screen says printed")
            assert not kiosk.app.service.print_again(kiosk.app.current_request), "printed: never again"
            assert [t.large for t in virtual.tickets()] == [["H-001"]]
    finally:
        pager.close()


def test_a_ticket_prints_in_the_language_the_shopper_chose(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with running_kiosk(broker, tmp_path / "kiosk", printer_settings={"double_byte": "gb18030"}) as kiosk:
        virtual = kiosk.printer.virtual  # type: ignore[union-attr]
        tap(button(kiosk.screen, "简体中文"))
        tap(button(kiosk.screen, "寻求帮助"))
        wait_until(lambda: kiosk.on("help"), what="help screen")
        tap(button(kiosk.screen, "投诉"))
        tap(button(kiosk.screen, "呼叫工作人员"))
        [printed] = wait_until(virtual.tickets, what="the printed ticket")  # type: ignore[misc]
        assert printed.large == ["H-001"] and "投诉" in printed.lines and "寻求帮助" in printed.lines
        assert printed.images == 0, "Chinese in the printer's own characters, not pictures"
