"""The production broker as a store sets it up: started as written, it listens
only where configured and refuses whoever does not belong, on a real Mosquitto.

broker_config/README.md's own setup command runs (with only provision.py's
options for free loopback ports and a temp folder), and `mosquitto -c` starts
the generated config unmodified while another program holds 127.0.0.1:1883.
The README's ACL table is read and every row tried. MQTT 5 throughout: on
MQTT 3.1.1 Mosquitto answers a refused publish with a normal PUBACK.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.paho_transport import PahoTransport
from tests.broker import free_port
from tests.production_broker import (
    ROOT,
    TIMEOUT,
    Broker,
    Client,
    Probe,
    accepting,
    hold_1883,
    leave_away,
    listening_sockets,
    owner_of,
    readme_probes,
    readme_setup_command,
)

PROVISION = [sys.executable, "broker_config/provision.py"]
PROBES = readme_probes()
COMMAND = readme_setup_command()
STORE = COMMAND[COMMAND.index("--store") + 1]


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A temp folder the mosquitto user can enter: Mosquitto started as root
    drops to that user, and provision.py refuses a folder it cannot reach
    (pytest's own temp root is root's only)."""
    base = Path(tempfile.mkdtemp(prefix="store-assist-broker-"))
    base.chmod(0o755)
    try:
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def secured() -> Iterator[Broker]:
    if not shutil.which("mosquitto"):
        pytest.skip("mosquitto is not installed (apt-get install mosquitto)")
    base = Path(tempfile.mkdtemp(prefix="store-assist-broker-"))
    base.chmod(0o755)  # see open_folder
    out = base / "store-assist"
    port, tls_port = free_port(), free_port()
    options = ["--out", str(out), "--plain-port", str(port), "--tls-port", str(tls_port), "--tls-bind", "127.0.0.1"]
    broker: Broker | None = None
    holder = None
    try:
        made = subprocess.run([*COMMAND, *options], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert made.returncode == 0, made.stderr
        assert f"start the broker: mosquitto -c {out / 'mosquitto.conf'}" in made.stdout
        passwords = dict(line.split() for line in (out / "passwords.txt").read_text().splitlines())
        broker = Broker(STORE, out, port, tls_port, passwords)
        holder = hold_1883()
        broker.start()
        if holder is None and not accepting(1883):  # the other program left meanwhile
            holder = hold_1883()
            broker.stop()
            broker.start()
        broker.beside_1883 = "this test" if holder else "another program"
        yield broker
    finally:
        if broker:
            broker.stop()
        if holder:
            holder.close()
        shutil.rmtree(base, ignore_errors=True)


# -- tests ----------------------------------------------------------------------


def test_it_starts_as_written_beside_another_broker_on_1883_and_listens_only_where_configured(
    secured: Broker,
) -> None:
    # The fixture started it while 127.0.0.1:1883 was held (secured.beside_1883
    # says by whom): a listener of Mosquitto's own on 1883 would have failed it.
    assert secured.proc is not None and secured.proc.poll() is None
    assert listening_sockets(secured.proc.pid) == {("127.0.0.1", secured.port), ("127.0.0.1", secured.tls_port)}
    if os.geteuid() == 0:
        uid = int(Path(f"/proc/{secured.proc.pid}/status").read_text().split("Uid:")[1].split()[0])
        assert uid == pwd.getpwnam("mosquitto").pw_uid, "started as root, it should run as the mosquitto user"


def test_the_default_listeners_are_plain_on_loopback_and_tls_on_the_network(open_folder: Path) -> None:
    command = [*PROVISION, "--store", "s1", "--out", str(open_folder / "b"), "kiosk:kiosk-1"]
    made = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    conf = (open_folder / "b" / "mosquitto.conf").read_text()
    assert re.findall(r"^listener .*$", conf, re.M) == ["listener 1883 127.0.0.1", "listener 8883"]
    # Every listener carries the option; nothing listener-like stands above the first one.
    assert conf.count("use_username_as_clientid true") == 2
    before = conf[: conf.index("\nlistener ")]
    assert [line for line in before.splitlines() if line and not line.startswith("#")] == [
        "per_listener_settings false",
        "allow_anonymous false",
        f"password_file {open_folder / 'b' / 'passwd'}",
        f"acl_file {open_folder / 'b' / 'acl'}",
    ]
    assert "plain MQTT: 127.0.0.1:1883 (services on this box)" in made.stdout


def test_plain_mqtt_reaches_the_store_network_only_when_asked_plainly(open_folder: Path) -> None:
    base = [*PROVISION, "--store", "s1", "--out", str(open_folder / "b")]
    refused = subprocess.run([*base, "--plain-bind", "0.0.0.0"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2
    assert "passwords in clear" in refused.stderr and "--plain-on-network" in refused.stderr
    assert not (open_folder / "b" / "mosquitto.conf").exists()
    opened = subprocess.run([*base, "--plain-on-network"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert opened.returncode == 0, opened.stderr
    conf = (open_folder / "b" / "mosquitto.conf").read_text()
    assert re.findall(r"^listener .*$", conf, re.M) == ["listener 1883", "listener 8883"]
    assert "plain MQTT: port 1883 of every interface (the store network, in clear)" in opened.stdout


def test_a_second_start_says_why_it_failed_on_the_terminal_and_in_the_log(secured: Broker) -> None:
    again = subprocess.run(["mosquitto", "-c", str(secured.conf)], capture_output=True, text=True, timeout=TIMEOUT)
    assert again.returncode == 1
    assert "Error: Address already in use" in again.stderr
    assert "Error: Address already in use" in secured.log.read_text()


def test_the_readme_table_probes_every_role_both_ways() -> None:
    assert {p.role for p in PROBES} == {"kiosk", "floor", "returns", "manager", "recorder", "web"}
    assert {p.answer for p in PROBES} == {"accepted", "Not authorized", "receives", "nothing"}
    devices = {spec.split(":")[1] for spec in COMMAND if ":" in spec and not spec.startswith("--")}
    assert {p.device for p in PROBES} | {owner_of(p.topic) for p in PROBES if p.does == "receive"} <= devices


@pytest.mark.parametrize("probe", PROBES, ids=str)
def test_the_readme_acl_table_holds(secured: Broker, probe: Probe) -> None:
    topic = probe.topic.replace("<s>", STORE)
    client = Client(secured, probe.device)
    try:
        assert client.connected_as() == "Success"
        if probe.does == "publish":
            assert client.publish(topic) == probe.answer
            return
        assert client.subscribe(topic, client.own_topic()) == ["Granted QoS 1", "Granted QoS 1"]
        owner = Client(secured, owner_of(topic))
        token = uuid.uuid4().hex.encode()
        try:
            assert owner.publish(topic, token) == "accepted", "the topic's owner may publish there"
        finally:
            owner.close()
        if probe.answer == "receives":
            assert client.wait_for(lambda: (topic, token) in client.got), f"{probe.device} never received it"
        else:
            client.settle()
            assert token not in client.payloads()
    finally:
        client.close()


def https_handshake(folder: Path, name: str) -> dict:
    """A TLS server on loopback with the web service's certificate, and a client
    that trusts only the store CA and asks for `name`: the certificate it got."""
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(folder / "web.crt", folder / "web.key")
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(TIMEOUT)

    def serve() -> None:
        with contextlib.suppress(OSError):
            conn, _address = listener.accept()
            conn.settimeout(TIMEOUT)
            with server.wrap_socket(conn, server_side=True) as tls:
                tls.recv(1)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    client = ssl.create_default_context(cafile=str(folder / "ca.crt"))
    try:
        with (
            socket.create_connection(listener.getsockname(), timeout=TIMEOUT) as raw,
            client.wrap_socket(raw, server_hostname=name) as tls,
        ):
            return tls.getpeercert()
    finally:
        thread.join(TIMEOUT)
        listener.close()


def certificate_text(path: Path) -> str:
    shown = subprocess.run(["openssl", "x509", "-in", str(path), "-noout", "-text"], capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    return shown.stdout


def test_the_web_service_gets_an_https_certificate_of_the_store_ca_for_the_broker_host(secured: Broker) -> None:
    folder = secured.folder
    assert (folder / "web.key").stat().st_mode & 0o777 == 0o640
    hostname = COMMAND[COMMAND.index("--hostname") + 1]
    seen = https_handshake(folder, hostname)
    assert dict(part[0] for part in seen["subject"])["commonName"] == hostname
    text = certificate_text(folder / "web.crt")
    assert "TLS Web Server Authentication" in text and "CA:FALSE" in text
    with pytest.raises(ssl.SSLCertVerificationError, match="Hostname mismatch"):
        https_handshake(folder, "elsewhere.example")


def test_a_web_certificate_is_made_for_the_name_asked_once_and_then_kept(open_folder: Path) -> None:
    out = open_folder / "b"
    base = [*PROVISION, "--store", "s1", "--out", str(out)]
    first = subprocess.run([*base, "kiosk:kiosk-1"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert not (out / "web.crt").exists() and "web service certificate" not in first.stdout, "not asked for"
    broker_certificate = (out / "server.crt").read_bytes()
    asked = subprocess.run([*base, "--web-hostname", "10.0.0.5"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert asked.returncode == 0, asked.stderr
    assert f"web service certificate: {out / 'web.crt'} (for 10.0.0.5)" in asked.stdout
    assert (out / "server.crt").read_bytes() == broker_certificate, "the broker's certificate is kept"
    assert "IP Address:10.0.0.5" in certificate_text(out / "web.crt")
    assert https_handshake(out, "10.0.0.5")["subject"]
    made = (out / "web.crt").read_bytes()
    again = subprocess.run(
        [*base, "--web-hostname", "other.example"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert again.returncode == 0, again.stderr
    assert "(kept; delete web.crt and web.key to make it for another name)" in again.stdout
    assert (out / "web.crt").read_bytes() == made


def test_anonymous_clients_and_wrong_passwords_are_refused(secured: Broker) -> None:
    for user, password in ((None, None), ("pager-anna", "not-the-password"), ("nobody", "x")):
        client = Client(secured, user, password)
        try:
            assert client.connected_as() in ("Not authorized", "Bad user name or password")
        finally:
            client.close()


def test_a_pager_cannot_take_over_another_pagers_session(secured: Broker) -> None:
    leave_away(secured, "pager-anna", f"store/{STORE}/requests/+/+/state")
    kiosk = Client(secured, "kiosk-1")
    queued = [f"takeover-{n}-{uuid.uuid4().hex}".encode() for n in range(4)]
    try:
        for payload in queued[:2]:
            assert kiosk.publish(f"store/{STORE}/requests/kiosk-1/t1/state", payload) == "accepted"
        # Bob as "pager-anna": first resuming her session (would receive her
        # queue), then starting clean (would wipe it). Each time the broker
        # makes him pager-bob.
        for clean_start in (False, True):
            bob = Client(secured, "pager-bob", client_id="pager-anna", clean_start=clean_start)
            try:
                assert not bob.session_present(), "bob was handed anna's session"
                assert bob.subscribe(bob.own_topic()) == ["Granted QoS 1"]
                bob.settle()
                assert not set(bob.payloads()) & set(queued), "bob received what was queued for anna"
            finally:
                bob.close()
        for payload in queued[2:]:
            assert kiosk.publish(f"store/{STORE}/requests/kiosk-1/t1/state", payload) == "accepted"
    finally:
        kiosk.close()
    anna = Client(secured, "pager-anna", clean_start=False, session_expiry=3600)
    try:
        assert anna.session_present(), "anna's session is gone"
        assert anna.wait_for(lambda: all(p in anna.payloads() for p in queued)), f"anna got {anna.payloads()}"
        assert [p for p in anna.payloads() if p in queued] == queued
    finally:
        anna.close()


def test_floor_and_returns_pagers_never_receive_a_shoppers_contact_details(secured: Broker) -> None:
    contact = f"+31 6 {uuid.uuid4().int % 10**8:08d}"
    floor, returns = Client(secured, "pager-anna"), Client(secured, "pager-rob")
    manager, kiosk = Client(secured, "manager-mia"), Client(secured, "kiosk-1")
    followers = {floor: "#", returns: f"store/{STORE}/#", manager: f"store/{STORE}/#"}
    try:
        for client, pattern in followers.items():
            assert client.connected_as() == "Success"
            client.subscribe(pattern)
        feedback = (
            '{"v":1,"id":"fb-contact","kiosk":"kiosk-1","rating":1,"face":"very unhappy","reasons":["waited"],'
            f'"comment":"call me","contact":"{contact}","given_at":"2026-11-24T09:15:02.345Z"}}'
        ).encode()
        unhappy = feedback.replace(b'"id"', b'"kind":"unhappy_shopper","feedback_id"')
        state = f'{{"v":1,"id":"contact-check-{uuid.uuid4().hex}"}}'.encode()
        assert kiosk.publish(f"store/{STORE}/feedback/kiosk-1", feedback) == "accepted"
        assert kiosk.publish(f"store/{STORE}/unhappy/kiosk-1", unhappy) == "accepted"
        assert kiosk.publish(f"store/{STORE}/requests/kiosk-1/c1/state", state) == "accepted"
        for client in followers:
            # Delivered in order: once the state (published last) is here, the
            # two before it have arrived, or never will.
            assert client.receives(state), f"{client.user} got no request state"
        assert feedback in manager.payloads() and unhappy in manager.payloads()
        for pager in (floor, returns):
            assert not [p for p in pager.payloads() if contact.encode() in p], f"{pager.user} saw the contact"
    finally:
        for client in (floor, returns, manager, kiosk):
            client.close()


def test_an_away_pagers_queued_messages_survive_a_broker_restart(secured: Broker) -> None:
    leave_away(secured, "pager-anna", f"store/{STORE}/alerts/+")
    kiosk = Client(secured, "kiosk-1")
    alert = f'{{"v":1,"kind":"escalation","restart":"{uuid.uuid4().hex}"}}'.encode()
    try:
        assert kiosk.publish(f"store/{STORE}/alerts/kiosk-1", alert) == "accepted"
    finally:
        kiosk.close()
    # The broker, dropped to the mosquitto user, saves into data/; a save it
    # cannot write would be reported only as it stops, and the message lost.
    secured.stop()
    secured.start()
    anna = Client(secured, "pager-anna", clean_start=False, session_expiry=3600)
    try:
        assert anna.session_present(), "anna's session did not survive the restart"
        assert anna.receives(alert), "the queued alert was lost"
    finally:
        anna.close()
    if os.geteuid() == 0:
        saved = secured.folder / "data" / "mosquitto.db"
        assert saved.stat().st_uid == pwd.getpwnam("mosquitto").pw_uid


def test_the_apps_transport_works_over_tls_with_the_store_ca(secured: Broker) -> None:
    got: list[str] = []
    arrived = threading.Event()

    def deliver(topic: str, _payload: bytes) -> None:
        got.append(topic)
        arrived.set()

    transport = PahoTransport(
        f"mqtts://localhost:{secured.tls_port}",
        "pager-anna",
        subscriptions=[f"store/{STORE}/requests/+/+/state"],
        username="pager-anna",
        password=secured.passwords["pager-anna"],
        ca_file=str(secured.folder / "ca.crt"),
    )
    kiosk = Client(secured, "kiosk-1")
    transport.start(deliver)
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


def test_the_recorder_records_the_store_with_its_own_user_on_the_box_listener(secured: Broker, tmp_path: Path) -> None:
    from tests.processes import LineProcess
    from tests.recorder_process import RECORDER, stop, wait_kept

    config = tmp_path / "store.toml"
    config.write_text(
        f'[store]\nid = "{STORE}"\n\n[device]\nid = "recorder"\n\n'
        f'[broker]\nurl = "mqtt://127.0.0.1:{secured.port}"\nusername = "recorder"\n'
    )
    env = {**os.environ, "STORE_ASSIST_MQTT_PASSWORD": secured.passwords["recorder"]}
    recorder = LineProcess(*RECORDER, "--config", str(config), "--data-dir", str(tmp_path / "record"), env=env)
    kiosk = Client(secured, "kiosk-1")
    try:
        recorder.expect("connection up")
        recorder.expect("subscribed")
        feedback = (
            b'{"v":1,"id":"fb-rec","kiosk":"kiosk-1","rating":4,"face":"very happy","reasons":[],'
            b'"comment":"","given_at":"2026-11-24T09:15:02.345Z"}'
        )
        assert kiosk.publish(f"store/{STORE}/feedback/kiosk-1", feedback) == "accepted"
        wait_kept(recorder, {("feedback", "fb-rec")})
        assert not [line for line in recorder.stderr if "refuses" in line]
    finally:
        kiosk.close()
        assert stop(recorder) == 0
