"""A kiosk whose disk fills up: a real small filesystem (tmpfs of 256 KiB, mounted here as root) under its
data dir. Full, it takes nothing: the shopper is sent to the service desk, staff get a storage alert; once
space is back it says it resumed, and the next request is taken and reaches the pager."""

from __future__ import annotations

import errno
import json
import os
import shlex
import subprocess
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from core import wire
from tests.broker import Mosquitto
from tests.processes import LineProcess
from tests.test_store_kiosks import pager

TIMEOUT = 10.0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"tmpfs could not be mounted: {mounted.stderr.decode().strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def fill(disk: Path) -> Path:
    """A file that takes every free byte of `disk`."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as out:
        while True:
            try:
                out.write(b"\0" * 4096)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
                return filler


class AlertListener:
    """A plain subscriber to the store's kiosk alerts."""

    def __init__(self, broker: Mosquitto, store: str) -> None:
        self.got: list[dict[str, object]] = []
        self._lock = threading.Condition()
        subscribed = threading.Event()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        self.client.on_message = self._message
        self.client.on_subscribe = lambda *_args: subscribed.set()
        self.client.connect("127.0.0.1", broker.port)
        self.client.subscribe(wire.alert_topic(store, "+"), qos=1)
        self.client.loop_start()
        assert subscribed.wait(TIMEOUT), "no SUBACK for the alerts topic"

    def _message(self, _client, _userdata, message) -> None:  # type: ignore[no-untyped-def]
        with self._lock:
            self.got.append(json.loads(message.payload))
            self._lock.notify_all()

    def storage(self, writable: bool) -> dict[str, object]:
        def found() -> dict[str, object] | None:
            return next((a for a in self.got if a.get("kind") == "storage" and a["writable"] is writable), None)

        with self._lock:
            assert self._lock.wait_for(found, TIMEOUT), f"no storage alert writable={writable}: {self.got}"
            return found()  # type: ignore[return-value]

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def test_a_full_disk_sends_the_shopper_to_the_desk_alerts_staff_and_resumes_by_itself(
    broker: Mosquitto, small_disk: Path, procs: list[LineProcess]
) -> None:
    store = f"f{uuid.uuid4().hex[:8]}"
    anna = pager(broker.url, store, "Anna")
    procs.append(anna)
    alerts = AlertListener(broker, store)
    try:
        kiosk = LineProcess("run_kiosk.py", "--headless", "--broker", broker.url, "--store", store,
                            "--device", "kiosk-1", "--data-dir", str(small_disk / "kiosk"))  # fmt: skip
        procs.append(kiosk)
        kiosk.expect("connection up")
        kiosk.send("help question")
        assert shlex.split(kiosk.expect("ticket"))[1] == "H-001"
        anna.expect("new H-001")

        filler = fill(small_disk)
        before = len(kiosk.seen)
        kiosk.send("help question")
        refused = kiosk.expect("service-desk")
        assert "go to the service desk" in shlex.split(refused)[1]
        assert not [line for line in kiosk.seen[before:] if line.startswith("ticket")], "nothing claimed taken"
        assert kiosk.saw("storage unwritable"), kiosk.seen
        alert = alerts.storage(False)
        assert alert["kiosk"] == "kiosk-1" and "No space left" in str(alert["detail"])
        assert anna.expect("storage kiosk-1").startswith("storage kiosk-1 unwritable"), "the pager is told"
        # Still full: refused again, in the shopper's language, before anything is taken.
        kiosk.send("language nl")
        kiosk.send("help other")
        assert "servicebalie" in shlex.split(kiosk.expect("service-desk"))[1]

        filler.unlink()
        kiosk.expect("storage resumed")
        assert alerts.storage(True)["kiosk"] == "kiosk-1"
        assert anna.expect("storage kiosk-1").startswith("storage kiosk-1 resumed")
        kiosk.send("help question")
        # H-002: the requests refused took no ticket number either.
        assert shlex.split(kiosk.expect("ticket"))[1] == "H-002"
        anna.expect("new H-002")
    finally:
        alerts.close()
