"""The web service as a store starts it (`.venv/bin/store-assist-web --config …`), for tests.

Touches processes, a temp folder (config, data dir, log, certificates made
with openssl), the loopback network. `web_service(...)` makes staff accounts
through the real command (`accounts add … --pin-stdin`), starts the service,
waits for its "serving" line and gives a `WebService`: its url, the CA file
to verify HTTPS with, the log, the data dir, and kill()/restart() (SIGKILL,
then started again on the same data dir and port). `events(...)` reads a
Server-Sent Events stream with a deadline: tests wait on what the service
sends, never on sleeps. `kiosk_factory` makes a kiosk whose tickets carry
phone tokens; `Subscriber` is a bare MQTT client; `StreamBytes` keeps every
byte of a stream as a phone receives it.
"""

from __future__ import annotations

import json
import os
import re
import signal
import ssl
import subprocess
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from adapters.paho_transport import PahoTransport
from core import wire
from core.desk import Desk
from shell.kiosk_service import KioskService
from shell.loop import Loop, SystemClock
from tests.broker import free_port
from tests.memory_log import MemoryLog

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / ".venv" / "bin" / "store-assist-web"
TIMEOUT = 30.0


def ensure_installed() -> Path:
    """The console script, installed into .venv (pyproject declares it) if it is not yet."""
    if not WEB.exists():
        subprocess.run([str(ROOT / ".venv/bin/pip"), "install", "-e", str(ROOT), "-q", "--no-deps"], check=True,
                       capture_output=True, timeout=300)  # fmt: skip
    return WEB


def make_certificates(folder: Path, host: str = "127.0.0.1") -> tuple[Path, Path, Path]:
    """A store CA and a server certificate it signed for `host`: (ca.crt, web.crt, web.key)."""
    folder.mkdir(parents=True, exist_ok=True)
    ca_key, ca, key, csr, cert = (folder / n for n in ("ca.key", "ca.crt", "web.key", "web.csr", "web.crt"))
    ext = folder / "web.ext"
    ext.write_text(f"subjectAltName=IP:{host},DNS:localhost\nextendedKeyUsage=serverAuth\n")

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(ca_key), "-out", str(ca), "-days", "2",
            "-subj", "/CN=Store Assist test CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")  # fmt: skip
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(csr), "-subj", f"/CN={host}")
    openssl("x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key), "-CAcreateserial",
            "-out", str(cert), "-days", "2", "-extfile", str(ext))  # fmt: skip
    return ca, cert, key


def write_config(folder: Path, *, broker_url: str, store: str, port: int, device: str = "web",
                 tls: tuple[Path, Path] | None = None, **web: Any) -> Path:  # fmt: skip
    """config/web.toml for a test: `web` keys on top (token_grace_minutes=1, …)."""
    scheme = "https" if tls else "http"
    lines = [
        f'[store]\nid = "{store}"\ntimezone = "Europe/Amsterdam"',
        f'[device]\nid = "{device}"',
        f'[broker]\nurl = "{broker_url}"',
        f'[web]\nlisten = "127.0.0.1"\nport = {port}\npublic_url = "{scheme}://127.0.0.1:{port}"',
        f'data_dir = "{folder / "data"}"',
    ]
    if tls:
        lines.append(f'certificate = "{tls[0]}"\nkey = "{tls[1]}"')
    lines += [f"{key} = {json.dumps(value)}" for key, value in web.items()]
    path = folder / "web.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def accounts(config: Path, *args: str, pin: str | None = None) -> subprocess.CompletedProcess[str]:
    """`store-assist-web --config … accounts ARGS` (with `pin` on stdin: --pin-stdin)."""
    extra = ["--pin-stdin"] if pin is not None else []
    return subprocess.run(
        [str(ensure_installed()), "--config", str(config), "accounts", *args, *extra],
        input=(pin + "\n") if pin is not None else "", capture_output=True, text=True, timeout=60, cwd=ROOT,
    )  # fmt: skip


