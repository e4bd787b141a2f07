"""Broker outage: from the broker's restart to an empty outbox, 200 messages queued.

    .venv/bin/python -m bench.outage [--messages 200] [--runs 5]

A kiosk's transport with the durable outbox publishes request states while
the broker is down (paho keeps retrying; every message waits on disk). The
broker starts; the clock runs from its start until the outbox is empty, i.e.
until the broker has acknowledged every message. Two ways back are measured:
the kiosk stayed up (paho's reconnect back-off), and the kiosk restarted too
(the outbox sent from disk by the new process). Target: ≤ 3 s.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from adapters.file_outbox import FileOutbox
from adapters.paho_transport import PahoTransport
from bench.figures import summary_ms
from shell.outbox import DurableOutbox
from tests.broker import Mosquitto, free_port

PAYLOAD = b'{"v":1,"id":"x","status":"open"}' + b" " * 400


def transport(port: int, name: str) -> PahoTransport:
    return PahoTransport(f"mqtt://127.0.0.1:{port}", name, subscriptions=[])


def one_run(folder: Path, messages: int, restart_kiosk: bool) -> float:
    port = free_port()
    (folder / "broker").mkdir(parents=True)
    broker = Mosquitto(folder / "broker", port=port)
    kiosk = transport(port, "bench-outage")
    outbox = DurableOutbox(kiosk, FileOutbox(folder / "outbox"))
    kiosk.start()
    for n in range(messages):
        outbox.publish(f"store/bench/requests/kiosk-1/r{n}/state", PAYLOAD, retain=True)
    if restart_kiosk:
        kiosk.close()
        kiosk = transport(port, "bench-outage")
        outbox = DurableOutbox(kiosk, FileOutbox(folder / "outbox"))
        outbox.resend_pending()
        kiosk.start()
    else:
        time.sleep(2)  # the kiosk has been retrying for a while, as in a real outage
    start = time.perf_counter()
    broker.start()
    try:
        if not outbox.wait_empty(60):
            raise TimeoutError("outbox did not empty within 60 s")
        return time.perf_counter() - start
    finally:
        kiosk.close()
        broker.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.outage")
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"broker restart → outbox empty, {args.messages} messages queued while it was down")
    cases = ((False, "kiosk stayed up (paho reconnects)"), (True, "kiosk restarted too (sent from disk)"))
    for restart_kiosk, label in cases:
        samples = []
        for run in range(args.runs):
            with tempfile.TemporaryDirectory() as tmp:
                samples.append(one_run(Path(tmp) / str(run), args.messages, restart_kiosk))
        print(f"  {label:38s} {summary_ms(samples)}")
    print("  target: ≤ 3 s")


if __name__ == "__main__":
    main()
