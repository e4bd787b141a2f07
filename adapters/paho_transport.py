"""MQTT through paho-mqtt 2.x. The only module that imports paho.

Callbacks run on paho's network thread and do nothing but hand the message
to `deliver`, which the front supplies (Kivy's Clock, or the headless loop's
queue): domain code never runs on paho's thread.
"""

from __future__ import annotations

import contextlib
import logging
import ssl
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from shell.broker_trouble import Trouble, login_refused, taken_over, topics_refused, unreachable
from shell.config import BrokerSection
from shell.ports import Acknowledged, MessageHandler, TransportError

log = logging.getLogger(__name__)

QOS = 1
RECONNECT_MIN_DELAY = 0.25
RECONNECT_MAX_DELAY = 2
# After a refusal that retrying cannot mend by itself (wrong password, another
# device on this id) try again this slowly: no knocking each other off the
# broker several times a second.
REFUSED_DELAY = 30

# MQTT 5 reason codes that mean "fix the setup", not "wait a moment".
_LOGIN_REFUSED = (134, 135)  # Bad user name or password, Not authorized
_TAKEN_OVER = 142  # Session taken over
# Mosquitto 2.0.11 closes the older of two connections with one client id
# without saying why (the client sees "Unspecified error"): a connection that
# ends this soon after it was made, three times running, is taken for that.
QUICK_DROP = 5.0
QUICK_DROPS = 3

# (online, at) -> the presence payload (core/wire.py encode_presence).
PresencePayload = Callable[[bool, datetime], bytes]


def _nowhere(topic: str, payload: bytes) -> None:
    log.warning("message on %s before start(): dropped", topic)


