"""The start-of-shift self test on real parts: the headless kiosk as a real
process with the virtual printer (printer/virtual.py) on a pseudo-terminal,
two console pagers as real processes (Anna acknowledges, Ben never does) and a
manager's console pager, on a real Mosquitto. The kiosk's `selftest` line
names the silent pager and the paper; the managers get the same result. Once
the roll is changed and everyone answers, it passes and a test ticket comes out."""

from __future__ import annotations

import shlex
import time
import uuid
from pathlib import Path

from printer.virtual import VirtualPrinter
from tests.processes import LineProcess


def words_of(line: str) -> dict[str, str]:
    return dict(word.split("=", 1) for word in shlex.split(line) if "=" in word)


def console_pager(broker, store: str, name: str, role: str = "floor") -> LineProcess:  # type: ignore[no-untyped-def]
    proc = LineProcess(
        "run_pager.py", "--console", "--broker", broker.url, "--store", store,
        "--staff", name, "--device", f"pager-{name.lower()}", "--role", role,
    )  # fmt: skip
    proc.expect("ready")
    proc.expect("connection up")
    return proc


def headless_kiosk(broker, store: str, data_dir: Path, config: Path) -> LineProcess:  # type: ignore[no-untyped-def]
    proc = LineProcess(
        "run_kiosk.py", "--headless", "--broker", broker.url, "--store", store,
        "--data-dir", str(data_dir), "--device", "kiosk-1", "--config", str(config),
    )  # fmt: skip
    proc.expect("ready")
    proc.expect("connection up")
    return proc


def knows_pagers(kiosk: LineProcess, names: str, timeout: float = 10.0) -> None:
    """The pagers' presence reaches the kiosk a moment after it connects: ask it until it knows them."""
    deadline = time.monotonic() + timeout
    while True:
        kiosk.send("selftest who")
        if words_of(kiosk.expect("selftest who"))["pagers"] == names:
            return
        assert time.monotonic() < deadline, f"the kiosk never heard of the pagers {names}"


def test_the_self_test_names_the_silent_pager_and_the_printer_out_of_paper(broker, tmp_path, procs) -> None:  # type: ignore[no-untyped-def]
    store = f"s{uuid.uuid4().hex[:8]}"
    printer = VirtualPrinter(say=lambda _line: None)
    printer.start()
    try:
        config = tmp_path / "kiosk.toml"
        config.write_text(f'[printer]\nport = "{printer.port}"\n')
        anna, ben = console_pager(broker, store, "Anna"), console_pager(broker, store, "Ben")
        boss = console_pager(broker, store, "Carla", role="manager")
        procs.extend([anna, ben, boss])
        kiosk = headless_kiosk(broker, store, tmp_path / "kiosk", config)
        procs.append(kiosk)
        assert kiosk.saw("printer ok") or kiosk.expect("printer ok")  # asked at start
        printer.set_paper("out")
        knows_pagers(kiosk, "Anna,Ben,Carla")
        for bad in ("selftest soon", "selftest 0"):
            kiosk.send(bad)
            assert "selftest" in kiosk.expect("error") and anna.saw("selftest") is None, bad
        kiosk.send("selftest 4")
        started = words_of(kiosk.expect("selftest started"))
        assert started["pagers"].split(",") == ["Anna", "Ben", "Carla"], "every pager signed in is asked"
        for pager in (anna, ben, boss):
            alert = pager.expect("selftest kiosk-1")
            assert words_of(alert)["test"] == started["test"]
        anna.send("ack")
        assert anna.expect("sent ack") == "sent ack kiosk-1"
        boss.send("ack kiosk-1")
        boss.expect("sent ack kiosk-1")

        result = kiosk.expect("selftest failed", timeout=15)
        said = words_of(result)
        assert said["silent"] == "Ben", "the pager that never answered is named, and only it"
        assert said["answered"] == "Anna,Carla"
        assert "out of paper" in said["printer"]
        assert said["broker"] == "ok" and said["storage"] == "ok"
        assert printer.tickets() == [], "no test ticket comes out of a printer without paper"

        to_managers = boss.expect("selftest-result kiosk-1")
        assert words_of(to_managers)["silent"] == "Ben" and "out of paper" in words_of(to_managers)["printer"]
        assert anna.saw("selftest-result") is None, "the result goes to the managers only"

        printer.set_paper("ok")  # a new roll; next time everyone answers
        kiosk.expect("printer ok")
        kiosk.send("selftest 10")
        kiosk.expect("selftest started")
        for pager in (anna, ben, boss):
            pager.expect("selftest kiosk-1")
            pager.send("ack kiosk-1")
        passed = words_of(kiosk.expect("selftest ok", timeout=8))  # before the deadline: everyone answered
        assert passed["silent"] == "-" and passed["printer"] == "ok"
        assert len(printer.tickets()) == 1, "the test ticket came out"

    finally:
        printer.close()
