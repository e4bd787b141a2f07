"""Kiosk and pager services on their own loop threads, over a real broker.

Touches threads, the broker and (when given an outbox folder) the disk. Each
service runs on its own `Loop` thread, as in the headless fronts; tests wait
on events with timeouts, never on sleeps.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from adapters.file_outbox import FileOutbox
from adapters.paho_transport import PahoTransport
from core import wire
from core.board import Board, Notice
from core.desk import Desk
from core.model import Status
from shell.kiosk_service import KioskService, TicketView
from shell.loop import Loop, SystemClock
from shell.outbox import DurableOutbox
from shell.pager_service import PagerService
from tests.memory_log import MemoryLog

TIMEOUT = 10.0


class Running:
    """A service on its own loop thread, with its notices collected."""

    def __init__(self, loop: Loop, transport: PahoTransport) -> None:
        self.loop = loop
        self.transport = transport
        self.seen: list[object] = []
        self.changed = threading.Condition()

    def record(self, item: object) -> None:
        with self.changed:
            self.seen.append(item)
            self.changed.notify_all()

    def wait_for(self, test: Callable[[object], bool], timeout: float = TIMEOUT) -> object:
        with self.changed:
            found = self.changed.wait_for(lambda: next((s for s in self.seen if test(s)), None), timeout)
        if not found:
            raise TimeoutError(f"nothing matched within {timeout}s; seen {self.seen!r}")
        return next(s for s in self.seen if test(s))

    def call(self, fn: Callable[..., object], *args: object) -> object:
        """Run fn on the service's thread and return its result."""
        done = threading.Event()
        box: dict[str, object] = {}

        def run() -> None:
            try:
                box["value"] = fn(*args)
            except Exception as exc:  # handed back to the test thread
                box["error"] = exc
            done.set()

        self.loop.call_soon(run)
        assert done.wait(TIMEOUT)
        if "error" in box:
            raise box["error"]  # type: ignore[misc]
        return box.get("value")


@contextmanager
def running(service_factory: Callable[[Loop], tuple[object, PahoTransport]]) -> Iterator[tuple[object, Running]]:
    loop = Loop()
    service, transport = service_factory(loop)
    runner = Running(loop, transport)
    service.listeners.append(runner.record)  # type: ignore[attr-defined]
    thread = threading.Thread(target=loop.run, daemon=True)
    thread.start()
    transport.start(lambda topic, payload: loop.call_soon(service.on_message, topic, payload))  # type: ignore[attr-defined]
    assert transport.wait_connected(TIMEOUT)
    try:
        yield service, runner
    finally:
        transport.close()
        loop.stop()
        thread.join(TIMEOUT)


def kiosk(  # type: ignore[no-untyped-def]
    broker,
    store: str,
    kiosk_id: str = "kiosk-1",
    log: MemoryLog | None = None,
    outbox: Path | None = None,
    session_expiry: int | None = None,
):
    """A kiosk service; with `outbox`, publishing through the durable outbox."""

    def factory(loop: Loop) -> tuple[KioskService, PahoTransport]:
        transport = PahoTransport(
            broker.url,
            f"{store}-{kiosk_id}",
            session_expiry=session_expiry,
            subscriptions=[wire.my_actions(store, kiosk_id)],
            presence=(
                wire.presence_topic(store, kiosk_id),
                lambda online, at: wire.encode_presence(wire.Presence(kiosk_id, "kiosk", online, at)),
            ),
        )
        durable = DurableOutbox(transport, FileOutbox(outbox)) if outbox else None
        if durable:
            durable.resend_pending()
        service = KioskService(
            desk=Desk(kiosk_id, ZoneInfo("Europe/Amsterdam")),
            store_id=store,
            transport=durable or transport,
            spool=None,
            event_log=log or MemoryLog(),
            clock=SystemClock(),
        )
        return service, transport

    return running(factory)


def pager(broker, store: str, staff: str, session_expiry: int | None = None, role: str = "floor"):  # type: ignore[no-untyped-def]
    """A pager service; with `session_expiry`, a fixed client id and a kept session."""

    def factory(loop: Loop) -> tuple[PagerService, PahoTransport]:
        suffix = "" if session_expiry else f"-{uuid.uuid4().hex[:6]}"
        transport = PahoTransport(
            broker.url,
            f"{store}-pager-{staff}{suffix}",
            session_expiry=session_expiry,
            subscriptions=PagerService.topics(store, role),
        )
        service = PagerService(board=Board(staff, role), store_id=store, transport=transport, clock=SystemClock())
        return service, transport

    return running(factory)


def new_store() -> str:
    return f"s{uuid.uuid4().hex[:8]}"


def is_notice(kind: str, ticket: str) -> Callable[[object], bool]:
    return lambda n: isinstance(n, Notice) and n.kind == kind and n.request.ticket == ticket


def is_view(status: Status, ticket: str) -> Callable[[object], bool]:
    return lambda v: isinstance(v, TicketView) and v.request.status is status and v.request.ticket == ticket


def retained(broker, topic: str, count: int) -> list[tuple[str, bytes]]:  # type: ignore[no-untyped-def]
    """The first `count` messages a fresh subscriber to `topic` gets (the retained ones first)."""
    return [(name, payload) for name, payload, _expiry in retained_with_expiry(broker, topic, count)]


def retained_with_expiry(broker, topic: str, count: int) -> list[tuple[str, bytes, int | None]]:  # type: ignore[no-untyped-def]
    """As `retained`, with each message's remaining MQTT 5 message expiry (None: it never expires)."""
    got: list[tuple[str, bytes, int | None]] = []
    enough = threading.Event()

    def on_message(_c, _u, message) -> None:  # type: ignore[no-untyped-def]
        expiry = getattr(message.properties, "MessageExpiryInterval", None)
        got.append((message.topic, bytes(message.payload), expiry))
        if len(got) >= count:
            enough.set()

    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.on_message = on_message
    client.connect("127.0.0.1", broker.port)
    client.subscribe(topic, qos=1)
    client.loop_start()
    try:
        assert enough.wait(TIMEOUT), f"only {len(got)} of {count} messages on {topic}"
    finally:
        client.loop_stop()
        client.disconnect()
    return got[:count]


class Publisher:
    """A plain MQTT client that publishes what a test gives it, QoS 1, waiting for the PUBACK."""

    def __init__(self, broker) -> None:  # type: ignore[no-untyped-def]
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        self.client.connect("127.0.0.1", broker.port)
        self.client.loop_start()

    def send(self, topic: str, payload: bytes, retain: bool = False) -> None:
        self.client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(TIMEOUT)

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()
