"""The web service under systemd's watchdog, against a real NOTIFY_SOCKET (an abstract name, as systemd may
give): READY=1 once it serves, WATCHDOG=1 at half the interval from its asyncio loop, none while the process
is stopped, STOPPING=1 on SIGTERM."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from tests.broker import Mosquitto
from tests.test_watchdog_recorder import INTERVAL, NotifySocket, about_half_the_interval
from tests.web_process import web_service


def test_the_web_service_is_ready_when_serving_pings_from_its_loop_and_says_when_it_stops(
    broker: Mosquitto, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notify = NotifySocket(f"@store-assist-web-test-{os.getpid()}")
    try:
        for key, value in notify.env().items():
            if key in ("NOTIFY_SOCKET", "WATCHDOG_USEC"):
                monkeypatch.setenv(key, value)  # the service inherits them, as from systemd
        with web_service(tmp_path / "web", broker_url=broker.url, store="wdweb") as service:
            _, ready = notify.wait_for("READY=1")[-1]
            assert any(line.startswith("STATUS=serving http://127.0.0.1:") for line in ready), ready
            with service.client() as client:
                assert client.get("/board").status_code == 200, "ready means it answers"
            pings = notify.pings_within(3 * INTERVAL)
            assert len(pings) >= 4, pings
            assert about_half_the_interval(pings), pings

            assert service.proc is not None
            os.kill(service.proc.pid, signal.SIGSTOP)
            try:
                notify.pings_within(0.2)  # what was sent before it stopped
                assert notify.pings_within(2 * INTERVAL) == [], "no pings from a loop that does not turn"
            finally:
                os.kill(service.proc.pid, signal.SIGCONT)
            notify.wait_for("WATCHDOG=1", 2 * INTERVAL)
            assert service.stop() == 0
            notify.wait_for("STOPPING=1", 5)
    finally:
        notify.close()
