"""The web service as a process (`store-assist-web --config …`): signing in, lockout, sessions across
a crash, the headers and compression of every answer, HTTPS with the store CA, and life without a broker."""

from __future__ import annotations

import fcntl
import json
import os
import select
import socket
import ssl
import subprocess
import termios
import time
import uuid
from pathlib import Path

import httpx
import pytest

from core import wire
from tests.broker import Mosquitto, free_port
from tests.services import retained
from tests.web_process import WEB, accounts, events, wait_event, web_service, write_config

HEADERS = {
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
}


def store() -> str:
    return f"w{uuid.uuid4().hex[:8]}"


def test_sign_in_wrong_pins_lockout_and_unlock(broker, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with web_service(tmp_path, broker_url=broker.url, store=store(), staff=[("Anna", "floor", "1234")],
                     lockout_failures=3, lockout_minutes=15) as web, web.client() as phone:  # fmt: skip
        assert phone.get("/api/staff/state").status_code == 401
        for _ in range(2):
            wrong = phone.post("/api/login", json={"name": "Anna", "pin": "9999"})
            assert (wrong.status_code, wrong.json()) == (401, {"error": "wrong name or PIN"})
        locked = phone.post("/api/login", json={"name": "Anna", "pin": "9999"})
        assert (locked.status_code, locked.json()) == (
            429,
            {"error": "locked for 15 minutes after too many wrong PINs"},
        )
        right = phone.post("/api/login", json={"name": "Anna", "pin": "1234"})
        assert right.status_code == 429 and "sa_session" not in right.cookies
        assert web.accounts("list").stdout.startswith("Anna\tfloor locked until")
        assert web.accounts("unlock", "anna").returncode == 0
        signed = phone.post("/api/login", json={"name": "anna", "pin": "1234"})
        assert (signed.status_code, signed.json()) == (200, {"name": "Anna", "role": "floor"})
        cookie = signed.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
        assert "Secure" not in cookie  # plain HTTP on loopback; under HTTPS it is (below)
        state = phone.get("/api/staff/state").json()
        assert (state["me"], state["connected"], state["figures"], state["unhappy"]) == (
            {"name": "Anna", "role": "floor"}, True, None, [])  # fmt: skip
        assert phone.post("/api/logout").status_code == 204
        assert phone.get("/api/staff/state").status_code == 401


def test_bad_sign_in_bodies_get_words_and_guessing_from_one_address_is_held_back(broker, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    staff = [("Anna", "floor", "1234")]
    with web_service(tmp_path, broker_url=broker.url, store=store(), staff=staff) as web, web.client() as phone:
        as_form = phone.post("/api/login", content=b"name=Anna&pin=1234",
                                 headers={"content-type": "application/x-www-form-urlencoded"})  # fmt: skip
        assert (as_form.status_code, as_form.json()) == (
            400,
            {"error": "send JSON (Content-Type: application/json)"},
        )
        assert phone.post("/api/login", json=["Anna"]).status_code == 400
        huge = phone.post("/api/login", content=b'{"name":"' + b"A" * 100_000 + b'"}',
                          headers={"content-type": "application/json"})  # fmt: skip
        assert (huge.status_code, huge.json()) == (400, {"error": "the body is over 16384 bytes"})
        not_json = phone.post("/api/login", content=b"{nope", headers={"content-type": "application/json"})
        assert (not_json.status_code, not_json.json()) == (400, {"error": "the body is not JSON"})
        assert phone.post("/api/login", json={"name": "Anna", "pin": 1234}).status_code == 400
        for n in range(10):  # names nobody has: no account to lock, the address counts
            assert phone.post("/api/login", json={"name": f"guess{n}", "pin": "0000"}).status_code == 401
        held = phone.post("/api/login", json={"name": "Anna", "pin": "1234"})
        assert (held.status_code, held.json()) == (
            429,
            {"error": "too many wrong PINs from this device: wait a minute"},
        )


def test_a_session_survives_a_crash_and_a_new_pin_or_a_removal_ends_it(broker, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    staff = [("Anna", "floor", "1234"), ("Ben", "returns", "5678")]
    with web_service(tmp_path, broker_url=broker.url, store=store(), staff=staff, wait_for="connected") as web:
        anna, ben = web.signed_in("Anna", "1234"), web.signed_in("Ben", "5678")
        sessions = (web.data_dir / "sessions.json").read_text()
        assert anna.cookies["sa_session"] not in sessions  # only its SHA-256
        web.restart()  # SIGKILL, started again on the same data dir and port
        assert anna.get("/api/staff/state").json()["me"]["name"] == "Anna"
        assert ben.get("/api/staff/state").json()["me"]["role"] == "returns"
        stream = events(anna, "/api/staff/events", timeout=20)
        assert next(stream)[0] == "state"
        assert web.accounts("pin", "Anna", pin="4321").returncode == 0
        assert anna.get("/api/staff/state").status_code == 401  # the PIN changed: signed out
        started = time.monotonic()
        assert all(e == "state" for e, _d, _i in stream)
        assert time.monotonic() - started < 10  # the open stream ended: it did not run into its 20 s
        assert web.signed_in("Anna", "4321").get("/api/staff/state").status_code == 200
        assert web.accounts("remove", "Ben").returncode == 0
        assert ben.get("/api/staff/state").status_code == 401
        assert web.accounts("remove", "Ben").stderr.strip() == "store-assist-web accounts: no account 'Ben'"


def test_every_answer_carries_the_security_headers_and_only_pages_and_json_are_gzipped(broker, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with web_service(tmp_path, broker_url=broker.url, store=store(), staff=[("Mia", "manager", "24681357")]) as web:
        mia = web.signed_in("Mia", "24681357", headers={"Accept-Encoding": "gzip"})
        answers = [
            mia.get("/staff"),
            mia.get("/staff/"),
            mia.get("/staff/staff.js"),
            mia.get("/staff/sw.js"),
            mia.get("/staff/manifest.webmanifest"),
            mia.get("/staff/secrets.txt"),
            mia.get("/board"),
            mia.get("/board/state"),
            mia.get("/api/staff/state"),
            mia.get("/api/staff/sounds"),
            mia.get("/api/staff/outcomes"),
            mia.post("/api/staff/act", json={"action": "fly", "request_id": "x"}),
            mia.get("/api/login"),  # the wrong method
            mia.get("/t/NoSuchTokenNoSuchToken00"),
            mia.get("/"),
            httpx.get(f"{web.url}/api/staff/state"),
        ]
        for answer in answers:
            assert {k: answer.headers.get(k) for k in HEADERS} == HEADERS, answer.url
            assert answer.headers["content-security-policy"].startswith("default-src 'self'; frame-ancestors 'none'")
        assert [a.status_code for a in answers] == [200, 200, 200, 200, 200, 404, 200, 200, 200, 200, 200, 400, 405,
                                                    404, 404, 401]  # fmt: skip
        staff_page, script, worker = answers[0], answers[2], answers[3]
        assert staff_page.headers["content-encoding"] == "gzip" and staff_page.headers["content-type"].startswith(
            "text/html")  # fmt: skip
        assert script.headers["content-type"].startswith("text/javascript")
        assert worker.headers["content-type"].startswith("text/javascript")
        assert "service-worker-allowed" not in worker.headers  # /staff/sw.js has the scope /staff/ by itself
        assert answers[10].json()["words"]["refunded"]["nl"] == "Terugbetaald"
        assert set(answers[9].json()) == {"new", "escalated"}
        assert answers[11].json() == {"error": "action: expected one of claim, release, resolve, hand_over"}
        with mia.stream("GET", "/api/staff/events") as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            assert "content-encoding" not in stream.headers  # an event reaches the page when it is written
            assert {k: stream.headers.get(k) for k in HEADERS} == HEADERS
            first = next(stream.iter_raw())
            assert first.startswith(b"retry: 2000\n\n") or b"retry: 2000" in first
        plain = httpx.get(f"{web.url}/staff", headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers and plain.text == staff_page.text


def test_https_with_the_store_ca_is_verified_and_the_cookie_is_secure(broker, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with web_service(tmp_path, broker_url=broker.url, store=store(), staff=[("Anna", "floor", "1234")],
                     tls=True) as web:  # fmt: skip
        assert web.url.startswith("https://127.0.0.1:")
        assert "serving https://127.0.0.1:" in web.wait_line("serving")
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            httpx.get(f"{web.url}/board/state", verify=ssl.create_default_context())  # not the store CA
        with web.client() as phone:
            signed = phone.post("/api/login", json={"name": "Anna", "pin": "1234"})
            assert signed.status_code == 200 and "Secure" in signed.headers["set-cookie"]
            assert phone.get("/api/staff/state").json()["me"]["name"] == "Anna"
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"http://127.0.0.1:{web.port}/board/state")  # no plain HTTP beside it


def test_without_a_broker_it_says_so_once_serves_the_pages_and_connects_when_it_comes(tmp_path: Path) -> None:
    port = free_port()
    with web_service(tmp_path / "web", broker_url=f"mqtt://127.0.0.1:{port}", store=store(),
                     staff=[("Anna", "floor", "1234")]) as web:  # fmt: skip
        said = web.wait_line("no broker yet")
        assert f"cannot reach the broker at 127.0.0.1:{port}: connection refused" in said
        anna = web.signed_in("Anna", "1234")
        assert anna.get("/staff").status_code == 200 and anna.get("/board/state").status_code == 200
        assert anna.get("/api/staff/state").json()["connected"] is False
        assert anna.get("/board/state").json()["connected"] is False  # the door's board greys its numbers
        acted = anna.post("/api/staff/act", json={"action": "claim", "request_id": "abc"})
        assert acted.status_code == 503 and "no connection to the store's broker" in acted.json()["error"]
        (tmp_path / "broker").mkdir()
        broker = Mosquitto(tmp_path / "broker", port=port)
        broker.start()
        try:
            web.wait_line("connected to the broker")
            connected = wait_event(anna, "/api/staff/events", lambda e, d: e == "state" and d["connected"]
                                   and d["on_shift"])  # fmt: skip  # its own presence, heard back
            assert connected["on_shift"] == [{"name": "Anna", "role": "floor", "online": True, "on": "phone"}]
            assert anna.get("/board/state").json()["connected"] is True
        finally:
            broker.stop()
        said = web.wait_line("lost the broker")
        assert "serving the pages meanwhile" in said
        assert anna.get("/board/state").json()["connected"] is False
        assert sum("no broker yet" in line for line in web.lines) == 1
        assert web.log().count("cannot reach the broker") == 1  # said once, not at every retry


def test_sigterm_ends_open_streams_and_the_service_says_goodbye_to_the_broker(broker, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    shop = store()
    with web_service(tmp_path, broker_url=broker.url, store=shop, staff=[("Anna", "floor", "1234")],
                     wait_for="connected") as web:  # fmt: skip
        anna = web.signed_in("Anna", "1234")
        stream = events(anna, "/api/staff/events", timeout=30)
        assert next(stream)[0] == "state"
        started = time.monotonic()
        assert web.stop() == 0
        assert time.monotonic() - started < 10  # the open stream did not hold it up
        assert {event for event, _d, _i in stream} <= {"state"}
        assert time.monotonic() - started < 10  # and it ended, rather than running into its 30 s
        ((_topic, payload),) = retained(broker, wire.presence_topic(shop, "web"), 1)
        assert json.loads(payload)["online"] is False  # said on the way out, not left to the last will
        assert "stopped" in web.log()
        assert "signed in" in web.log() and anna.cookies["sa_session"] not in web.log()


def on_a_terminal(config: Path, *args: str, typed: list[str]) -> tuple[int, str]:
    """`store-assist-web --config … accounts ARGS` with a terminal (a pseudo-terminal) for the PIN prompts."""
    main, side = os.openpty()

    def own_terminal() -> None:  # the child's controlling terminal, as in a manager's shell
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen([str(WEB), "--config", str(config), "accounts", *args], stdin=side, stdout=side,
                            stderr=side, preexec_fn=own_terminal, close_fds=True)  # fmt: skip
    os.close(side)
    said = b""
    for line in typed:
        while b": " not in said.rsplit(b"\n", 1)[-1]:  # the prompt ends in ": " (no newline)
            ready, _w, _x = select.select([main], [], [], 20)
            assert ready, f"no PIN prompt; it said {said!r}"
            said += os.read(main, 1024)
        os.write(main, line.encode() + b"\n")
        said = said + b"\n"
    rest = b""
    try:
        while chunk := os.read(main, 1024):
            rest += chunk
    except OSError:
        pass  # the child closed its side
    os.close(main)
    return proc.wait(30), (said + rest).decode(errors="replace")


def test_accounts_asks_the_pin_twice_on_a_terminal_and_never_echoes_it(tmp_path: Path) -> None:
    config = write_config(tmp_path, broker_url="mqtt://127.0.0.1:1", store=store(), port=free_port())
    code, said = on_a_terminal(config, "add", "Anna", "--role", "floor", typed=["482915", "482916"])
    assert code == 1 and "the two PINs differ: nothing changed" in said and "482915" not in said
    code, said = on_a_terminal(config, "add", "Anna", "--role", "floor", typed=["482915", "482915"])
    assert code == 0 and "added Anna (floor)" in said and "PIN (a PIN is 4 to 12 digits" in said
    assert "482915" not in said
    listed = accounts(config, "list")
    assert listed.stdout == "Anna\tfloor\n"
    refused = accounts(config, "add", "Ben", "--role", "floor")  # no terminal, no --pin-stdin
    assert refused.returncode == 1 and "no terminal to ask the PIN on" in refused.stderr
    short = accounts(config, "add", "Ben", "--role", "floor", pin="12")
    assert short.returncode == 1 and "a PIN is 4 to 12 digits" in short.stderr
    assert accounts(config, "list").stdout == "Anna\tfloor\n"  # nothing changed


def test_a_taken_port_or_a_data_dir_in_use_is_said_plainly_and_nothing_starts(broker, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        (tmp_path / "a").mkdir()
        config = write_config(tmp_path / "a", broker_url=broker.url, store=store(), port=taken)
        ran = subprocess.run([str(WEB), "--config", str(config)], capture_output=True, text=True, timeout=60)
    assert ran.returncode == 1 and f"cannot listen on 127.0.0.1:{taken}: Address already in use" in ran.stderr
    with web_service(tmp_path / "b", broker_url=broker.url, store=store()) as web:
        twice = subprocess.run([str(WEB), "--config", str(web.config), "--port", str(free_port())],
                               capture_output=True, text=True, timeout=60)  # fmt: skip
        assert twice.returncode == 1 and "is in use by another store-assist-web" in twice.stderr
        assert web.client().get("/board/state").status_code == 200  # the first one serves on


def test_accounts_take_the_config_after_the_command_too_and_say_which_file_they_changed(tmp_path: Path) -> None:
    config = write_config(tmp_path, broker_url="mqtt://127.0.0.1:1", store=store(), port=free_port())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    added = subprocess.run(
        [str(WEB), "accounts", "add", "Cleo", "--role", "returns", "--config", str(config), "--pin-stdin"],
        input="4826\n", capture_output=True, text=True, timeout=60, cwd=elsewhere,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    where = added.stdout.split(" to ", 1)[1].strip()
    assert Path(where).is_absolute() and where.endswith("accounts.json") and Path(where).exists()
    assert accounts(config, "list").stdout == "Cleo\treturns\n"  # the file the service reads
    assert not any(elsewhere.iterdir()), "nothing written where the command was typed"


@pytest.mark.parametrize("proxies", ["", "127.0.0.1"])
def test_behind_the_stores_own_proxy_each_phone_has_its_own_limit_and_a_sent_header_is_believed_from_it_only(
    broker: Mosquitto, tmp_path: Path, proxies: str
) -> None:
    with web_service(tmp_path, broker_url=broker.url, store=store(), proxies=proxies) as web:
        guessing, next_one = {"X-Forwarded-For": "10.1.1.1"}, {"X-Forwarded-For": "10.1.1.2"}
        with httpx.Client(base_url=web.url, timeout=10) as via_proxy:
            answers = [via_proxy.get(f"/t/{'g' * 21}{n}", headers=guessing).status_code for n in range(11)]
            assert answers == [404] * 10 + [429]
            other_phone = via_proxy.get(f"/t/{'h' * 22}", headers=next_one).status_code
    # Through a listed proxy the next phone is its own address; without one the header is anyone's to send.
    assert other_phone == (404 if proxies else 429)
