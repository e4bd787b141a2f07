"""A store as it runs: two kiosks at two entrances, and a broker that restarts empty.

Kiosks and pagers are real processes (the headless kiosk, the console pager)
on a real Mosquitto.
"""

from __future__ import annotations

import shlex
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.broker import Mosquitto
from tests.processes import LineProcess


@pytest.fixture
def store() -> str:
    return f"s{uuid.uuid4().hex[:8]}"


def kiosk(url: str, store: str, device: str, data: Path, config: str = "") -> LineProcess:
    args = ["run_kiosk.py", "--headless", "--broker", url, "--store", store, "--device", device]
    if config:
        path = data.parent / f"{device}.toml"
        path.write_text(config)
        args += ["--config", str(path)]
    proc = LineProcess(*args, "--data-dir", str(data))
    proc.expect("connection up")
    return proc


def pager(url: str, store: str, name: str, role: str = "floor") -> LineProcess:
    proc = LineProcess(
        "run_pager.py", "--console", "--broker", url, "--store", store, "--staff", name, "--device", f"pager-{name}",
        "--role", role,
    )  # fmt: skip
    proc.expect("connection up")
    return proc


def words(line: str) -> dict[str, str]:
    return dict(w.split("=", 1) for w in shlex.split(line) if "=" in w)


@pytest.fixture
def closing() -> Iterator[list[LineProcess]]:
    procs: list[LineProcess] = []
    yield procs
    for proc in procs:
        proc.close()


def test_two_kiosks_of_one_store_number_apart_and_pagers_say_which_entrance(broker, store, tmp_path, closing) -> None:  # type: ignore[no-untyped-def]
    north_config = '[kiosk]\nentrance = "North entrance"\nticket_format = "N{type}-{number:03d}"\n'
    north = kiosk(broker.url, store, "kiosk-north", tmp_path / "north", north_config)
    south = kiosk(broker.url, store, "kiosk-south", tmp_path / "south", '[kiosk]\nentrance = "South entrance"\n')
    anna = pager(broker.url, store, "Anna")
    closing += [north, south, anna]
    north.send("help question")
    south.send("help question")
    assert shlex.split(north.expect("ticket"))[1] == "NH-001"
    assert shlex.split(south.expect("ticket"))[1] == "H-001"
    seen = {shlex.split(line)[1]: words(line) for line in (anna.expect("new"), anna.expect("new"))}
    assert seen["NH-001"]["kiosk"] == "kiosk-north" and seen["NH-001"]["entrance"] == "North entrance"
    assert seen["H-001"]["kiosk"] == "kiosk-south" and seen["H-001"]["entrance"] == "South entrance"
    anna.send("claim NH-001")
    anna.expect("claimed NH-001")
    assert north.expect("status NH-001") == "status NH-001 claimed Anna"
    assert not [line for line in north.stderr + south.stderr if "would both hand out" in line]


def test_two_kiosks_left_on_one_ticket_format_say_so_and_staff_name_the_kiosk(broker, store, tmp_path, closing) -> None:  # type: ignore[no-untyped-def]
    first = kiosk(broker.url, store, "kiosk-a", tmp_path / "a")
    second = kiosk(broker.url, store, "kiosk-b", tmp_path / "b")
    bob = pager(broker.url, store, "Bob")
    closing += [first, second, bob]
    # Each hears the other's presence (retained, or live) and says it once.
    said = second.logged("kiosk-b and kiosk-a (no entrance named) would both hand out ticket F-001")
    assert "kiosk.ticket_format" in said[0]
    first.logged("kiosk-a and kiosk-b (no entrance named) would both hand out ticket F-001")
    first.send("help question")
    second.send("help question")
    bob.expect("new H-001")
    bob.expect("new H-001")
    bob.send("claim H-001")
    refused = bob.expect("error")
    assert refused.startswith("error H-001 is open at more than one kiosk (") and refused.endswith("): say which")
    assert "kiosk-a/H-001" in refused and "kiosk-b/H-001" in refused
    bob.send("claim kiosk-b/H-001")
    bob.expect("claimed H-001")
    assert second.expect("status H-001") == "status H-001 claimed Bob"


def test_a_broker_that_restarts_empty_shows_the_open_requests_again(store, tmp_path, closing) -> None:  # type: ignore[no-untyped-def]
    broker = Mosquitto(tmp_path / "broker")  # no persistence: a restart forgets every retained state
    (tmp_path / "broker").mkdir()
    broker.start()
    try:
        k = kiosk(broker.url, store, "kiosk-1", tmp_path / "k")
        closing.append(k)
        k.send("find hammer")
        k.send("return - Wrong size")
        k.expect("ticket F-001")
        k.expect("ticket R-001")
        broker.stop()
        k.expect("connection down")
        broker.start()
        k.expect("connection up")
        # A pager that signs in after the restart sees both open requests.
        late = pager(broker.url, store, "Late", role="manager")  # managers see returns and finds
        closing.append(late)
        assert {shlex.split(late.expect("new"))[1], shlex.split(late.expect("new"))[1]} == {"F-001", "R-001"}
        late.send("claim F-001")
        late.expect("claimed F-001")
        assert k.expect("status F-001") == "status F-001 claimed Late"
    finally:
        broker.stop()


def test_presence_says_who_is_there_with_the_real_role_and_time(broker, store, tmp_path, closing) -> None:  # type: ignore[no-untyped-def]
    from core import wire
    from tests.services import retained

    north_config = '[kiosk]\nentrance = "North entrance"\nticket_format = "N{type}-{number:03d}"\n'
    closing.append(kiosk(broker.url, store, "kiosk-north", tmp_path / "north", north_config))
    closing.append(pager(broker.url, store, "Mia", role="manager"))
    seen = {
        topic.rsplit("/", 1)[1]: wire.decode_presence(topic.rsplit("/", 1)[1], payload)
        for topic, payload in retained(broker, wire.all_devices(store), count=2)
    }
    assert seen["pager-Mia"].role == "manager" and seen["pager-Mia"].name == "Mia" and seen["pager-Mia"].online
    north = seen["kiosk-north"]
    assert (north.role, north.name, north.ticket_format) == ("kiosk", "North entrance", "N{type}-{number:03d}")
    assert north.at is not None
