"""The touchscreen kiosk (`python run_kiosk.py`, its window on a virtual screen) under systemd's watchdog,
against a real NOTIFY_SOCKET: READY=1 once its window's loop turns, WATCHDOG=1 from Kivy's clock, none while
the process is stuck, and STOPPING=1 with a clean exit on SIGTERM (systemd's stop)."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.broker import free_port
from tests.processes import LineProcess
from tests.recorder_process import stop
from tests.test_watchdog_recorder import INTERVAL, NotifySocket, short_socket
from tests.xvfb import VirtualScreen


@pytest.fixture
def notify() -> Iterator[NotifySocket]:
    yield from short_socket()


def test_the_kiosk_window_tells_systemd_it_is_ready_pings_from_its_loop_and_stops_cleanly_on_sigterm(
    screen: VirtualScreen, tmp_path: Path, notify: NotifySocket, procs: list[LineProcess]
) -> None:
    env = screen.env(**{k: v for k, v in notify.env().items() if k in ("NOTIFY_SOCKET", "WATCHDOG_USEC")})
    kiosk = LineProcess("run_kiosk.py", "--broker", f"mqtt://127.0.0.1:{free_port()}", "--device", "kiosk-w",
                        "--data-dir", str(tmp_path / "kiosk"), env=env)  # fmt: skip
    procs.append(kiosk)
    _, ready = notify.wait_for("READY=1", 60)[-1]  # a Kivy window on software GL takes a few seconds
    assert "STATUS=taking requests: kiosk-w store=demo-store" in ready
    assert len(notify.pings_within(2 * INTERVAL)) >= 3
    os.kill(kiosk.proc.pid, signal.SIGSTOP)
    notify.pings_within(0.2)  # what was sent before it stopped
    assert notify.pings_within(INTERVAL) == [], "a stuck window sends nothing"
    os.kill(kiosk.proc.pid, signal.SIGCONT)
    notify.wait_for("WATCHDOG=1", 2 * INTERVAL)
    assert stop(kiosk) == 0, "SIGTERM is a clean stop"
    notify.wait_for("STOPPING=1", 5)
