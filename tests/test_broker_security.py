"""The production broker config refuses whoever does not belong, on a real Mosquitto.

broker_config/provision.py sets up users, per-role ACLs and TLS in a temp
folder; Mosquitto runs that config on loopback ports. MQTT 5 throughout: on
3.1.1 an ACL denial is silent (ARCHITECTURE §7).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from adapters.paho_transport import PahoTransport
from tests.broker import free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
STORE = "sec-store"
TIMEOUT = 10.0


class Broker:
    def __init__(self, folder: Path, port: int, tls_port: int, passwords: dict[str, str]) -> None:
        self.folder, self.port, self.tls_port, self.passwords = folder, port, tls_port, passwords


@pytest.fixture(scope="module")
def secured() -> Iterator[Broker]:
    if not shutil.which("mosquitto"):
        pytest.skip("mosquitto is not installed")
    # Mosquitto started as root drops to the mosquitto user: the folder must be
    # reachable for it (pytest's own temp root is private to root).
    base = Path(tempfile.mkdtemp(prefix="store-assist-broker-"))
    base.chmod(0o755)
    out = base / "broker"
    port, tls_port = free_port(), free_port()
    devices = ["kiosk:kiosk-1", "floor:pager-anna", "manager:manager-mia"]
    subprocess.run(
        [sys.executable, "broker_config/provision.py", "--store", STORE, "--out", str(out),
         "--port", str(port), "--tls-port", str(tls_port), "--bind", "127.0.0.1", *devices],
        cwd=ROOT, check=True, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    passwords = dict(line.split() for line in (out / "passwords.txt").read_text().splitlines())
    conf = (out / "mosquitto.conf").read_text().replace("log_dest syslog", f"log_dest file {out / 'data' / 'log'}")
    (out / "mosquitto.conf").write_text(conf)
    proc = subprocess.Popen(["mosquitto", "-c", str(out / "mosquitto.conf")], stderr=subprocess.PIPE)
    try:
        try:
            wait_for_port(port, proc)
            wait_for_port(tls_port, proc)
        except RuntimeError as exc:
            log = out / "data" / "log"
            raise RuntimeError(f"{exc}\nbroker log:\n{log.read_text() if log.exists() else '(none)'}") from None
        yield Broker(out, port, tls_port, passwords)
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(base, ignore_errors=True)


class Client:
    """A bare paho MQTT 5 client that reports what the broker answered."""

    def __init__(self, broker: Broker, user: str | None, password: str | None = None) -> None:
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=user or "anonymous", protocol=mqtt.MQTTv5)
        if user:
            self.client.username_pw_set(user, password if password is not None else broker.passwords[user])
        self.connack: list[str] = []
        self.acks: dict[int, str] = {}
        self.got: list[str] = []
        self.answered = threading.Condition()
        self.client.on_connect = lambda c, u, f, rc, p: self._note(self.connack, str(rc))
        # Reason codes below 0x80 are successes ("No matching subscribers" too).
        self.client.on_publish = lambda c, u, mid, rc, p: self._note_ack(mid, str(rc) if rc.is_failure else "accepted")
        self.client.on_message = lambda c, u, m: self._note(self.got, m.topic)
        self.client.connect("127.0.0.1", broker.port)
        self.client.loop_start()

    def _note(self, into: list[str], value: str) -> None:
        with self.answered:
            into.append(value)
            self.answered.notify_all()

    def _note_ack(self, mid: int, reason: str) -> None:
        with self.answered:
            self.acks[mid] = reason
            self.answered.notify_all()

    def connected_as(self) -> str:
        with self.answered:
            assert self.answered.wait_for(lambda: self.connack, TIMEOUT), "no CONNACK"
        return self.connack[0]

    def publish(self, topic: str, payload: bytes = b'{"v":1}') -> str:
        """What the broker answered to a QoS 1 publish: "accepted" or the refusal."""
        info = self.client.publish(topic, payload, qos=1)
        with self.answered:
            assert self.answered.wait_for(lambda: info.mid in self.acks, TIMEOUT), f"no PUBACK for {topic}"
        return self.acks[info.mid]

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def test_anonymous_clients_and_wrong_passwords_are_refused(secured: Broker) -> None:
    for user, password in ((None, None), ("pager-anna", "not-the-password"), ("nobody", "x")):
        client = Client(secured, user, password)
        try:
            assert client.connected_as() in ("Not authorized", "Bad user name or password")
        finally:
            client.close()


def test_a_pager_cannot_fake_a_request_state_or_feedback(secured: Broker) -> None:
    pager = Client(secured, "pager-anna")
    try:
        assert pager.connected_as() == "Success"
        assert pager.publish(f"store/{STORE}/requests/kiosk-1/r1/state") == "Not authorized"
        assert pager.publish(f"store/{STORE}/feedback/kiosk-1") == "Not authorized"
        assert pager.publish(f"store/{STORE}/alerts/kiosk-1") == "Not authorized"
        assert pager.publish(f"store/{STORE}/printers/kiosk-1") == "Not authorized", "a fake printer status"
        assert pager.publish(f"store/{STORE}/devices/kiosk-1") == "Not authorized", "posing as the kiosk"
        assert pager.publish(f"store/{STORE}/devices/pager-anna") == "accepted", "its own presence"
        assert pager.publish(f"store/{STORE}/requests/kiosk-1/r1/action") == "accepted"
    finally:
        pager.close()


def test_a_kiosk_cannot_claim_or_write_another_kiosks_requests(secured: Broker) -> None:
    kiosk = Client(secured, "kiosk-1")
    try:
        assert kiosk.connected_as() == "Success"
        assert kiosk.publish(f"store/{STORE}/requests/kiosk-1/r1/action") == "Not authorized"
        assert kiosk.publish(f"store/{STORE}/requests/kiosk-2/r1/state") == "Not authorized"
        assert kiosk.publish(f"store/{STORE}/requests/kiosk-1/r1/state") == "accepted"
        assert kiosk.publish(f"store/{STORE}/feedback/kiosk-1") == "accepted"
        assert kiosk.publish(f"store/{STORE}/printers/kiosk-1") == "accepted"
    finally:
        kiosk.close()


def test_only_managers_read_feedback(secured: Broker) -> None:
    manager, pager, kiosk = Client(secured, "manager-mia"), Client(secured, "pager-anna"), Client(secured, "kiosk-1")
    try:
        for client in (manager, pager, kiosk):
            assert client.connected_as() == "Success"
        manager.client.subscribe(f"store/{STORE}/feedback/+", qos=1)
        pager.client.subscribe(f"store/{STORE}/feedback/+", qos=1)
        # A subscription is in place once a message on it arrives: publish until
        # the manager sees one, then check the pager saw none of them.
        for _ in range(50):
            assert kiosk.publish(f"store/{STORE}/feedback/kiosk-1") == "accepted"
            with manager.answered:
                if manager.answered.wait_for(lambda: manager.got, 0.2):
                    break
        assert manager.got, "the manager never received feedback"
        assert pager.publish(f"store/{STORE}/requests/kiosk-1/r9/action") == "accepted"  # a round trip after
        assert pager.got == []
    finally:
        for client in (manager, pager, kiosk):
            client.close()


def test_the_apps_transport_works_over_tls_with_the_store_ca(secured: Broker) -> None:
    got: list[str] = []
    arrived = threading.Event()
    transport = PahoTransport(
        f"mqtts://localhost:{secured.tls_port}",
        "pager-anna",
        subscriptions=[f"store/{STORE}/requests/+/+/state"],
        deliver=lambda topic, payload: (got.append(topic), arrived.set()),
        username="pager-anna",
        password=secured.passwords["pager-anna"],
        ca_file=str(secured.folder / "ca.crt"),
    )
    kiosk = Client(secured, "kiosk-1")
    transport.start()
    try:
        assert transport.wait_connected(TIMEOUT), "no TLS connection"
        for _ in range(50):
            assert kiosk.publish(f"store/{STORE}/requests/kiosk-1/tls1/state") == "accepted"
            if arrived.wait(0.2):
                break
        assert got and got[0] == f"store/{STORE}/requests/kiosk-1/tls1/state"
    finally:
        transport.close()
        kiosk.close()
