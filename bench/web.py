"""A request's change on the broker → visible on the staff and ticket pages' event streams.

    .venv/bin/python -m bench.web [--changes 200] [--staff 20] [--tickets 200]

The web service runs as a process, as a store starts it (`store-assist-web`),
against a real Mosquitto. 20 staff members are signed in with an event stream
each (/api/staff/events) and 200 shoppers have their ticket page's stream open
(/t/<token>/events); a kiosk's request states and tokens are published straight
to the broker. Each change (a claim, then a release, of one request after
another) is timed from its publish to the moment each stream that shows it has
it, side by side in the same run with a bare paho subscriber of the same topic:
the floor nothing of ours can beat. Also: the service's peak RSS (VmHWM), and a
ticket page's bytes over the wire (gzip, all it loads).
Targets: p99 ≤ 100 ms; peak RSS ≤ 100 MB; a ticket page ≤ 50 KB.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from bench.figures import summary_ms
from core import wire
from core.model import Kind, Request, Status
from tests.broker import Mosquitto, free_port

STORE = "bench"
KIOSK = "kiosk-1"
PIN = "2580"
TIMEOUT = 30.0
ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / ".venv" / "bin" / "store-assist-web"


def config(folder: Path, broker: Mosquitto, port: int) -> Path:
    path = folder / "web.toml"
    path.write_text(
        f'[store]\nid = "{STORE}"\ntimezone = "Europe/Amsterdam"\n'
        f'[device]\nid = "web"\n'
        f'[broker]\nurl = "{broker.url}"\n'
        f'[web]\nlisten = "127.0.0.1"\nport = {port}\npublic_url = "http://127.0.0.1:{port}"\n'
        f'data_dir = "{folder / "web"}"\n'
    )
    return path


def add_accounts(conf: Path, count: int) -> list[str]:
    names = [f"staff-{n:02d}" for n in range(count)]
    for name in names:
        subprocess.run(
            [str(WEB), "--config", str(conf), "accounts", "add", name, "--role", "floor", "--pin-stdin"],
            input=PIN + "\n",
            text=True,
            check=True,
            capture_output=True,
            timeout=60,
        )
    return names


def start_service(conf: Path, log: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [str(WEB), "--config", str(conf)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + TIMEOUT
    with log.open("w") as out:
        for line in proc.stdout:
            out.write(line)
            if "serving" in line:
                break
            if time.monotonic() > deadline:
                raise TimeoutError("the web service did not say it serves")
        else:
            raise RuntimeError(f"the web service stopped: see {log}")
    # Keep reading its output so it never blocks on a full pipe.
    threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()  # type: ignore[union-attr]
    return proc


def requests(count: int) -> list[Request]:
    now = datetime.now(UTC)
    return [
        Request(
            id=f"bench{n:05d}",
            kind=Kind.HELP,
            ticket=f"H-{n + 1:03d}",
            kiosk=KIOSK,
            created_at=now,
            details={"topic": "question", "language": "en"},
            changed_at=now,
            token=secrets.token_urlsafe(16),
        )
        for n in range(count)
    ]


class Bare:
    """A bare paho subscriber of the states: when each (request, seq) arrived."""

    def __init__(self, port: int) -> None:
        self.seen: dict[tuple[str, int], float] = {}
        self.arrived = threading.Condition()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        self.client.on_message = self._message
        self.client.connect("127.0.0.1", port)
        self.client.subscribe(wire.all_states(STORE), qos=1)
        self.client.loop_start()

    def _message(self, _c: object, _u: object, message: mqtt.MQTTMessage) -> None:
        at = time.perf_counter()
        if message.payload:
            state = json.loads(message.payload)
            with self.arrived:
                self.seen[(state["id"], state["seq"])] = at
                self.arrived.notify_all()

    def wait(self, key: tuple[str, int]) -> float:
        with self.arrived:
            if not self.arrived.wait_for(lambda: key in self.seen, TIMEOUT):
                raise TimeoutError(f"bare subscriber never saw {key}")
            return self.seen[key]


class Streams:
    """Every event stream's latest sighting of each (request, seq)."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str, int], float] = {}  # (stream, request id, seq) → when
        self.ready: set[str] = set()
        self.changed = asyncio.Event()

    def saw(self, stream: str, pairs: list[tuple[str, int]]) -> None:
        at = time.perf_counter()
        for request_id, seq in pairs:
            self.seen.setdefault((stream, request_id, seq), at)
        self.ready.add(stream)
        self.changed.set()

    async def follow(self, client: httpx.AsyncClient, url: str, stream: str, request_id: str | None) -> None:
        async with client.stream("GET", url, timeout=None) as response:
            response.raise_for_status()
            data: list[str] = []
            async for line in response.aiter_lines():
                if line.startswith("data:"):
                    data.append(line[5:].strip())
                elif not line and data:
                    body = json.loads("\n".join(data))
                    data = []
                    if request_id is not None and "seq" in body:  # a ticket view
                        self.saw(stream, [(request_id, body["seq"])])
                    elif "requests" in body:  # the staff state
                        self.saw(stream, [(r["id"], r["seq"]) for r in body["requests"]])

    async def wait(self, test: object) -> None:
        deadline = time.monotonic() + TIMEOUT
        while not test():  # type: ignore[operator]
            self.changed.clear()
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the streams did not show the change")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), left)


