"""Fakes for the shell's ports: a service test that runs in milliseconds.

For the shell's unit tests only; everything that crosses a real broker, disk
or serial port is tested against the real parts elsewhere. `Broker` routes
messages between services synchronously, with MQTT's topic wildcards and
retained messages, so a kiosk service and pager services can talk as they
would over Mosquitto, on one thread.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from core.board import Board
from core.desk import Desk
from shell.kiosk_service import KioskService
from shell.pager_service import PagerService
from shell.ports import Acknowledged
from tests.memory_log import MemoryLog

Handler = Callable[[str, bytes], None]


def matches(pattern: str, topic: str) -> bool:
    """MQTT topic filter matching: `+` one level, `#` the rest."""
    want, got = pattern.split("/"), topic.split("/")
    for i, level in enumerate(want):
        if level == "#":
            return True
        if i >= len(got) or (level != "+" and level != got[i]):
            return False
    return len(want) == len(got)


class Broker:
    def __init__(self) -> None:
        self.subscribers: list[tuple[str, Handler]] = []
        self.retained: dict[str, bytes] = {}
        self.published: list[tuple[str, bytes, bool]] = []
        self.deaf: list[Handler] = []  # subscribers that miss what is published meanwhile

    def subscribe(self, patterns: list[str], handler: Handler) -> None:
        self.subscribers += [(pattern, handler) for pattern in patterns]
        for topic, payload in list(self.retained.items()):
            if any(matches(p, topic) for p in patterns):
                handler(topic, payload)

    def publish(self, topic: str, payload: bytes, retain: bool) -> None:
        self.published.append((topic, payload, retain))
        if retain:
            self.retained[topic] = payload
        for pattern, handler in list(self.subscribers):
            if matches(pattern, topic) and handler not in self.deaf:
                handler(topic, payload)

    def forget_retained(self) -> None:
        """A broker restarted without persistence."""
        self.retained.clear()


class Transport:
    """A `Transport` port on the fake broker: every publish is acknowledged at once."""

    def __init__(self, broker: Broker) -> None:
        self.broker = broker

    def publish(
        self,
        topic: str,
        payload: bytes,
        *,
        retain: bool = False,
        expiry: int | None = None,
        on_done: Acknowledged | None = None,
    ) -> None:
        self.broker.publish(topic, payload, retain)
        if on_done is not None:
            on_done(True, "Success")

    def waiting(self) -> int:
        return 0

    def close(self) -> None:
        pass


class Clock:
    """A `Clock` port that moves only when told."""

    def __init__(self, start: datetime = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)) -> None:
        self.moment = start

    def now(self) -> datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)


def ids(prefix: str) -> Callable[[], str]:
    counter = iter(range(1, 10**6))
    return lambda: f"{prefix}{next(counter)}"


def kiosk_service(
    broker: Broker, clock: Clock, store: str = "s1", kiosk: str = "kiosk-1", **desk: object
) -> KioskService:
    service = KioskService(
        desk=Desk(kiosk, ZoneInfo("Europe/Amsterdam"), **desk),  # type: ignore[arg-type]
        store_id=store,
        transport=Transport(broker),
        spool=None,
        event_log=MemoryLog(),
        clock=clock,
        new_id=ids(f"{kiosk}-r"),
    )
    broker.subscribe(service.subscriptions(), service.on_message)
    return service


def pager_service(broker: Broker, clock: Clock, staff: str, role: str = "floor", store: str = "s1") -> PagerService:
    service = PagerService(
        board=Board(staff, role), store_id=store, transport=Transport(broker), clock=clock, new_id=ids(f"{staff}-a")
    )
    broker.subscribe(service.subscriptions(), service.on_message)
    return service
