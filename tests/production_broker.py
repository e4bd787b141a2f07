"""The production broker of broker_config/ for tests, as a store runs it:
what broker_config/README.md says (its setup command and ACL table), the
broker started from provision.py's config unmodified, its listening sockets
read from /proc, and a bare paho MQTT 5 client that reports the broker's answers.

Touches processes, sockets, /proc and the folder it is given.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shlex
import socket
import subprocess
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from tests.broker import wait_for_port

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "broker_config" / "README.md"
TIMEOUT = 10.0


# -- what the README says -----------------------------------------------------


def readme_setup_command() -> list[str]:
    """The provision.py command of the README's setup block, as typed."""
    text = README.read_text()
    match = re.search(r"^python3 broker_config/provision\.py .*?(?<!\\)$", text, re.S | re.M)
    assert match, "broker_config/README.md has no provision.py command"
    return shlex.split(match.group().replace("\\\n", " "))


@dataclass(frozen=True)
class Probe:
    device: str
    role: str
    does: str  # "publish" or "receive"
    topic: str
    answer: str  # "accepted", "Not authorized", "receives", "nothing"

    def __str__(self) -> str:
        return f"{self.device} {self.does} {self.topic} -> {self.answer}"


def readme_probes() -> list[Probe]:
    answers = "accepted|Not authorized|receives|nothing"
    row = re.compile(rf"^\| ([\w-]+) \((\w+)\) \| (publish|receive) \| `([^`]+)` \| ({answers}) \|$")
    return [Probe(*m.groups()) for m in map(row.match, README.read_text().splitlines()) if m]


# -- the broker ----------------------------------------------------------------


