"""The headless kiosk under systemd's watchdog, against a real NOTIFY_SOCKET: READY=1 once it takes requests,
WATCHDOG=1 from its loop while its data dir takes writes, none while it cannot write or is stuck; a supervisor
here restarts it when the pings stop, as systemd would, and the request taken before the hang reaches the
pager (its outbox replays). STOPPING=1 on SIGTERM."""

from __future__ import annotations

import os
import shlex
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from shell.watchdog import StorageProbe, Watchdog
from tests.broker import Mosquitto, free_port
from tests.processes import LineProcess
from tests.recorder_process import stop
from tests.test_store_kiosks import pager
from tests.test_watchdog_recorder import INTERVAL, NotifySocket, short_socket


@pytest.fixture
def notify() -> Iterator[NotifySocket]:
    yield from short_socket()


def kiosk(url: str, store: str, data: Path, listener: NotifySocket) -> LineProcess:
    """As the README starts it: `python run_kiosk.py --headless …`, with systemd's two variables."""
    return LineProcess("run_kiosk.py", "--headless", "--broker", url, "--store", store, "--device", "kiosk-1",
                       "--data-dir", str(data), env=listener.env())  # fmt: skip


def test_the_kiosk_pings_while_it_can_write_and_a_hung_kiosk_restarted_sends_what_it_took(
    broker: Mosquitto, tmp_path: Path, notify: NotifySocket, procs: list[LineProcess]
) -> None:
    store = f"w{uuid.uuid4().hex[:8]}"
    data = tmp_path / "kiosk"
    # No broker at first: the kiosk takes the request all the same, into its outbox.
    first = kiosk(f"mqtt://127.0.0.1:{free_port()}", store, data, notify)
    procs.append(first)
    _, ready = notify.wait_for("READY=1")[-1]
    assert f"STATUS=taking requests: kiosk-1 store={store}" in ready
    assert len(notify.pings_within(2 * INTERVAL)) >= 3

    # Its data dir's requests folder cannot be written (a file in its place: root too is stopped by that).
    (data / "requests").mkdir(exist_ok=True)
    (data / "requests").rename(data / "requests-aside")
    (data / "requests").write_text("in the way")
    notify.wait_for("STATUS=storage cannot be written: " + str(data / "requests") + ": Not a directory", INTERVAL)
    assert notify.pings_within(2 * INTERVAL) == [], "no pings while it cannot write"
    (data / "requests").unlink()
    (data / "requests-aside").rename(data / "requests")
    notify.wait_for("WATCHDOG=1", INTERVAL)

    first.send("help question")
    assert shlex.split(first.expect("ticket"))[1] == "H-001"
    # It hangs. The supervisor sees no ping within the interval and restarts it, as systemd does.
    os.kill(first.proc.pid, signal.SIGSTOP)
    notify.pings_within(0.2)  # what was sent before it stopped
    assert notify.pings_within(INTERVAL) == [], "a stuck kiosk sends nothing"
    stop(first, kill=True)
    anna = pager(broker.url, store, "Anna")
    procs.append(anna)
    again = kiosk(broker.url, store, data, notify)
    procs.append(again)
    notify.wait_for("READY=1")
    assert anna.expect("new H-001"), "the request taken before the hang reaches the pager"
    notify.wait_for("WATCHDOG=1", INTERVAL)
    assert stop(again) == 0, "SIGTERM is a clean stop"
    notify.wait_for("STOPPING=1", 5)


class Heard:
    def __init__(self) -> None:
        self.said: list[str] = []

    def ping(self) -> None:
        self.said.append("WATCHDOG=1")

    def status(self, line: str) -> None:
        self.said.append(f"STATUS={line}")


def test_the_gate_holds_pings_back_while_storage_says_no_and_tells_status_once_per_change(tmp_path: Path) -> None:
    probe = StorageProbe([tmp_path / "not-made-yet", tmp_path / "outbox"])
    assert probe.trouble() is None, "a folder not made yet is tried where it would be made"
    assert sorted(p.name for p in tmp_path.iterdir()) == [], "the probe leaves nothing behind"
    heard = Heard()
    gate = Watchdog(heard, probe.trouble, "taking requests")
    gate.ping()
    (tmp_path / "outbox").write_text("in the way")
    gate.ping()
    gate.ping()
    (tmp_path / "outbox").unlink()
    gate.ping()
    assert heard.said[0] == "WATCHDOG=1" and heard.said[-2:] == ["STATUS=taking requests", "WATCHDOG=1"]
    assert heard.said[1].startswith(f"STATUS=storage cannot be written: {tmp_path / 'outbox'}")
    assert len(heard.said) == 4, heard.said
