"""A broken setup says so once, plainly, and keeps working where it can.

The kiosk and the pager are started as processes, as the README says, against
a real Mosquitto set up wrongly in each of the ways a store's IT person might
(docs/setup-messages.md lists what each one prints).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.broker import Mosquitto, free_port
from tests.processes import ROOT, LineProcess, run_to_end

PASSWORD_ENV = "STORE_ASSIST_MQTT_PASSWORD"


def kiosk(tmp_path: Path, *args: str, password: str | None = None) -> LineProcess:
    env = {k: v for k, v in os.environ.items() if k != PASSWORD_ENV}
    if password is not None:
        env[PASSWORD_ENV] = password
    data = tmp_path / f"kiosk-{uuid.uuid4().hex[:6]}"
    proc = LineProcess("run_kiosk.py", "--headless", "--data-dir", str(data), *args, env=env)
    proc.expect("ready")
    return proc


def console_pager(*args: str) -> LineProcess:
    proc = LineProcess("run_pager.py", "--console", "--staff", "Anna", *args)
    proc.expect("ready")
    return proc


@pytest.fixture(scope="module")
def locked_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mosquitto]:
    """A broker that wants a password and lets kiosk-1 use store `right` only."""
    workdir = tmp_path_factory.mktemp("locked")
    passwords = workdir / "passwd"
    subprocess.run(["mosquitto_passwd", "-c", "-b", str(passwords), "kiosk-1", "secret"], check=True)
    (workdir / "acl").write_text("user kiosk-1\ntopic readwrite store/right/#\n")
    root = "user root\n" if os.geteuid() == 0 else ""  # as root Mosquitto drops to its own user otherwise
    broker = Mosquitto(
        workdir, extra=f"allow_anonymous false\npassword_file {passwords}\nacl_file {workdir / 'acl'}\n{root}"
    )
    broker.start()
    yield broker
    broker.stop()


def why(line: str) -> str:
    """The reason in a `connection down '<why>'` line."""
    words = shlex.split(line)
    assert words[:2] == ["connection", "down"], line
    return words[2]


def login_config(tmp_path: Path) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text('[broker]\nusername = "kiosk-1"\n')
    return path


@pytest.mark.parametrize("front", ["kiosk", "pager"])
def test_an_unreachable_broker_is_said_once_not_at_every_retry(front: str, tmp_path: Path) -> None:
    url = f"mqtt://127.0.0.1:{free_port()}"  # nothing listens there
    args = ("--broker", url, "--log-level", "DEBUG")
    proc = kiosk(tmp_path, *args) if front == "kiosk" else console_pager(*args)
    try:
        down = why(proc.expect("connection down"))
        assert f"cannot reach the broker at {url[7:]}: connection refused" in down
        proc.logged("Connection failed, retrying", times=4)  # paho tried again and again
        assert len(proc.logged("cannot reach the broker")) == 1
    finally:
        proc.close()


def test_a_wrong_password_names_the_username_key_and_the_password_variable(
    locked_broker: Mosquitto, tmp_path: Path
) -> None:
    proc = kiosk(tmp_path, "--config", str(login_config(tmp_path)), "--broker", locked_broker.url, password="wrong")
    try:
        down = why(proc.expect("connection down"))
        assert "refused the login as kiosk-1 (Not authorized)" in down
        assert f"check broker.username and ${PASSWORD_ENV} (set)" in down
        assert "retrying every 30 s" in down
    finally:
        proc.close()


def test_no_password_at_all_says_the_variable_is_not_set(locked_broker: Mosquitto, tmp_path: Path) -> None:
    proc = kiosk(tmp_path, "--config", str(login_config(tmp_path)), "--broker", locked_broker.url)
    try:
        assert f"${PASSWORD_ENV} (not set)" in why(proc.expect("connection down"))
    finally:
        proc.close()


def test_the_right_password_for_the_wrong_store_is_not_taken_for_working(
    locked_broker: Mosquitto, tmp_path: Path
) -> None:
    config = login_config(tmp_path)
    proc = kiosk(
        tmp_path, "--config", str(config), "--broker", locked_broker.url, "--store", "wrong", password="secret"
    )
    try:
        proc.expect("connection up")
        down = why(proc.expect("connection down"))
        assert "refuses this device's topics" in down and "check store.id" in down
        assert proc.logged("store/wrong/devices/kiosk-1 (Not authorized): check store.id")
    finally:
        proc.close()
    right = kiosk(
        tmp_path, "--config", str(config), "--broker", locked_broker.url, "--store", "right", password="secret"
    )
    try:
        right.expect("connection up")
        right.send("help question")
        right.expect("ticket")
        right.send("list")  # a full round through the loop: no refusal came meanwhile
        right.expect("status")
        assert not [line for line in right.stderr if "refuse" in line]
    finally:
        right.close()


def test_two_devices_on_one_id_are_told_instead_of_knocking_each_other_off(broker: Mosquitto, tmp_path: Path) -> None:
    store = f"s{uuid.uuid4().hex[:8]}"
    args = ("--broker", broker.url, "--store", store, "--device", "kiosk-twin")
    first = kiosk(tmp_path, *args)
    first.expect("connection up")
    second = kiosk(tmp_path, *args)
    try:
        said = first.logged("most likely another device is connected as kiosk-twin", timeout=20)
        assert "Every device needs its own device.id" in said[0]
        assert "retrying every 30 s" in said[0]
    finally:
        first.close()
        second.close()


def run_kiosk(*args: str) -> subprocess.CompletedProcess[str]:
    return run_to_end("run_kiosk.py", "--headless", *args)


def test_a_missing_or_wrong_ca_file_stops_the_kiosk_with_the_file_named(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[broker]\nurl = "mqtts://127.0.0.1:8883"\nca_file = "{tmp_path}/none.crt"\n')
    missing = run_kiosk("--config", str(config))
    assert missing.returncode == 2
    assert (
        missing.stderr.strip()
        == f"config error: broker.ca_file: cannot read {tmp_path}/none.crt: No such file or directory"
    )
    (tmp_path / "none.crt").write_text("not a certificate\n")
    wrong = run_kiosk("--config", str(config))
    assert wrong.returncode == 2
    assert f"broker.ca_file: {tmp_path}/none.crt is not a PEM certificate" in wrong.stderr


def test_the_config_file_beside_the_code_is_read_without_being_named(tmp_path: Path) -> None:
    proc = kiosk(tmp_path, "--broker", f"mqtt://127.0.0.1:{free_port()}", "--log-level", "INFO")
    try:
        assert proc.logged(f"config: {ROOT / 'config' / 'kiosk.toml'}")
    finally:
        proc.close()
