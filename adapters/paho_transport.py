"""MQTT through paho-mqtt 2.x. The only module that imports paho.

Callbacks run on paho's network thread and do nothing but hand the message
to `deliver`, which the front supplies (Kivy's Clock, or the headless loop's
queue): domain code never runs on paho's thread.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from shell.ports import Acknowledged, TransportError

log = logging.getLogger(__name__)

QOS = 1
RECONNECT_MIN_DELAY = 0.25
RECONNECT_MAX_DELAY = 2


class _OutageNoise(logging.Filter):
    """paho logs every publish made while disconnected at ERROR, yet QoS 1
    messages are kept and sent after reconnecting (ARCHITECTURE §7), and the
    outage itself is reported once by on_connection: keep ERROR for errors."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Client is not connected")


logging.getLogger("paho").addFilter(_OutageNoise())


class PahoTransport:
    def __init__(
        self,
        url: str,
        client_id: str,
        *,
        subscriptions: list[str],
        deliver: Callable[[str, bytes], None],
        presence: tuple[str, bytes, bytes] | None = None,
        username: str = "",
        password: str | None = None,
        keepalive: int = 30,
        on_connection: Callable[[bool], None] | None = None,
        session_expiry: int | None = None,
        ca_file: str = "",
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
            raise TransportError(f"broker url must be mqtt://host:port, got {url!r}")
        self.host = parts.hostname
        self.port = parts.port or (8883 if parts.scheme == "mqtts" else 1883)
        self.keepalive = keepalive
        self.subscriptions = list(subscriptions)
        self.deliver = deliver
        self.presence = presence
        self.on_connection = on_connection
        self.connected = threading.Event()
        # session_expiry: keep this client's session (subscriptions and the
        # QoS 1 messages queued for it) on the broker this many seconds after
        # a disconnect. Needs a fixed client id. paho's default clean_start
        # would wipe the session at every start (ARCHITECTURE §7).
        self.session_expiry = session_expiry
        # PUBACK bookkeeping by message id. paho calls on_publish while holding
        # its own message lock, so we never hold ours while calling paho (that
        # deadlocked): publish first, then match the mid here, whichever of
        # "published" and "acknowledged" comes first.
        self._acks: dict[int, Acknowledged | None] = {}
        self._early: dict[int, tuple[bool, str]] = {}
        self._acks_lock = threading.Lock()
        self._subscribed_once = False
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
        self.client.enable_logger(logging.getLogger("paho"))
        if parts.scheme == "mqtts":
            # The store's own CA (broker_config/provision.py), or the system's.
            self.client.tls_set(ca_certs=ca_file or None)
        if username:
            self.client.username_pw_set(username, password)
        if presence is not None:
            topic, _online, offline = presence
            self.client.will_set(topic, offline, qos=QOS, retain=True)
        # Back-off between reconnect attempts: 0.25 s doubling to 2 s, then every
        # 2 s. A store broker that comes back is used within about 2 s
        # (bench/outage.py); a box's worth of devices retrying every 2 s is
        # nothing for Mosquitto. (paho waits twice after a failed first connect,
        # so a 1 s minimum meant 3 s before the first retry.)
        self.client.reconnect_delay_set(min_delay=RECONNECT_MIN_DELAY, max_delay=RECONNECT_MAX_DELAY)  # type: ignore[arg-type]
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_publish = self._on_publish

    # -- lifecycle ------------------------------------------------------------

    def start(self) -> None:
        """Connect in the background; paho keeps reconnecting on its own."""
        properties = None
        if self.session_expiry:
            properties = Properties(PacketTypes.CONNECT)
            properties.SessionExpiryInterval = self.session_expiry
        try:
            self.client.connect_async(
                self.host,
                self.port,
                keepalive=self.keepalive,
                clean_start=not self.session_expiry,
                properties=properties,
            )
        except (OSError, ValueError) as exc:
            raise TransportError(f"cannot connect to {self.host}:{self.port}: {exc}") from exc
        self.client.loop_start()

    def wait_connected(self, timeout: float) -> bool:
        return self.connected.wait(timeout)

    def close(self) -> None:
        if self.presence is not None and self.connected.is_set():
            topic, _online, offline = self.presence
            info = self._publish(topic, offline, retain=True)
            with contextlib.suppress(RuntimeError, ValueError):
                info.wait_for_publish(timeout=2)
        self.client.disconnect()
        self.client.loop_stop()

    # -- publishing -----------------------------------------------------------

    def publish(
        self,
        topic: str,
        payload: bytes,
        *,
        retain: bool = False,
        expiry: int | None = None,
        on_done: Acknowledged | None = None,
    ) -> None:
        """Queue a QoS 1 message; `on_done(accepted, reason)` runs on paho's
        thread when the broker answers (a PUBACK is the only success signal)."""
        properties = None
        if expiry is not None:
            properties = Properties(PacketTypes.PUBLISH)
            properties.MessageExpiryInterval = expiry
        try:
            info = self._publish(topic, payload, retain=retain, properties=properties, on_done=on_done)
        except (ValueError, OSError) as exc:
            raise TransportError(f"cannot publish to {topic}: {exc}") from exc
        if info.rc not in (mqtt.MQTT_ERR_SUCCESS, mqtt.MQTT_ERR_NO_CONN):
            raise TransportError(f"cannot publish to {topic}: {mqtt.error_string(info.rc)}")
        # MQTT_ERR_NO_CONN: paho keeps QoS 1 messages queued in memory and
        # sends them after reconnecting (ARCHITECTURE §7).

    # -- paho callbacks (network thread) ---------------------------------------

    def _on_connect(self, client, userdata, flags, reason_code, properties):  # type: ignore[no-untyped-def]
        if reason_code.is_failure:
            log.error("broker %s:%s refused the connection: %s", self.host, self.port, reason_code)
            return
        log.info("connected to broker %s:%s", self.host, self.port)
        # Subscriptions vanish with a clean session: renew them on every connect.
        # The first time, ask for every retained message (a fresh process needs
        # the whole picture); after a reconnect, only if the broker lost the
        # subscription — otherwise the kept session delivers what was missed,
        # in order, and a replay of retained states would come out of order.
        handling = (
            SubscribeOptions.RETAIN_SEND_IF_NEW_SUB
            if self._subscribed_once
            else SubscribeOptions.RETAIN_SEND_ON_SUBSCRIBE
        )
        for topic in self.subscriptions:
            client.subscribe(topic, options=SubscribeOptions(qos=QOS, retainHandling=handling))
        self._subscribed_once = True
        if self.presence is not None:
            topic, online, _offline = self.presence
            self._publish(topic, online, retain=True)
        self.connected.set()
        if self.on_connection:
            self.on_connection(True)

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):  # type: ignore[no-untyped-def]
        self.connected.clear()
        level = logging.INFO if not reason_code.is_failure else logging.WARNING
        log.log(level, "disconnected from broker %s:%s: %s", self.host, self.port, reason_code)
        if self.on_connection:
            self.on_connection(False)

    def _publish(
        self,
        topic: str,
        payload: bytes,
        *,
        retain: bool,
        properties: Properties | None = None,
        on_done: Acknowledged | None = None,
    ) -> mqtt.MQTTMessageInfo:
        """client.publish, then the mid matched with its answer (see __init__)."""
        info = self.client.publish(topic, payload, qos=QOS, retain=retain, properties=properties)
        if info.rc not in (mqtt.MQTT_ERR_SUCCESS, mqtt.MQTT_ERR_NO_CONN):
            return info  # never sent, so never answered
        with self._acks_lock:
            answer = self._early.pop(info.mid, None)
            if answer is None:
                self._acks[info.mid] = on_done
        if answer is not None and on_done is not None:
            on_done(*answer)
        return info

    def _on_publish(self, client, userdata, mid, reason_code, properties):  # type: ignore[no-untyped-def]
        answer = (not reason_code.is_failure, str(reason_code))
        with self._acks_lock:
            if mid not in self._acks:
                self._early[mid] = answer  # answered before publish() got back its mid
                return
            callback = self._acks.pop(mid)
        if callback is not None:
            callback(*answer)

    def _on_message(self, client, userdata, message):  # type: ignore[no-untyped-def]
        self.deliver(message.topic, bytes(message.payload))