@dataclass
class WebService:
    folder: Path
    config: Path
    port: int
    ca_file: Path | None
    log_path: Path  # stderr: the log
    out_path: Path  # stdout: the service's lines ("serving", "connected …")
    proc: subprocess.Popen[str] | None = None
    log_level: str = "INFO"
    lines: list[str] = field(default_factory=list)
    _grew: threading.Condition = field(default_factory=threading.Condition)

    @property
    def url(self) -> str:
        return f"{'https' if self.ca_file else 'http'}://127.0.0.1:{self.port}"

    @property
    def data_dir(self) -> Path:
        return self.folder / "data"

    def start(self, wait_for: str = "serving") -> None:
        self.lines = []
        log = self.log_path.open("a")
        command = [str(ensure_installed()), "--config", str(self.config), "--log-level", self.log_level]
        self.proc = subprocess.Popen(command, cwd=ROOT, text=True, stdout=subprocess.PIPE, stderr=log,
                                     stdin=subprocess.DEVNULL)  # fmt: skip
        log.close()
        threading.Thread(target=self._pump, args=(self.proc,), daemon=True).start()
        self.wait_line(wait_for)

    def _pump(self, proc: subprocess.Popen[str]) -> None:
        with self.out_path.open("a") as out:
            for line in proc.stdout:  # type: ignore[union-attr]
                out.write(line)
                out.flush()
                with self._grew:
                    self.lines.append(line.rstrip("\n"))
                    self._grew.notify_all()
        with self._grew:
            self.lines.append("")  # the end
            self._grew.notify_all()

    def wait_line(self, text: str, timeout: float = TIMEOUT, times: int = 1) -> str:
        """The service's stdout line holding `text` (the `times`-th since it started)."""

        def found() -> list[str]:
            return [line for line in self.lines if text in line]

        with self._grew:
            ok = self._grew.wait_for(lambda: len(found()) >= times or self.exited, timeout)
        if not ok or len(found()) < times:
            raise TimeoutError(f"the web service never said {text!r}; it said {self.lines[-10:]}; log:\n{self.log()}")
        return found()[times - 1]

    @property
    def exited(self) -> bool:
        return self.proc is not None and self.proc.poll() is not None

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-4000:]

    def kill(self) -> None:
        """SIGKILL: a crash or a power cut."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
        if self.proc is not None:
            self.proc.wait(TIMEOUT)

    def stop(self) -> int:
        """SIGTERM: a clean stop; its exit status."""
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(TIMEOUT)

    def restart(self, wait_for: str = "serving") -> None:
        """SIGKILL, then started again on the same data dir and port."""
        self.kill()
        self.start(wait_for)

    def client(self, **options: Any) -> httpx.Client:
        """An HTTP client for the service, verifying HTTPS with the store CA."""
        verify = ssl.create_default_context(cafile=str(self.ca_file)) if self.ca_file else True
        return httpx.Client(base_url=self.url, verify=verify, timeout=TIMEOUT, **options)

    def signed_in(self, name: str, pin: str, **options: Any) -> httpx.Client:
        client = self.client(**options)
        answer = client.post("/api/login", json={"name": name, "pin": pin})
        assert answer.status_code == 200, answer.text
        return client

    def accounts(self, *args: str, pin: str | None = None) -> subprocess.CompletedProcess[str]:
        return accounts(self.config, *args, pin=pin)


@contextmanager
def web_service(
    folder: Path,
    *,
    broker_url: str,
    store: str,
    staff: Iterable[tuple[str, str, str]] = (),
    tls: bool = False,
    wait_for: str = "serving",
    port: int | None = None,
    device: str = "web",
    log_level: str = "INFO",
    **web: Any,
) -> Iterator[WebService]:
    """The service on a free port; `staff`: (name, role, PIN) accounts made first through the CLI;
    `tls`: HTTPS with a store CA made here; `web`: config keys of [web] (token_grace_minutes=1, …)."""
    folder.mkdir(parents=True, exist_ok=True)
    ca_file, pair = None, None
    if tls:
        ca_file, cert, key = make_certificates(folder / "tls")
        pair = (cert, key)
    port = port or free_port()
    config = write_config(folder, broker_url=broker_url, store=store, port=port, device=device, tls=pair, **web)
    for name, role, pin in staff:
        made = accounts(config, "add", name, "--role", role, pin=pin)
        assert made.returncode == 0, made.stderr
    service = WebService(folder, config, port, ca_file, folder / "web.log", folder / "web.out", log_level=log_level)
    service.start(wait_for)
    try:
        yield service
    finally:
        if service.proc is not None and service.proc.poll() is None:
            service.proc.send_signal(signal.SIGTERM)
            try:
                service.proc.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                os.kill(service.proc.pid, signal.SIGKILL)
                service.proc.wait(TIMEOUT)


def events(client: httpx.Client, path: str, *, timeout: float = TIMEOUT, headers: dict[str, str] | None = None
           ) -> Iterator[tuple[str, Any, str]]:  # fmt: skip
    """(event, data as JSON, id) of a Server-Sent Events stream, as they come, for `timeout` seconds at most."""
    deadline = time.monotonic() + timeout
    try:
        with client.stream("GET", path, timeout=httpx.Timeout(timeout), headers=headers or {}) as response:
            assert response.status_code == 200, response.read().decode()
            event, data, ident = "message", [], ""
            for line in response.iter_lines():
                if time.monotonic() > deadline:
                    return
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].strip())
                elif line.startswith("id:"):
                    ident = line[3:].strip()
                elif not line and data:
                    yield event, json.loads("\n".join(data)), ident
                    event, data = "message", []
    except httpx.ReadTimeout:
        return


def wait_event(client: httpx.Client, path: str, test: Any, *, timeout: float = TIMEOUT, what: str = "") -> Any:
    """The first event's data on `path` for which `test(event, data)` holds; TimeoutError after `timeout`."""
    return wait_event_id(client, path, test, timeout=timeout, what=what)[0]


