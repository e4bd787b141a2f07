"""The kiosk's printer, wired from the config: port, layout, words, spool.

Touches nothing until the spool starts; then the spool's thread owns the
serial port (printer/serial_port.py) and reports back through `call_soon`.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from core.model import Ticket
from kiosk.language import Translations, shared_translations
from kiosk.printed_ticket import printed_ticket
from printer.serial_port import SerialPipe
from printer.ticket_content import PrinterSetup, TicketContent
from printer.ticket_layout import check
from printer.ticket_printer import EscposTicketPrinter
from shell.config import ConfigError, KioskConfig
from shell.ports import PrinterError
from shell.print_spool import PrintSpool


def printer_setup(config: KioskConfig) -> PrinterSetup:
    """The configured printer; ConfigError if python-escpos does not know its profile."""
    setup = PrinterSetup(
        profile=config.printer.profile, paper_mm=config.printer.paper_width, double_byte=config.printer.double_byte
    )
    try:
        check(setup)
    except PrinterError as exc:
        raise ConfigError(f"printer.profile: {exc}") from None
    return setup


def ticket_printer(config: KioskConfig, translations: Translations | None = None) -> EscposTicketPrinter | None:
    """The printer of `printer.port`, printing in each shopper's language; None without a port."""
    if not config.printer.port:
        return None
    words = translations or shared_translations()
    tz = ZoneInfo(config.store.timezone)
    pipe = SerialPipe(
        config.printer.port,
        baudrate=config.printer.baudrate,
        write_timeout=config.printer.write_timeout,
        parity=config.printer.parity,
        flow_control=config.printer.flow_control,
    )

    def compose(ticket: Ticket) -> TicketContent:
        return printed_ticket(
            ticket,
            words.tr,
            store_name=config.store.name,
            tz=tz,
            store_id=config.store.id,
            kiosk_id=config.device.id,
            qr_url=config.printer.qr_url,
            entrance=config.kiosk.entrance,
        )

    return EscposTicketPrinter(pipe, compose, printer_setup(config))


def print_spool(config: KioskConfig) -> PrintSpool | None:
    """The configured printer behind its spool (not started yet), or None without one."""
    printer = ticket_printer(config)
    return None if printer is None else PrintSpool(printer, ask_status=config.printer.ask_status)
