"""The recorder under systemd's watchdog, against a real NOTIFY_SOCKET: a Unix datagram socket the test binds
and reads with deadlines. READY=1 once it is subscribed, WATCHDOG=1 at half the interval from its own thread,
no pings while its record cannot be written or its process is stopped, STOPPING=1 on SIGTERM."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.systemd_notify import Notifier
from tests.broker import Mosquitto
from tests.processes import LineProcess
from tests.recorder_process import RECORDER, stop, wait_kept
from tests.services import Publisher

INTERVAL = 1.0  # WATCHDOG_USEC=1000000


class NotifySocket:
    """What systemd would hear: every datagram, each as its set of KEY=value lines, with when it came."""

    def __init__(self, address: str) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(("\0" + address[1:]) if address.startswith("@") else address)
        self.address = address

    def env(self) -> dict[str, str]:
        return {**os.environ, "NOTIFY_SOCKET": self.address, "WATCHDOG_USEC": str(int(INTERVAL * 1_000_000))}

    def next(self, timeout: float) -> tuple[float, set[str]] | None:
        self.sock.settimeout(max(timeout, 0.001))
        try:
            data = self.sock.recv(4096)
        except TimeoutError:
            return None
        return time.monotonic(), set(data.decode().split("\n"))

    def wait_for(self, line: str, timeout: float = 20) -> list[tuple[float, set[str]]]:
        """Every datagram until one holding `line` (that one last); AssertionError after `timeout`."""
        got, deadline = [], time.monotonic() + timeout
        while (message := self.next(deadline - time.monotonic())) is not None:
            got.append(message)
            if line in message[1]:
                return got
        raise AssertionError(f"no {line} within {timeout}s; heard {[sorted(m) for _, m in got]}")

    def pings_within(self, seconds: float) -> list[float]:
        """When each WATCHDOG=1 came, listening for `seconds`."""
        deadline, times = time.monotonic() + seconds, []
        while (message := self.next(deadline - time.monotonic())) is not None:
            if "WATCHDOG=1" in message[1]:
                times.append(message[0])
        return times

    def close(self) -> None:
        self.sock.close()


def short_socket() -> Iterator[NotifySocket]:
    """A NotifySocket at a short path in /tmp, removed after."""
    folder = tempfile.mkdtemp(prefix="notify", dir="/tmp")  # a short path: socket names hold 107 bytes
    listener = NotifySocket(str(Path(folder) / "notify.sock"))
    yield listener
    listener.close()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def notify() -> Iterator[NotifySocket]:
    yield from short_socket()


def about_half_the_interval(pings: list[float]) -> bool:
    """The pings' usual spacing (the median: a busy machine may delay one) is half the interval."""
    return 0.35 * INTERVAL < statistics.median(b - a for a, b in zip(pings, pings[1:], strict=False)) < 0.75 * INTERVAL


def feedback(fid: str) -> bytes:
    return (f'{{"v":1,"id":"{fid}","kiosk":"kiosk-1","rating":3,"face":"happy","reasons":[],'
            f'"comment":"","given_at":"2026-11-24T09:15:02.345Z"}}').encode()  # fmt: skip


def test_the_recorder_is_ready_once_subscribed_pings_while_it_can_write_and_says_when_it_stops(
    broker: Mosquitto, tmp_path: Path, notify: NotifySocket, procs: list[LineProcess]
) -> None:
    store = "wd1"
    record = tmp_path / "record"
    live = LineProcess(*RECORDER, "--broker", broker.url, "--store", store, "--device", f"recorder-{store}",
                       "--data-dir", str(record), env=notify.env())  # fmt: skip
    procs.append(live)
    heard = notify.wait_for("READY=1")
    assert live.expect("subscribed"), "READY=1 comes once it is subscribed"
    assert any(line.startswith("STATUS=recording store=wd1") for line in heard[-1][1])
    pings = notify.pings_within(3 * INTERVAL)
    assert len(pings) >= 4, pings  # every half interval
    assert about_half_the_interval(pings), pings

    # The record cannot be written (a file where its feedback folder was: root too is stopped by that).
    sender = Publisher(broker)
    try:
        sender.send(f"store/{store}/feedback/kiosk-1", feedback("fb-1"))
        wait_kept(live, {("feedback", "fb-1")})
        (record / "feedback").rename(record / "feedback-aside")
        (record / "feedback").write_text("in the way")
        sender.send(f"store/{store}/feedback/kiosk-1", feedback("fb-2"))
        live.logged("the store's record cannot be written")
        heard = notify.wait_for("STATUS=the record cannot be written: messages wait unacknowledged", INTERVAL)
        assert notify.pings_within(2 * INTERVAL) == [], "no pings while the record cannot be written"
        (record / "feedback").unlink()
        (record / "feedback-aside").rename(record / "feedback")
        notify.wait_for("WATCHDOG=1", 3 * INTERVAL + 2)  # the next retry writes it: pings again
        wait_kept(live, {("feedback", "fb-2")})
    finally:
        sender.close()
    assert len(notify.pings_within(2 * INTERVAL)) >= 3

    # A stuck process sends nothing; let go, it pings again.
    os.kill(live.proc.pid, signal.SIGSTOP)
    try:
        notify.pings_within(0.2)  # what was sent before it stopped
        assert notify.pings_within(2 * INTERVAL) == [], "no pings from a stopped process"
    finally:
        os.kill(live.proc.pid, signal.SIGCONT)
    notify.wait_for("WATCHDOG=1", 2 * INTERVAL)

    assert stop(live) == 0
    notify.wait_for("STOPPING=1", 5)


def test_without_notify_socket_nothing_is_sent_and_a_watchdog_for_another_process_is_ignored() -> None:
    quiet = Notifier({})
    assert not quiet.enabled and quiet.ping_every is None
    quiet.ready("ok")  # does nothing, and does not fail
    assert Notifier({"NOTIFY_SOCKET": "/x", "WATCHDOG_USEC": "4000000"}).ping_every == 2.0
    assert Notifier({"NOTIFY_SOCKET": "/x", "WATCHDOG_USEC": "4000000", "WATCHDOG_PID": "1"}).ping_every is None
    assert Notifier({"NOTIFY_SOCKET": "/x", "WATCHDOG_USEC": "soon"}).ping_every is None
    assert Notifier({"NOTIFY_SOCKET": "@store-assist"}).address == "\0store-assist"


def test_an_abstract_socket_name_is_reached_and_a_missing_socket_is_said_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    name = f"@store-assist-test-{os.getpid()}"
    listener = NotifySocket(name)
    try:
        notifier = Notifier({"NOTIFY_SOCKET": name})
        notifier.ready("line one\nline two")
        _, lines = listener.wait_for("READY=1", 5)[-1]
        assert lines == {"READY=1", "STATUS=line one line two"}
        notifier.close()
    finally:
        listener.close()
    gone = Notifier({"NOTIFY_SOCKET": "/nonexistent/notify.sock"})
    gone.ping()
    gone.ping()
    assert len([r for r in caplog.records if "cannot tell systemd" in r.getMessage()]) == 1
