"""The kiosk's durable outbox: nothing it publishes is lost on the way.

Touches only its ports (a transport and an outbox store). Every message is
stored before it is handed to the transport, and removed only when the broker
has acknowledged it (a PUBACK: paho keeps QoS 1 messages published while
disconnected only in memory, so its queue dies with the process, and its "not
connected" answer does not mean "dropped"). After a restart the
messages still stored are published again, oldest first. A message may thus
arrive twice (stored, sent, acknowledged, power cut before the removal);
receivers deduplicate: request states by `seq`, feedback by its id.
"""

from __future__ import annotations

import itertools
import logging
import threading
import uuid

from shell.ports import Acknowledged, OutboxStore, Outgoing, Transport

log = logging.getLogger(__name__)


class DurableOutbox:
    """A `Transport` that keeps every message in an `OutboxStore` until acknowledged."""

    def __init__(self, transport: Transport, store: OutboxStore) -> None:
        self.transport = transport
        self.store = store
        self._lock = threading.Lock()
        self._in_flight: set[str] = set()
        self._drained = threading.Condition(self._lock)
        # The running number continues after the highest stored key, so a
        # resent message keeps its place ahead of new ones.
        waiting = store.pending()
        start = int(waiting[-1].key.split("-")[0]) + 1 if waiting else 1
        self._numbers = itertools.count(start)

    def publish(
        self,
        topic: str,
        payload: bytes,
        *,
        retain: bool = False,
        expiry: int | None = None,
        on_done: Acknowledged | None = None,
    ) -> None:
        message = Outgoing(f"{next(self._numbers):012d}-{uuid.uuid4().hex[:8]}", topic, payload, retain, expiry)
        self.store.add(message)  # StoreError propagates: not stored means not accepted
        self._send(message, on_done)

    def resend_pending(self) -> int:
        """Publish again what a previous run left unacknowledged; how many."""
        waiting = self.store.pending()
        for message in waiting:
            self._send(message, None)
        if waiting:
            log.info("resending %d message(s) left from before the restart", len(waiting))
        return len(waiting)

    def _send(self, message: Outgoing, on_done: Acknowledged | None) -> None:
        with self._lock:
            if message.key in self._in_flight:
                return
            self._in_flight.add(message.key)

        def acknowledged(accepted: bool, reason: str) -> None:
            if not accepted:
                # The broker answered and refused (e.g. not authorised): sending
                # it again cannot help. The record itself is in the event log.
                log.error("broker refused %s (%s); dropping it from the outbox", message.topic, reason)
            self.store.remove(message.key)
            with self._lock:
                self._in_flight.discard(message.key)
                self._drained.notify_all()
            if on_done is not None:
                on_done(accepted, reason)

        self.transport.publish(
            message.topic, message.payload, retain=message.retain, expiry=message.expiry, on_done=acknowledged
        )

    def waiting(self) -> int:
        with self._lock:
            return len(self._in_flight)

    def wait_empty(self, timeout: float) -> bool:
        """True once every message handed over so far has been acknowledged."""
        with self._drained:
            return self._drained.wait_for(lambda: not self._in_flight, timeout)

    def close(self) -> None:
        self.transport.close()
