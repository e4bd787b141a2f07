"""The recorder as a store starts it (`python -m store_server.main`, which is
`store-assist-recorder`), and what its record and the kiosks' data dirs hold.

Touches processes and the folders it is given (the kiosks' dirs read only).
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

from adapters.tinydb_store import ALERTS, TinyDBEventLog
from tests.broker import Mosquitto
from tests.processes import ROOT, LineProcess
from tests.services import Publisher

RECORDER = ["-m", "store_server.main"]
KEPT = re.compile(r"kept (requests|feedback|searches|alerts) (.+)$")


def recorder(url: str, store: str, record: Path) -> LineProcess:
    proc = LineProcess(*RECORDER, "--broker", url, "--store", store, "--device", f"recorder-{store}",
                       "--data-dir", str(record))  # fmt: skip
    proc.expect("recording")
    proc.expect("connection up")
    proc.expect("subscribed")  # from here on nothing of the store passes it by
    return proc


def ticket(proc: LineProcess) -> tuple[str, str]:
    """The kiosk's next `ticket` line: (ticket number, request id)."""
    line = proc.expect("ticket")
    return shlex.split(line)[1], dict(w.split("=", 1) for w in shlex.split(line) if "=" in w)["id"]


def stop(proc: LineProcess, *, kill: bool = False) -> int:
    """SIGTERM (a clean stop) or SIGKILL (a crash, a power cut)."""
    if proc.proc.poll() is None:
        proc.proc.kill() if kill else proc.proc.terminate()
    return proc.proc.wait(15)


def kept(*procs: LineProcess) -> set[tuple[str, ...]]:
    """What the recorder processes said they kept, as (kind, identity…)."""
    found = set()
    for proc in procs:
        for line in list(proc.stderr):
            match = KEPT.search(line.rstrip("\n"))
            if match:
                found.add((match.group(1), *match.group(2).split(" ")))
    return found


def wait_kept(latest: LineProcess, wanted: set[tuple[str, ...]], *earlier: LineProcess, timeout: float = 60) -> None:
    """Until the recorder (this process, and those before it) kept every one of `wanted`."""
    condition = latest._stderr_grew
    with condition:
        ok = condition.wait_for(lambda: wanted <= kept(latest, *earlier), timeout)
    if not ok:
        raise TimeoutError(
            f"never kept {sorted(wanted - kept(latest, *earlier))}; stderr {''.join(latest.stderr[-15:])}"
        )


def steps(folder: Path) -> list[tuple[str, int, str]]:
    """(request id, seq, event) of every log entry in a data dir, as stored."""
    with TinyDBEventLog(folder, readonly=True) as log:
        return [(e.request_id, e.seq, e.event) for e in log.entries_between(date.min, date.max)]


def feedback_ids(folder: Path) -> list[str]:
    with TinyDBEventLog(folder, readonly=True) as log:
        return [f.id for f in log.feedback_between(date.min, date.max)]


def search_ids(folder: Path) -> list[str]:
    with TinyDBEventLog(folder, readonly=True) as log:
        return [s.id for s in log.searches_between(date.min, date.max)]


def alerts(folder: Path) -> list[dict[str, object]]:
    with TinyDBEventLog(folder, readonly=True) as log:
        return log.records_between(ALERTS, date.min, date.max)


def once_each(items: list[object]) -> bool:
    return all(n == 1 for n in Counter(items).values())


def run_import(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *RECORDER, "import", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL)  # fmt: skip


class Watcher:
    """A plain MQTT 5 client following `topic`, to know what the broker has."""

    def __init__(self, port: int, topic: str) -> None:
        import threading

        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion

        self.topics: list[str] = []
        self.grew = threading.Condition()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        self.client.on_message = lambda _c, _u, m: self._got(m.topic)
        self.client.connect("127.0.0.1", port)
        self.client.subscribe(topic, qos=1)
        self.client.loop_start()

    def _got(self, topic: str) -> None:
        with self.grew:
            self.topics.append(topic)
            self.grew.notify_all()

    def wait_for(self, topic: str, timeout: float = 30) -> None:
        with self.grew:
            assert self.grew.wait_for(lambda: topic in self.topics, timeout), f"the broker never had {topic}"

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def kill_once_saved(broker: Mosquitto, watcher: Watcher, topic: str) -> None:
    """SIGKILL the broker once it has `topic`'s message and two round trips more have passed.

    Mosquitto saves a change just AFTER its PUBACK (autosave_on_changes):
    killed within that millisecond it loses an acknowledged message, a loss
    no client can see (docs/recorder.md)."""
    watcher.wait_for(topic)
    watcher.close()
    settle = Publisher(broker)
    for _ in range(2):
        settle.send(topic.rsplit("/", 2)[0] + "/settle", b"{}")
    settle.close()
    broker.kill()