def page_bytes(base: str, token: str) -> int:
    """A ticket page over the wire, gzip as a phone asks for it, with everything it loads from the service."""
    total = 0
    with httpx.Client(base_url=base, headers={"Accept-Encoding": "gzip"}) as client:
        page = client.get(f"/t/{token}")
        page.raise_for_status()
        total += page.num_bytes_downloaded
        for ref in re.findall(r'(?:src|href)="(/[^"]+)"', page.text):
            total += client.get(ref).num_bytes_downloaded
    return total


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def measure(base: str, names: list[str], shown: list[Request], changes: int, port: int) -> dict[str, list[float]]:
    bare = Bare(port)
    streams = Streams()
    publisher = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    publisher.connect("127.0.0.1", port)
    publisher.loop_start()
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
    tasks = []
    clients = []
    for name in names:
        client = httpx.AsyncClient(base_url=base, limits=limits)
        (await client.post("/api/login", json={"name": name, "pin": PIN})).raise_for_status()
        clients.append(client)
        tasks.append(asyncio.create_task(streams.follow(client, "/api/staff/events", name, None)))
    shoppers = httpx.AsyncClient(base_url=base, limits=limits)
    clients.append(shoppers)
    for request in shown:
        url = f"/t/{request.token}/events"
        tasks.append(asyncio.create_task(streams.follow(shoppers, url, request.token, request.id)))
    await streams.wait(lambda: len(streams.ready) == len(names) + len(shown))
    samples: dict[str, list[float]] = {"bare paho subscriber": [], "staff pages (each)": [], "ticket page": []}
    current = {r.id: r for r in shown}
    for n in range(changes):
        request = current[shown[n % len(shown)].id]
        if request.status is Status.OPEN:
            after = replace(request, status=Status.CLAIMED, claimed_by=names[0], seq=request.seq + 1)
        else:
            after = replace(request, status=Status.OPEN, claimed_by=None, seq=request.seq + 1)
        after = replace(after, changed_at=datetime.now(UTC))
        current[after.id] = after
        key = (after.id, after.seq)
        start = time.perf_counter()
        publisher.publish(wire.state_topic(STORE, KIOSK, after.id), wire.encode_request(after), qos=1, retain=True)
        wanted = [(name, *key) for name in names] + [(after.token, *key)]
        await streams.wait(lambda wanted=wanted: all(w in streams.seen for w in wanted))
        samples["bare paho subscriber"].append(await asyncio.to_thread(bare.wait, key) - start)
        samples["staff pages (each)"] += [streams.seen[(name, *key)] - start for name in names]
        samples["ticket page"].append(streams.seen[(after.token, *key)] - start)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for client in clients:
        await client.aclose()
    publisher.loop_stop()
    bare.client.loop_stop()
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.web")
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--staff", type=int, default=20)
    parser.add_argument("--tickets", type=int, default=200)
    args = parser.parse_args(argv)
    if not WEB.exists():
        print(f"{WEB} not found: run ./run test once (it installs the project into .venv)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        folder = Path(tmp)
        broker = Mosquitto(folder)
        broker.start()
        port = free_port()
        shown = requests(args.tickets)
        seeder = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        seeder.connect("127.0.0.1", broker.port)
        seeder.loop_start()
        for request in shown:
            seeder.publish(wire.state_topic(STORE, KIOSK, request.id), wire.encode_request(request), 1, True)
            info = seeder.publish(wire.token_topic(STORE, KIOSK, request.id), wire.encode_token(request), 1, True)
        info.wait_for_publish(TIMEOUT)
        seeder.loop_stop()
        conf = config(folder, broker, port)
        print(f"making {args.staff} staff accounts …", flush=True)
        names = add_accounts(conf, args.staff)
        proc = start_service(conf, folder / "web.log")
        base = f"http://127.0.0.1:{port}"
        try:
            print(f"{args.staff} staff streams, {args.tickets} ticket streams, {args.changes} changes", flush=True)
            samples = asyncio.run(measure(base, names, shown, args.changes, broker.port))
            size = page_bytes(base, shown[0].token)
            rss = peak_rss_mb(proc.pid)
        finally:
            proc.terminate()
            proc.wait(10)
            broker.stop()
    print("\nchange published → seen (target p99 ≤ 100 ms):")
    for case, values in samples.items():
        print(f"  {case:22} {summary_ms(values)}")
    print(f"\nweb service peak RSS: {rss:.1f} MB (target ≤ 100 MB)")
    print(f"ticket page over the wire (gzip, all it loads): {size / 1024:.1f} KB (target ≤ 50 KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