def listening_sockets(pid: int) -> set[tuple[str, int]]:
    """The TCP addresses process `pid` listens on, from /proc (no ss, no psutil)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    found = set()
    for table in ("tcp", "tcp6"):
        path = Path(f"/proc/{pid}/net/{table}")
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            (address, port), state, inode = fields[1].split(":"), fields[3], fields[9]
            if state == "0A" and inode in inodes:  # 0A: LISTEN
                raw = bytes.fromhex(address)
                # /proc prints each 32-bit word in host (little-endian) order.
                ordered = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
                found.add((str(ipaddress.ip_address(ordered)), int(port, 16)))
    return found


class Broker:
    """`mosquitto -c <out>/mosquitto.conf`, exactly as provision.py wrote it."""

    def __init__(self, store: str, folder: Path, port: int, tls_port: int, passwords: dict[str, str]) -> None:
        self.store, self.folder, self.port, self.tls_port, self.passwords = store, folder, port, tls_port, passwords
        self.conf = folder / "mosquitto.conf"
        self.log = folder / "log" / "mosquitto.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.beside_1883 = ""  # who held 127.0.0.1:1883 when it started

    def start(self) -> None:
        self.starts += 1
        # A file, not a pipe: the broker logs every connection to stderr, and
        # a pipe nobody reads would stop it once full.
        self.stderr = self.folder.parent / f"stderr-{self.starts}.txt"
        with open(self.stderr, "wb") as err:
            self.proc = subprocess.Popen(["mosquitto", "-c", str(self.conf)], stdout=subprocess.DEVNULL, stderr=err)
        try:
            wait_for_port(self.port, self.proc)
            wait_for_port(self.tls_port, self.proc)
        except (RuntimeError, TimeoutError) as exc:
            self.stop()
            raise RuntimeError(f"{exc}\nit printed:\n{self.stderr.read_text()}") from None

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: Mosquitto saves its sessions and exits
            self.proc.wait(10)


def accepting(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def hold_1883() -> socket.socket | None:
    """Take 127.0.0.1:1883, as a running demo or Debian's own mosquitto service
    would; None when another program already listens there."""
    for _attempt in range(3):
        holder = socket.socket()
        # Past connections' TIME_WAIT must not keep us off the port; a listening
        # socket still clashes with any other listener on it.
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            holder.bind(("127.0.0.1", 1883))
            holder.listen()
            return holder
        except OSError:
            holder.close()
            if accepting(1883):
                return None
    raise RuntimeError("127.0.0.1:1883 is neither free nor listening")


# -- a bare MQTT 5 client -----------------------------------------------------


class Client:
    """A bare paho MQTT 5 client that reports what the broker answered."""

    def __init__(
        self,
        broker: Broker,
        user: str | None,
        password: str | None = None,
        *,
        client_id: str | None = None,
        clean_start: bool = True,
        session_expiry: int = 0,
    ) -> None:
        self.user, self.store = user, broker.store
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=client_id or user or "anonymous", protocol=mqtt.MQTTv5
        )
        if user:
            self.client.username_pw_set(user, password if password is not None else broker.passwords[user])
        self.connack: list[tuple[str, bool]] = []
        self.acks: dict[int, str] = {}
        self.subacks: dict[int, list[str]] = {}
        self.got: list[tuple[str, bytes]] = []
        self.answered = threading.Condition()
        self.client.on_connect = lambda c, u, flags, rc, p: self._note(
            lambda: self.connack.append((str(rc), bool(flags.session_present)))
        )
        # Reason codes below 0x80 are successes ("No matching subscribers" too).
        self.client.on_publish = lambda c, u, mid, rc, p: self._note(
            lambda: self.acks.__setitem__(mid, str(rc) if rc.is_failure else "accepted")
        )
        self.client.on_subscribe = lambda c, u, mid, rcs, p: self._note(
            lambda: self.subacks.__setitem__(mid, [str(rc) for rc in rcs])
        )
        self.client.on_message = lambda c, u, m: self._note(lambda: self.got.append((m.topic, bytes(m.payload))))
        properties = Properties(PacketTypes.CONNECT)
        if session_expiry:
            properties.SessionExpiryInterval = session_expiry
        self.client.connect("127.0.0.1", broker.port, clean_start=clean_start, properties=properties)
        self.client.loop_start()

    def _note(self, change: Callable[[], object]) -> None:
        with self.answered:
            change()
            self.answered.notify_all()

    def wait_for(self, what: Callable[[], object], timeout: float = TIMEOUT) -> bool:
        with self.answered:
            return bool(self.answered.wait_for(what, timeout))

    def connected_as(self) -> str:
        assert self.wait_for(lambda: self.connack), "no CONNACK"
        return self.connack[0][0]

    def session_present(self) -> bool:
        assert self.connected_as() == "Success"
        return self.connack[0][1]

    def publish(self, topic: str, payload: bytes = b'{"v":1}') -> str:
        """What the broker answered to a QoS 1 publish: "accepted" or the refusal."""
        info = self.client.publish(topic, payload, qos=1)
        assert self.wait_for(lambda: info.mid in self.acks), f"no PUBACK for {topic}"
        return self.acks[info.mid]

    def subscribe(self, *topics: str) -> list[str]:
        """Subscribe at QoS 1; the broker's answer per topic, once it has them."""
        _rc, mid = self.client.subscribe([(topic, 1) for topic in topics])
        assert mid is not None, f"could not send SUBSCRIBE: {_rc}"
        assert self.wait_for(lambda: mid in self.subacks), f"no SUBACK for {topics}"
        return self.subacks[mid]

    def own_topic(self) -> str:
        return f"store/{self.store}/devices/{self.user}"

    def settle(self) -> None:
        """Publish to our own (subscribed) presence topic and wait for it to come
        back: the broker delivers a client's messages in order, so anything it
        routed to us before this has arrived by then."""
        token = uuid.uuid4().hex.encode()
        assert self.publish(self.own_topic(), token) == "accepted"
        assert self.wait_for(lambda: (self.own_topic(), token) in self.got), "our own message never came back"

    def payloads(self) -> list[bytes]:
        with self.answered:
            return [payload for _topic, payload in self.got]

    def receives(self, payload: bytes) -> bool:
        """Whether `payload` arrives (on any topic) within the timeout."""
        return self.wait_for(lambda: any(got == payload for _topic, got in self.got))

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def leave_away(broker: Broker, user: str, *topics: str) -> None:
    """A fresh persistent session for `user`, subscribed to `topics`, then away,
    the way the apps keep theirs: clean_start false with a session expiry.
    (Mosquitto 2.0.11 keeps a session begun with clean_start true in memory
    but never writes it to disk, so a restart would lose it.)"""
    wipe = Client(broker, user)  # clean start, no expiry: whatever was there is gone
    assert wipe.connected_as() == "Success"
    wipe.close()
    client = Client(broker, user, clean_start=False, session_expiry=3600)
    try:
        assert not client.session_present()
        assert client.subscribe(*topics) == ["Granted QoS 1"] * len(topics)
    finally:
        client.close()


def owner_of(topic: str) -> str:
    """Who may publish on this topic: the kiosk it names, its device, a pager, or the recorder."""
    levels = topic.split("/")
    if levels[2] == "requests" and levels[-1] == "action":
        return "pager-bob"
    if levels[2] == "managers":
        return "recorder"  # today's figures and the rule alerts
    return levels[3]
