"""The store's recorder: every request state, feedback, search and alert of
the store, from every kiosk — and the rule alerts the store server itself
sends (`keep_alert`) — kept in the store's record.

Touches the record (store_server/record.py), the broker link (a transport
with `publish` and `ack(receipt)`) and the clock. Like the kiosk's service it
runs on one thread: the link hands every message over with `call_soon`, so
nothing here needs a lock.

Nothing lost: a message is acknowledged to the broker (PUBACK) only once it is
on disk, or once it is known to be a copy of what is, or is found to break the
contract. When the record cannot be written the message is not acknowledged:
the recorder says so once, keeps it and everything after it in arrival order,
and tries again every `retry_seconds`; the broker holds what it has not
acknowledged in the recorder's session and sends it again after a reconnect.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from datetime import date
from typing import Any, Protocol

from core import recording, wire
from core.recording import Keep, Skip
from core.retention import cutoff
from shell.ports import Clock, StoreError
from store_server.record import StoreRecord

log = logging.getLogger(__name__)

Listener = Callable[[object], None]  # called with each new record once it is stored


class AckingLink(Protocol):
    def publish(self, topic: str, payload: bytes, *, retain: bool = False, expiry: int | None = None) -> None: ...

    def ack(self, receipt: Any) -> bool: ...


def subscriptions(store: str) -> list[str]:
    """Everything of the store the record keeps, and the devices and printers it follows."""
    return [
        wire.all_states(store),
        f"store/{store}/feedback/+",
        f"store/{store}/alerts/+",
        wire.all_unhappy(store),
        wire.all_searches(store),
        wire.all_printers(store),
        wire.all_devices(store),
    ]


class Recorder:
    def __init__(
        self,
        *,
        store_id: str,
        record: StoreRecord,
        link: AckingLink,
        clock: Clock,
        listeners: list[Listener] | None = None,
        retention_days: int | None = None,
    ) -> None:
        self.store_id = store_id
        self.record = record
        self.link = link
        self.clock = clock
        # Helpers that act on what is recorded (today's figures, rule alerts):
        # each is called with every NEW record after it is stored — a LogEntry,
        # Feedback, Search, or an alert's stored dict. A listener that fails is
        # logged; the record is kept all the same.
        self.listeners: list[Listener] = list(listeners or [])
        self.retention_days = retention_days
        self.presence: dict[str, wire.Presence] = {}  # each device as it last said
        self.printers: dict[str, wire.PrinterReport] = {}  # each kiosk's printer as it last said
        self.kept = 0
        self.copies = 0
        self.rejected = 0
        # Not yet on disk, in arrival order: (topic, payload, receipt) of a message, or (None, Keep, None).
        self._waiting: deque[tuple[str | None, Any, Any]] = deque()
        self._failing_since: float | None = None  # monotonic-free: the clock's timestamp
        self._retention_done_on: date | None = None

    # -- hooks for the store server's other parts -----------------------------

    def publish(self, topic: str, payload: bytes, retain: bool = False) -> None:
        """Publish through the recorder's own connection (QoS 1)."""
        self.link.publish(topic, payload, retain=retain)

    def keep_alert(self, stored: dict[str, Any]) -> None:
        """Keep an alert the store server itself sends (a rule alert of the live
        figures, in its stored form) in the record: once, known by its identity
        (core/recording.py `alert_key`), after what came before it; while the
        record cannot be written it waits and is tried again like a message."""
        at = wire.parse_time(stored.get("at"), "at")
        assert at is not None  # parse_time refuses a missing time
        self._waiting.append((None, Keep(recording.ALERTS, recording.alert_key(stored), at, stored), None))
        if not self.failing:
            self._drain()

    @property
    def failing(self) -> bool:
        """The record cannot be written just now: messages wait unacknowledged."""
        return self._failing_since is not None

    def waiting(self) -> int:
        return len(self._waiting)

    # -- from the broker (on the service's thread) -----------------------------

    def on_message(self, topic: str, payload: bytes, receipt: Any) -> None:
        self._waiting.append((topic, payload, receipt))
        if not self.failing:
            self._drain()

    def retry(self) -> None:
        """Called every few seconds: write what waits, if the record takes it now."""
        if self._waiting:
            self._drain()

    def tick(self) -> None:
        """Once a day: remove shoppers' free text past the retention period."""
        today = self.clock.now().date()
        if not self.retention_days or self._retention_done_on == today:
            return
        self._retention_done_on = today
        try:
            self.record.scrub_free_text_before(cutoff(today, self.retention_days))
        except StoreError as exc:
            log.error("retention: free text could not be removed from the record: %s", exc)

    def _drain(self) -> None:
        while self._waiting:
            topic, payload, receipt = self._waiting[0]
            try:
                # topic None: a record of the store server's own (keep_alert), not a message.
                stored = self._handle(topic, payload) if topic is not None else self._keep(payload)
            except StoreError as exc:
                self._cannot_write(exc)
                return
            self._waiting.popleft()
            if topic is not None:
                self.link.ack(receipt)
            if self.failing:
                self._written_again()
            if stored is not None:
                self._tell(stored)

    def _handle(self, topic: str, payload: bytes) -> object | None:
        """Store what is new; the record stored, or None (a copy, nothing to keep, bad)."""
        try:
            decision = recording.from_message(self.store_id, topic, payload, self.clock.now())
        except wire.WireError as exc:
            self.rejected += 1
            log.warning("rejected message on %s: %s", topic, exc)
            return None
        if isinstance(decision, Skip):
            self._follow(topic, payload)
            return None
        return self._keep(decision)

    def _keep(self, decision: Keep) -> object | None:
        """Store `decision` unless the record holds it; the record stored, or None (a copy)."""
        if self.record.has(decision):
            self.copies += 1
            return None
        if decision.kind == recording.REQUESTS:
            self._check_gap(decision)
        self.record.store(decision)
        self.kept += 1
        log.info("kept %s %s", decision.kind, " ".join(decision.key[1:]))
        return decision.record

    def _check_gap(self, keep: Keep) -> None:
        entry = keep.record
        known = self.record.known_seqs(keep)
        seq = int(keep.key[2])
        missing = recording.missing_before(known, seq)
        what = f"{entry.ticket} ({entry.request_id}) of {entry.kiosk}"  # type: ignore[union-attr]
        if missing:
            log.warning(
                "gap: %s: state %s never reached the record (lost by the broker, or from before the "
                "recorder: import the kiosk's data dir); keeping state %d, where it stands now",
                what,
                recording.runs(missing),
                seq,
            )
        elif known and seq < max(known):
            log.info("%s: state %d arrived after state %d; kept", what, seq, max(known))

    def _follow(self, topic: str, payload: bytes) -> None:
        """Presence and printer states are followed for the other parts, not recorded."""
        if not payload:
            return
        try:
            kind, ids = wire.parse_topic(self.store_id, topic)
            if kind == "devices":
                self.presence[ids["device"]] = wire.decode_presence(ids["device"], payload)
            elif kind == "printers":
                self.printers[ids["device"]] = wire.decode_printer(payload)
        except wire.WireError as exc:
            log.warning("rejected message on %s: %s", topic, exc)

    def _tell(self, stored: object) -> None:
        for listener in list(self.listeners):
            try:
                listener(stored)
            except Exception:
                log.exception("a listener of the recorder failed on %r", stored)

    def _cannot_write(self, exc: StoreError) -> None:
        if not self.failing:
            self._failing_since = self.clock.now().timestamp()
            log.error(
                "the store's record cannot be written: %s. Nothing is acknowledged to the broker until it can "
                "(the broker keeps the messages in the recorder's session); trying again every few seconds",
                exc,
            )

    def _written_again(self) -> None:
        lasted = self.clock.now().timestamp() - (self._failing_since or 0)
        self._failing_since = None
        log.warning("the store's record is written again after %.0f s; %d message(s) still to write", lasted,
                    len(self._waiting))  # fmt: skip
