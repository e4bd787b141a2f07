"""Bytes to the printer's serial port. The only module that imports pyserial.

A dumb pipe: it knows nothing of tickets. Touches one serial port (or what a
pyserial URL names). The port is opened with `serial.serial_for_url`, so
pyserial URLs work as well as device paths (`socket://10.0.0.9:9100` for a
network printer, `loop://` in experiments), and always with a write timeout:
by default pyserial blocks forever on a stuck printer, and python-escpos's
`Serial` passes neither `write_timeout` nor `rtscts`.
pyserial errors leave as PrinterError.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import serial

from shell.ports import PrinterError

log = logging.getLogger(__name__)

_PARITY = {"none": serial.PARITY_NONE, "even": serial.PARITY_EVEN, "odd": serial.PARITY_ODD}
_DSR_CHUNK = 32  # bytes sent per look at DSR: less than the smallest printer buffer
_DRAIN_POLL = 0.02  # seconds between looks at the output queue of a local serial port


class SerialPipe:
    """One printer port, opened on first use and again after any failure.

    Thread-safe: one write or question at a time, so two tickets never
    interleave and a status answer is never read by the wrong caller.
    """

    def __init__(
        self,
        port: str,
        *,
        baudrate: int = 19200,
        write_timeout: float = 5.0,
        parity: str = "none",
        flow_control: str = "none",
    ) -> None:
        self.port = port
        self.baudrate = baudrate
        self.write_timeout = write_timeout
        self.parity = _PARITY[parity]
        self.flow_control = flow_control  # none | rtscts | xonxoff | dsrdtr
        self._serial: serial.SerialBase | None = None
        self._lock = threading.Lock()  # printing may run off the UI thread

    def _open(self) -> serial.SerialBase:
        if self._serial is None:
            try:
                self._serial = serial.serial_for_url(
                    self.port,
                    baudrate=self.baudrate,
                    parity=self.parity,
                    write_timeout=self.write_timeout,
                    timeout=1,
                    rtscts=self.flow_control == "rtscts",
                    xonxoff=self.flow_control == "xonxoff",
                    dsrdtr=self.flow_control == "dsrdtr",
                )
            except (serial.SerialException, OSError, ValueError) as exc:
                raise PrinterError(f"cannot open printer port {self.port}: {exc}") from exc
            log.info("printer port %s open at %d baud", self.port, self.baudrate)
        return self._serial

    @contextmanager
    def _talking(self, doing: str) -> Iterator[serial.SerialBase]:
        """The open port, under the lock; pyserial errors leave as PrinterError.

        After any error the port is dropped, to be opened again next time.
        """
        with self._lock:
            port = self._open()
            try:
                yield port
            except serial.SerialTimeoutException as exc:
                self._drop()
                raise PrinterError(f"printer on {self.port} took more than {self.write_timeout} s") from exc
            except (serial.SerialException, OSError) as exc:
                self._drop()
                raise PrinterError(f"cannot {doing} printer on {self.port}: {exc}") from exc
            except PrinterError:
                self._drop()
                raise

    def write(self, data: bytes) -> None:
        """Send all of `data`, or raise PrinterError (the port is reopened next time).

        Returns within about `write_timeout` seconds (twice that at worst:
        once to hand the bytes to the driver, once for them to leave).
        """
        with self._talking("write to") as port:
            if self.flow_control == "dsrdtr" and os.name == "posix" and isinstance(port, serial.Serial):
                written = self._write_when_ready(port, data)
            else:
                written = port.write(data)
            self._drain(port)
            if written is not None and written != len(data):
                raise PrinterError(f"printer on {self.port} took {written} of {len(data)} bytes")
        log.debug("%d bytes to %s", len(data), self.port)

    def ask(self, query: bytes, timeout: float = 0.3) -> int | None:
        """Send a real-time query (`DLE EOT n`) and return the one-byte answer,
        or None when none came within `timeout` seconds.

        Printers answer real-time commands at once, even while busy or
        offline, so the wait is pyserial's read timeout, never longer. Input
        left over from earlier (a late answer to a query that timed out) is
        dropped first, so the byte returned answers this query. Raises
        PrinterError when the port fails (reopened next time).
        """
        with self._talking("query") as port:
            port.reset_input_buffer()
            if port.timeout != timeout:
                port.timeout = timeout
            port.write(query)
            answer = port.read(1)
        if not answer:
            log.debug("no answer to %r from %s within %.2f s", query, self.port, timeout)
            return None
        return answer[0]

    def _write_when_ready(self, port: serial.Serial, data: bytes) -> int:
        """DSR/DTR flow control by hand: pyserial does not do it on Linux
        (its `dsrdtr` is not implemented for POSIX ports). The printer holds its DTR (our DSR) low while it
        cannot take more; send a small chunk only while it is high."""
        deadline = time.monotonic() + self.write_timeout
        written = 0
        for start in range(0, len(data), _DSR_CHUNK):
            while not port.dsr:
                if time.monotonic() >= deadline:
                    raise serial.SerialTimeoutException("printer busy (DSR low)")
                time.sleep(_DRAIN_POLL)
            written += port.write(data[start : start + _DSR_CHUNK]) or 0
        return written

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
