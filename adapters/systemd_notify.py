"""Telling systemd how a service is doing: the notify protocol of a `Type=notify` unit.

systemd names a Unix datagram socket in NOTIFY_SOCKET (a path, or an abstract
name starting with '@') and, with `WatchdogSec=`, the watchdog interval in
microseconds in WATCHDOG_USEC. Each message is one datagram of `KEY=value`
lines: READY=1, WATCHDOG=1, STATUS=…, STOPPING=1. Without NOTIFY_SOCKET (a
service started by hand, in the demo, in most tests) every call does nothing.
Touches that socket and the environment only; standard library only.
"""

from __future__ import annotations

import logging
import os
import socket

log = logging.getLogger(__name__)


class Notifier:
    def __init__(self, environ: dict[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        name = env.get("NOTIFY_SOCKET", "")
        # '@' stands for the abstract namespace: the name begins with a NUL byte there.
        self.address = ("\0" + name[1:]) if name.startswith("@") else name
        self.interval = _seconds(env.get("WATCHDOG_USEC", ""), env.get("WATCHDOG_PID", ""))
        self._socket: socket.socket | None = None
        self._warned = False

    @property
    def enabled(self) -> bool:
        return bool(self.address)

    @property
    def ping_every(self) -> float | None:
        """How often to send WATCHDOG=1 (half the interval systemd waits), or None without a watchdog."""
        return self.interval / 2 if self.enabled and self.interval else None

    def ready(self, status: str = "") -> None:
        self.send("READY=1", *([f"STATUS={status}"] if status else []))

    def ping(self) -> None:
        self.send("WATCHDOG=1")

    def status(self, line: str) -> None:
        self.send(f"STATUS={line}")

    def stopping(self, status: str = "") -> None:
        self.send("STOPPING=1", *([f"STATUS={status}"] if status else []))

    def send(self, *lines: str) -> None:
        if not self.address:
            return
        # One short line each: a newline would start a new key.
        text = "\n".join(line.replace("\n", " ") for line in lines)
        try:
            if self._socket is None:
                self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self._socket.sendto(text.encode("utf-8"), self.address)
        except OSError as exc:
            # systemd gone or the socket not there: the service runs on; said once.
            if not self._warned:
                self._warned = True
                log.warning("cannot tell systemd (NOTIFY_SOCKET %s): %s", self.address.lstrip("\0"), exc)

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None


def _seconds(usec: str, pid: str) -> float | None:
    """WATCHDOG_USEC as seconds; None when unset, bad, or meant for another process (WATCHDOG_PID)."""
    if pid.strip() and pid.strip() != str(os.getpid()):
        return None
    try:
        value = int(usec)
    except ValueError:
        return None
    return value / 1_000_000 if value > 0 else None