def wait_event_id(client: httpx.Client, path: str, test: Any, *, timeout: float = TIMEOUT, what: str = ""
                  ) -> tuple[Any, int]:  # fmt: skip
    """The same, with the event's `id:` (the service's change counter)."""
    seen: list[Any] = []
    for event, data, ident in events(client, path, timeout=timeout):
        seen.append((event, data))
        if test(event, data):
            return data, int(ident or 0)
    raise TimeoutError(f"no event on {path} {what} within {timeout}s; the last seen: {seen[-3:]}")


# -- a store around it: a kiosk that makes phone tokens, a bare subscriber, a stream's bytes -----------


def kiosk_factory(broker_url: str, store: str, qr_url: str):  # type: ignore[no-untyped-def]
    """A kiosk service for tests/services.py `running`, whose printed QR opens the phone page (`qr_url`
    with {token}): its requests get phone tokens, published for the web service."""

    def factory(loop: Loop) -> tuple[KioskService, PahoTransport]:
        transport = PahoTransport(
            broker_url,
            f"{store}-kiosk-1",
            subscriptions=KioskService.topics(store, "kiosk-1"),
            presence=(
                wire.presence_topic(store, "kiosk-1"),
                lambda online, at: wire.encode_presence(wire.Presence("kiosk-1", "kiosk", online, at)),
            ),
        )
        service = KioskService(desk=Desk("kiosk-1", ZoneInfo("Europe/Amsterdam")), store_id=store,
                               transport=transport, spool=None, event_log=MemoryLog(), clock=SystemClock(),
                               qr_url=qr_url)  # fmt: skip
        return service, transport

    return factory


class Subscriber:
    """A bare MQTT client: every message on `topic`."""

    def __init__(self, port: int, topic: str) -> None:
        self.got: list[dict] = []  # type: ignore[type-arg]
        self.grew = threading.Condition()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        self.client.on_message = self._message
        self.client.connect("127.0.0.1", port)
        self.client.subscribe(topic, qos=1)
        self.client.loop_start()

    def _message(self, _c, _u, message) -> None:  # type: ignore[no-untyped-def]
        if not message.payload:
            return  # a cleared retained message
        with self.grew:
            self.got.append(json.loads(message.payload))
            self.grew.notify_all()

    def wait(self, test, timeout: float = 15) -> dict:  # type: ignore[no-untyped-def, type-arg]
        with self.grew:
            assert self.grew.wait_for(lambda: any(test(m) for m in self.got), timeout), self.got
            return next(m for m in self.got if test(m))

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


class StreamBytes:
    """Every byte of one event stream, read on a thread, as a phone receives them."""

    def __init__(self, client: httpx.Client, path: str) -> None:
        self.data = b""
        self.grew = threading.Condition()
        self.thread = threading.Thread(target=self._read, args=(client, path), daemon=True)
        self.thread.start()
        with self.grew:
            assert self.grew.wait_for(lambda: b"event: state" in self.data, 15), self.data

    def _read(self, client: httpx.Client, path: str) -> None:
        try:
            with client.stream("GET", path, timeout=httpx.Timeout(60)) as response:
                for chunk in response.iter_bytes():
                    with self.grew:
                        self.data += chunk
                        self.grew.notify_all()
        except httpx.HTTPError:
            return  # the test is over: its client closed

    def ids(self) -> list[int]:
        return [int(m) for m in re.findall(rb"^id: (\d+)$", self.data, re.M)]

    def until(self, counter: int, timeout: float = 30) -> bytes:
        with self.grew:
            assert self.grew.wait_for(lambda: max(self.ids(), default=0) >= counter, timeout), self.data[-500:]
            return self.data
