"""A plain MQTT subscriber that collects what kiosks publish on a store's searches topic.

Touches the broker (its own paho client thread). Tests wait on what it
collected with a deadline, stepping their own loop if they have one.
"""

from __future__ import annotations

import threading

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from core import wire

TIMEOUT = 10.0


class SearchListener:
    def __init__(self, broker, store: str) -> None:  # type: ignore[no-untyped-def]
        self.got: list[tuple[str, bytes]] = []
        self._lock = threading.Condition()
        subscribed = threading.Event()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        self.client.on_message = self._message
        self.client.on_subscribe = lambda *_args: subscribed.set()
        self.client.connect("127.0.0.1", broker.port)
        self.client.subscribe(wire.all_searches(store), qos=1)
        self.client.loop_start()
        assert subscribed.wait(TIMEOUT), "no SUBACK for the searches topic"

    def _message(self, _client, _userdata, message) -> None:  # type: ignore[no-untyped-def]
        with self._lock:
            self.got.append((message.topic, bytes(message.payload)))
            self._lock.notify_all()

    def wait_for(self, count: int, timeout: float = TIMEOUT) -> list[tuple[str, bytes]]:
        """At least `count` messages (for a test with no loop of its own to turn)."""
        with self._lock:
            if not self._lock.wait_for(lambda: len(self.got) >= count, timeout):
                raise TimeoutError(f"{len(self.got)} of {count} searches within {timeout}s")
            return list(self.got)

    def messages(self) -> list[tuple[str, bytes]]:
        with self._lock:
            return list(self.got)

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()
