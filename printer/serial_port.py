"""Bytes to the printer's serial port. The only module that imports pyserial.

A dumb pipe: it knows nothing of tickets. The port is opened with
`serial.serial_for_url`, so pyserial URLs work as well as device paths
(`socket://10.0.0.9:9100` for a network printer, `loop://` in experiments),
and always with a write timeout: by default pyserial blocks forever on a
stuck printer (ARCHITECTURE §7). pyserial errors leave as PrinterError.
"""

from __future__ import annotations

import logging
import threading

import serial

from shell.ports import PrinterError

log = logging.getLogger(__name__)


class SerialPipe:
    def __init__(self, port: str, *, baudrate: int = 19200, write_timeout: float = 5.0) -> None:
        self.port = port
        self.baudrate = baudrate
        self.write_timeout = write_timeout
        self._serial: serial.SerialBase | None = None
        self._lock = threading.Lock()  # printing may run off the UI thread

    def _open(self) -> serial.SerialBase:
        if self._serial is None:
            try:
                self._serial = serial.serial_for_url(
                    self.port, baudrate=self.baudrate, write_timeout=self.write_timeout, timeout=1
                )
            except (serial.SerialException, OSError, ValueError) as exc:
                raise PrinterError(f"cannot open printer port {self.port}: {exc}") from exc
        return self._serial

    def write(self, data: bytes) -> None:
        """Send all of `data`, or raise PrinterError (the port is reopened next time)."""
        with self._lock:
            port = self._open()
            try:
                written = port.write(data)
                port.flush()
            except serial.SerialTimeoutException as exc:
                self._drop()
                raise PrinterError(f"printer on {self.port} took more than {self.write_timeout} s") from exc
            except (serial.SerialException, OSError) as exc:
                self._drop()
                raise PrinterError(f"cannot write to printer on {self.port}: {exc}") from exc
            if written is not None and written != len(data):
                self._drop()
                raise PrinterError(f"printer on {self.port} took {written} of {len(data)} bytes")

    def _drop(self) -> None:
        if self._serial is not None:
            try:
                self._serial.close()
            except (serial.SerialException, OSError) as exc:
                log.debug("closing %s after an error: %s", self.port, exc)
            self._serial = None

    def close(self) -> None:
        with self._lock:
            self._drop()
