"""Request accepted on a kiosk → seen by a pager, over a real Mosquitto.

    .venv/bin/python -m bench.latency [--n 1000]

Side by side in the same run: a bare paho-to-paho QoS 1 round trip (the floor
nothing of ours can beat), and the whole path — the kiosk service storing the
request (TinyDB file, fsync), keeping the message in the durable outbox (fsync),
publishing, and the pager service turning the state into a "new" notice.
Target: p99 ≤ 5 ms for the whole path.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from adapters.file_outbox import FileOutbox
from adapters.paho_transport import PahoTransport
from adapters.tinydb_store import TinyDBEventLog
from bench.figures import summary_ms
from core import wire
from core.board import Board, Notice
from core.desk import Desk
from core.model import Kind
from shell.kiosk_service import KioskService
from shell.loop import SystemClock
from shell.outbox import DurableOutbox
from shell.pager_service import PagerService
from tests.broker import Mosquitto

TIMEOUT = 10.0


def bare_paho(url_port: int, n: int) -> list[float]:
    got = threading.Event()
    sub = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    sub.on_message = lambda c, u, m: got.set()
    sub.connect("127.0.0.1", url_port)
    sub.subscribe("bench/bare", qos=1)
    sub.loop_start()
    pub = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    pub.connect("127.0.0.1", url_port)
    pub.loop_start()
    time.sleep(0.5)  # subscriptions settle; a benchmark, not a test
    samples = []
    payload = b"x" * 400  # about a request state's size
    for _ in range(n):
        got.clear()
        start = time.perf_counter()
        pub.publish("bench/bare", payload, qos=1)
        if not got.wait(TIMEOUT):
            raise TimeoutError("bare paho message lost")
        samples.append(time.perf_counter() - start)
    for client in (pub, sub):
        client.loop_stop()
        client.disconnect()
    return samples


def kiosk_to_pager(broker: Mosquitto, data_dir: Path, n: int) -> list[float]:
    store = "bench"
    seen = threading.Event()
    pager_transport = PahoTransport(broker.url, "bench-pager", subscriptions=[wire.all_states(store)])
    pager = PagerService(board=Board("Anna"), store_id=store, transport=pager_transport, clock=SystemClock())
    pager.listeners.append(lambda notice: seen.set() if isinstance(notice, Notice) and notice.kind == "new" else None)
    kiosk_transport = PahoTransport(broker.url, "bench-kiosk", subscriptions=[])
    event_log = TinyDBEventLog(data_dir)
    kiosk = KioskService(
        desk=Desk("kiosk-1", ZoneInfo("Europe/Amsterdam")),
        store_id=store,
        transport=DurableOutbox(kiosk_transport, FileOutbox(data_dir / "outbox")),
        spool=None,
        event_log=event_log,
        clock=SystemClock(),
    )
    # The pager's own code, run straight on paho's thread: no queue hop to time.
    pager_transport.start(pager.on_message)
    kiosk_transport.start()
    for transport in (pager_transport, kiosk_transport):
        if not transport.wait_connected(TIMEOUT):
            raise TimeoutError("no broker")
    time.sleep(0.5)
    samples = []
    for i in range(n):
        seen.clear()
        start = time.perf_counter()
        kiosk.request_help(Kind.HELP, {"topic": "question", "note": f"bench {i}"})
        if not seen.wait(TIMEOUT):
            raise TimeoutError(f"request {i} never reached the pager")
        samples.append(time.perf_counter() - start)
    for transport in (kiosk_transport, pager_transport):
        transport.close()
    event_log.close()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.latency")
    parser.add_argument("--n", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        broker = Mosquitto(Path(tmp))
        broker.start()
        try:
            bare = bare_paho(broker.port, args.n)
            full = kiosk_to_pager(broker, Path(tmp) / "kiosk", args.n)
        finally:
            broker.stop()
    print(f"request accepted → pager notice, {args.n} requests, real Mosquitto on loopback")
    print(f"  bare paho → paho QoS 1 (baseline) : {summary_ms(bare)}")
    print(f"  kiosk → pager, with durable writes : {summary_ms(full)}")
    print("  target: kiosk → pager p99 ≤ 5 ms")


if __name__ == "__main__":
    main()
