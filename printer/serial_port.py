"""Bytes to the printer's serial port. The only module that imports pyserial.

A dumb pipe: it knows nothing of tickets. Touches one serial port (or what a
pyserial URL names). The port is opened with `serial.serial_for_url`, so
pyserial URLs work as well as device paths (`socket://10.0.0.9:9100` for a
network printer, `loop://` in experiments), and always with a write timeout:
by default pyserial blocks forever on a stuck printer (ARCHITECTURE §7).
pyserial errors leave as PrinterError.
"""

from __future__ import annotations

import logging
import threading
import time

import serial

from shell.ports import PrinterError

log = logging.getLogger(__name__)

_DRAIN_POLL = 0.02  # seconds between looks at the output queue of a local serial port


class SerialPipe:
    """One printer port, opened on first use and again after any failure.

    Thread-safe: one write at a time, so two tickets never interleave.
    """

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
            log.info("printer port %s open at %d baud", self.port, self.baudrate)
        return self._serial

    def write(self, data: bytes) -> None:
        """Send all of `data`, or raise PrinterError (the port is reopened next time).

        Returns within about `write_timeout` seconds (twice that at worst:
        once to hand the bytes to the driver, once for them to leave).
        """
        with self._lock:
            port = self._open()
            try:
                written = port.write(data)
                self._drain(port)
            except serial.SerialTimeoutException as exc:
                self._drop()
                raise PrinterError(f"printer on {self.port} took more than {self.write_timeout} s") from exc
            except (serial.SerialException, OSError) as exc:
                self._drop()
                raise PrinterError(f"cannot write to printer on {self.port}: {exc}") from exc
            if written is not None and written != len(data):
                self._drop()
                raise PrinterError(f"printer on {self.port} took {written} of {len(data)} bytes")
            log.debug("%d bytes to %s", len(data), self.port)

    def _drain(self, port: serial.SerialBase) -> None:
        """Wait until the bytes have left, but never longer than the write timeout.

        pyserial's `flush()` on a local port is tcdrain(), which waits without
        limit for a line held up by flow control; so on a local port watch the
        driver's output queue instead. URL ports (socket://, loop://) queue
        nothing of their own that flush() could wait on.
        """
        if not isinstance(port, serial.Serial):
            port.flush()
            return
        deadline = time.monotonic() + self.write_timeout
        while port.out_waiting > 0:
            if time.monotonic() >= deadline:
                raise serial.SerialTimeoutException("output did not drain")
            time.sleep(_DRAIN_POLL)

    def _drop(self) -> None:
        if self._serial is None:
            return
        try:
            # Discard what is still queued: otherwise closing a stuck serial
            # line waits for the driver's closing_wait (30 s by default).
            self._serial.reset_output_buffer()
        except (serial.SerialException, OSError, NotImplementedError) as exc:
            log.debug("discarding output for %s: %s", self.port, exc)
        try:
            self._serial.close()
        except (serial.SerialException, OSError) as exc:
            log.debug("closing %s after an error: %s", self.port, exc)
        self._serial = None

    def close(self) -> None:
        with self._lock:
            self._drop()