class _OutageNoise(logging.Filter):
    """paho logs every publish made while disconnected at ERROR, yet QoS 1
    messages are kept in memory and sent after reconnecting, and the outage
    itself is reported by shell/broker_trouble.py: keep ERROR for errors."""

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
        presence: tuple[str, PresencePayload] | None = None,
        username: str = "",
        password: str | None = None,
        password_env: str = "",
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
        self.deliver: MessageHandler = _nowhere  # given by start()
        self.presence = presence
        self.on_connection = on_connection
        # Called on paho's thread after a connect to a broker that does not hold
        # this device's session (the first connect, a broker restarted without
        # persistence, an expired session): its retained messages may be gone
        # too, and their owner publishes them again. Not after a connect that
        # resumed the session: paho is resending what the broker missed, in
        # order, and copies sent meanwhile would overtake it.
        self.session_lost_listeners: list[Callable[[], None]] = []
        self.connected = threading.Event()
        self.client_id = client_id
        self.username = username
        self.password_env = password_env
        self.has_password = password is not None
        # What is wrong with the connection, in words for the person who set it
        # up (None while all is well): the log says it once, fronts show it.
        self.trouble = Trouble(log)
        self._up: bool | None = None  # last told to on_connection
        self._slowed = ""  # why reconnecting is slowed down: "login" or "taken"
        self._refused = False  # the last CONNACK said no
        self._connected_at = 0.0
        self._quick_drops = 0
        self._subscribing: dict[int, str] = {}
        # session_expiry: keep this client's session (subscriptions and the
        # QoS 1 messages queued for it) on the broker this many seconds after
        # a disconnect. Needs a fixed client id. paho's default clean_start
        # would wipe the session at every start, and without an expiry
        # Mosquitto ends the session at the disconnect.
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
        # An exception in one of our callbacks must not end paho's network
        # thread (the device would never reconnect): paho logs it instead.
        self.client.suppress_exceptions = True
        if parts.scheme == "mqtts":
            # The store's own CA (broker_config/provision.py), or the system's.
            try:
                self.client.tls_set(ca_certs=ca_file or None)
            except (OSError, ssl.SSLError) as exc:
                raise TransportError(
                    f"broker.ca_file: {ca_file or 'the system CAs'}: cannot be used for TLS: {exc}"
                ) from None
        if username:
            self.client.username_pw_set(username, password)
        self._set_will()
        # Back-off between reconnect attempts: 0.25 s doubling to 2 s, then every
        # 2 s. A store broker that comes back is used within about 2 s
        # (bench/outage.py); a box's worth of devices retrying every 2 s is
        # nothing for Mosquitto. (paho waits twice after a failed first connect,
        # so a 1 s minimum meant 3 s before the first retry.)
        self.client.reconnect_delay_set(min_delay=RECONNECT_MIN_DELAY, max_delay=RECONNECT_MAX_DELAY)  # type: ignore[arg-type]
        self.client.on_connect = self._on_connect
        self.client.on_connect_fail = self._on_connect_fail
        self.client.on_disconnect = self._on_disconnect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message
        self.client.on_publish = self._on_publish

    def _set_will(self) -> None:
        """The last will says offline with the `at` its connection's online presence says: a later one would drop it."""
        if self.presence is not None:
            topic, payload = self.presence
            self._will_at = datetime.now(UTC)
            self.client.will_set(topic, payload(False, self._will_at), qos=QOS, retain=True)

    # -- lifecycle ------------------------------------------------------------

    @classmethod
    def for_device(
        cls,
        broker: BrokerSection,
        device_id: str,
        *,
        subscriptions: list[str],
        presence: tuple[str, PresencePayload],
    ) -> PahoTransport:
        """The broker link of one of the store's devices, as its config says."""
        return cls(
            broker.url,
            client_id=device_id,
            subscriptions=subscriptions,
            presence=presence,
            username=broker.username,
            password=broker.password,
            password_env=broker.password_env,
            keepalive=broker.keepalive,
            session_expiry=broker.session_expiry,
            ca_file=broker.ca_file,
        )

    def start(self, deliver: MessageHandler | None = None) -> None:
        """Connect in the background and hand every message received to
        `deliver(topic, payload)` on paho's thread (none: a client that only
        publishes); paho keeps reconnecting."""
        if deliver is not None:
            self.deliver = deliver
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

    def waiting(self) -> int:
        """Messages published and not yet acknowledged by the broker."""
        with self._acks_lock:
            return len(self._acks)

    def wait_connected(self, timeout: float) -> bool:
        return self.connected.wait(timeout)

    def close(self) -> None:
        if self.presence is not None and self.connected.is_set():
            topic, payload = self.presence
            info = self._publish(topic, payload(False, datetime.now(UTC)), retain=True)
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
        # MQTT_ERR_NO_CONN: paho queues QoS 1 in memory and sends it after
        # reconnecting (docs/architecture.md#paho-mqtt-22).

    # -- paho callbacks (network thread) ---------------------------------------

    def _on_connect(self, client, userdata, flags, reason_code, properties):  # type: ignore[no-untyped-def]
        self._refused = reason_code.is_failure
        if reason_code.is_failure:
            if reason_code.value in _LOGIN_REFUSED:
                words = login_refused(
                    self.host,
                    self.port,
                    self.username,
                    self.password_env,
                    self.has_password,
                    str(reason_code),
                    REFUSED_DELAY,
                )
                self._trouble(words, slow="login")
            else:
                self._trouble(f"the broker at {self.host}:{self.port} refused the connection: {reason_code}")
            return
        self._connected_at = time.monotonic()
        lasted = self.trouble.cleared(self._connected_at)
        if lasted is not None:
            log.warning("connected to broker %s:%s again after %.0f s", self.host, self.port, lasted)
        else:
            log.info("connected to broker %s:%s", self.host, self.port)
        if self._slowed == "login":
            self._speed_up()
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
            _rc, mid = client.subscribe(topic, options=SubscribeOptions(qos=QOS, retainHandling=handling))
            self._subscribing[mid] = topic
        self._subscribed_once = True
        if self.presence is not None:
            topic, payload = self.presence
            self._publish(topic, payload(True, self._will_at), retain=True, on_done=self._presence_answered)
            self._set_will()  # for the next connection
        self.connected.set()
        self._tell(True)
        if not flags.session_present:
            for listener in list(self.session_lost_listeners):
                listener()

    def _on_connect_fail(self, client, userdata):  # type: ignore[no-untyped-def]
        # paho calls this inside its `except OSError`, and passes no reason.
        self._trouble(unreachable(self.host, self.port, sys.exc_info()[1], RECONNECT_MAX_DELAY))

    def _presence_answered(self, accepted: bool, reason: str) -> None:
        if not accepted and self.presence is not None:
            # Right password, wrong store id: Mosquitto grants any subscription
            # and then delivers nothing the ACL forbids, so the refused
            # presence is the one sign. Without this the device looks connected
            # and hears nothing.
            log.error("%s", topics_refused(self.client_id, self.presence[0], reason))
            self.trouble.note(f"the broker refuses this device's topics ({reason}): check store.id")
            self._tell(False)  # connected, but nothing works: the fronts say so

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties):  # type: ignore[no-untyped-def]
        topic = self._subscribing.pop(mid, "?")
        for code in reason_codes:
            if code.is_failure:
                # A broker whose ACL refuses subscriptions says so here
                # (Mosquitto's never does: see _presence_answered).
                log.error("%s", topics_refused(self.client_id, topic, str(code)))

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):  # type: ignore[no-untyped-def]
        self.connected.clear()
        if self._refused:
            return  # paho's own disconnect after a refused CONNACK: the refusal was said
        lasted = time.monotonic() - self._connected_at
        self._quick_drops = self._quick_drops + 1 if reason_code.is_failure and lasted < QUICK_DROP else 0
        if self._slowed == "taken" and lasted >= QUICK_DROP:
            self._speed_up()
        if reason_code.value == _TAKEN_OVER or self._quick_drops >= QUICK_DROPS:
            self._trouble(taken_over(self.client_id, str(reason_code), REFUSED_DELAY), slow="taken")
            return
        if reason_code.is_failure:
            self._trouble(f"lost the broker at {self.host}:{self.port}: {reason_code}")
        else:
            log.info("disconnected from broker %s:%s: %s", self.host, self.port, reason_code)
            self._tell(False)

    def _trouble(self, problem: str, *, slow: str = "") -> None:
        """Say what is wrong (once, then every 30 s); `slow`: retry slowly, and why."""
        self.trouble.report(problem, time.monotonic())
        if slow and not self._slowed:
            self._slowed = slow
            self.client.reconnect_delay_set(min_delay=REFUSED_DELAY, max_delay=REFUSED_DELAY)
        self._tell(False)

    def _speed_up(self) -> None:
        self._slowed = ""
        self.client.reconnect_delay_set(min_delay=RECONNECT_MIN_DELAY, max_delay=RECONNECT_MAX_DELAY)  # type: ignore[arg-type]

    @property
    def problem(self) -> str | None:
        return self.trouble.problem

    def _tell(self, up: bool) -> None:
        if self._up is not up:
            self._up = up
            if self.on_connection:
                self.on_connection(up)

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
