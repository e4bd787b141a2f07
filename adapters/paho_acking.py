"""A broker link that acknowledges a message only when told to: paho's manual
acknowledgement, for the store's recorder. Built on adapters/paho_transport.py
(which stays the only module that imports paho).

Why: with paho's default, the PUBACK leaves as soon as the message is handed
over, so a recorder killed before its write would lose a message the broker
already dropped. Here each message comes with a `Receipt`, and the PUBACK goes
out when the receiver calls `ack(receipt)` — after the message is on disk.
Until then the broker keeps it in the recorder's session and sends it again
after a reconnect (with the same message id, flagged as a duplicate).

A receipt belongs to one connection: message ids are the connection's, so a
receipt from before a reconnect is not sent on the next connection (the
broker sends that message again there, and its new receipt is the one to ack).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from adapters.paho_transport import PahoTransport

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Receipt:
    """Which message to acknowledge: its id on the connection it came on."""

    connection: int
    mid: int
    qos: int
    duplicate: bool = False  # the broker says it may have sent this one before


ReceiptHandler = Callable[[str, bytes, Receipt], None]


class AckingPahoTransport(PahoTransport):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client.manual_ack_set(True)
        self._connection = 0
        # Held while a connection is counted and while an ack is sent, so an
        # ack can never go out on a newer connection than its message came on.
        self._connection_lock = threading.Lock()
        self._deliver_with_receipt: ReceiptHandler = lambda topic, payload, receipt: None
        # Called (on paho's thread) once the broker has answered every
        # subscription of a connection: from then on nothing of the store
        # passes the recorder by, even on its very first connect.
        self.on_subscribed: Callable[[], None] | None = None

    def start_acking(self, deliver: ReceiptHandler) -> None:
        """Connect in the background; every message goes to `deliver(topic,
        payload, receipt)` on paho's thread and stays unacknowledged until
        `ack(receipt)`."""
        self._deliver_with_receipt = deliver
        self.start(None)

    def ack(self, receipt: Receipt) -> bool:
        """Send the PUBACK for `receipt`; False when its connection is gone
        (the broker will send the message again)."""
        with self._connection_lock:
            if receipt.connection != self._connection or not self.connected.is_set():
                return False
            self.client.ack(receipt.mid, receipt.qos)
            return True

    def _on_connect(self, client, userdata, flags, reason_code, properties):  # type: ignore[no-untyped-def]
        with self._connection_lock:
            self._connection += 1
        super()._on_connect(client, userdata, flags, reason_code, properties)

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties):  # type: ignore[no-untyped-def]
        super()._on_subscribe(client, userdata, mid, reason_codes, properties)
        if not self._subscribing and self.on_subscribed is not None:
            self.on_subscribed()

    def _on_message(self, client, userdata, message):  # type: ignore[no-untyped-def]
        receipt = Receipt(self._connection, message.mid, message.qos, bool(message.dup))
        self._deliver_with_receipt(message.topic, bytes(message.payload), receipt)
