"""Today's figures and the rule alerts, published for the managers' pagers.

Touches the recorder's publish (its own broker connection, QoS 1) and the
clock; at start it reads the record's today through the recorder's event log.
It runs on the recorder's thread: the recorder calls `on_record` with every
new record once it is on disk, and the loop calls `tick` every few seconds.

The figures (core/live.py) go to the retained figures topic, so a pager that
signs in later sees them at once: when they change, and at least every
`REFRESH_SECONDS` even when they do not, so that the longest wait moves on the
pagers. Each rule alert goes once to the managers' alerts topic (not
retained: an alert is news, and a manager who signs in later reads the figures)
and into the store's record, which holds every alert of the store (the
recorder's `keep_alert`). After a restart the record's rule alerts of today
say which breaches were already said (core/live.py `Today.remember`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from core import wire
from core.live import AlertRules, LiveFigures, RuleAlert, Today
from core.live_wire import encode_figures, encode_rule_alert, rule_alert_of_record, rule_alert_record
from core.model import Feedback, LogEntry
from core.recording import ALERTS
from shell.ports import Clock, StoreError
from shell.store_config import StoreConfig

log = logging.getLogger(__name__)

REFRESH_SECONDS = 60  # the figures go out at least this often: the longest wait moves
TICK_SECONDS = 5.0  # how often the loop asks: a rule on a time window can break without a new record

Publish = Callable[..., None]  # publish(topic, payload, retain=…)
Keep = Callable[[dict[str, Any]], None]  # keep an alert's stored form in the store's record


class TodaysRecord(Protocol):
    """What the recorder's event log reads (adapters/tinydb_store.py), by UTC day."""

    def entries_between(self, first, last) -> list[LogEntry]: ...  # type: ignore[no-untyped-def]

    def feedback_between(self, first, last) -> list[Feedback]: ...  # type: ignore[no-untyped-def]

    def records_between(self, kind, first, last) -> list[dict[str, Any]]: ...  # type: ignore[no-untyped-def]


class LiveService:
    def __init__(
        self, *, store_id: str, today: Today, publish: Publish, clock: Clock, keep: Keep | None = None
    ) -> None:
        self.store_id = store_id
        self.today = today
        self.publish = publish
        self.clock = clock
        self.keep = keep  # into the store's record: each rule alert sent
        self.sent: LiveFigures | None = None  # the figures last published
        self.alerts_sent = 0

    @classmethod
    def for_config(cls, config: StoreConfig, publish: Publish, clock: Clock, keep: Keep | None = None) -> LiveService:
        a = config.alerts
        rules = AlertRules(a.unhappy_minutes, a.unhappy_share, a.unhappy_min_responses, a.service_level_minutes,
                           a.service_level_percent)  # fmt: skip
        return cls(store_id=config.store.id, today=Today(config.tz, config.reports.targets(), rules),
                   publish=publish, clock=clock, keep=keep)  # fmt: skip

    def rebuild(self, record: TodaysRecord) -> int:
        """Read the record's today; how many records were read. The store-local
        day spans parts of up to three UTC days (the record's files are by UTC
        hour): those are read whole, and only what is of today counts, which the
        log says. A record that cannot be read is logged and the figures start
        from what comes next."""
        now = self.clock.now()
        self.today.roll(now)
        local_day = now.astimezone(self.today.tz).date()
        first, last = local_day - timedelta(days=1), local_day + timedelta(days=1)
        try:
            entries, feedback = record.entries_between(first, last), record.feedback_between(first, last)
            alerts = record.records_between(ALERTS, first, last)
        except StoreError as exc:
            log.error("today's figures start from nothing: the record's today cannot be read: %s", exc)
            return 0
        for entry in entries:
            self.today.add_entry(entry)
        for given in feedback:
            self.today.add_feedback(given)
        self.today.remember(self._rule_alerts(alerts), now)
        self.update(force=True)
        figures = self.sent
        assert figures is not None  # update(force=True) published them
        read = len(entries) + len(feedback)
        log.info("today's figures of %s (store time): %d request(s) and %d feedback of that day, from the %d "
                 "record(s) of the UTC days %s to %s read", figures.day, figures.requests, figures.responses, read,
                 first, last)  # fmt: skip
        return read

    @staticmethod
    def _rule_alerts(stored: list[dict[str, Any]]) -> list[RuleAlert]:
        found = []
        for record in stored:
            if record.get("kind") != "rule":
                continue  # the kiosks' alerts: escalations, printers, unhappy shoppers
            try:
                found.append(rule_alert_of_record(record))
            except wire.WireError as exc:
                log.warning("a rule alert in the record is not one, left out: %s (%.200r)", exc, record)
        return found

    def on_record(self, record: object) -> None:
        """The recorder's listener: a new record is on disk."""
        if isinstance(record, LogEntry):
            self.today.add_entry(record)
        elif isinstance(record, Feedback):
            self.today.add_feedback(record)
        else:
            return  # searches and alerts are not in today's figures
        self.update()

    def tick(self) -> None:
        self.update()

    def update(self, force: bool = False) -> None:
        now = self.clock.now()
        figures = self.today.figures(now)
        if force or self._worth_sending(figures, now):
            self.publish(wire.figures_topic(self.store_id), encode_figures(figures), retain=True)
            self.sent = figures
        for alert in self.today.alerts(now):
            log.warning("rule alert to the managers: %s %d of %d in the last %d min (%.3g, limit %.3g)",
                        alert.rule, alert.hits, alert.total, alert.minutes, alert.value, alert.threshold)  # fmt: skip
            self.publish(wire.rule_alert_topic(self.store_id), encode_rule_alert(alert), retain=False)
            if self.keep is not None:
                self.keep(rule_alert_record(alert))  # the record holds every alert of the store
            self.alerts_sent += 1

    def _worth_sending(self, figures: LiveFigures, now: datetime) -> bool:
        sent = self.sent
        if sent is None or (now - sent.at).total_seconds() >= REFRESH_SECONDS:
            return True
        # The longest wait grows every second by itself; the pagers see it move every minute.
        return replace(figures, at=sent.at, longest_wait=sent.longest_wait) != sent


def start_live(recorder, loop, config: StoreConfig) -> list[Callable[[], None]]:  # type: ignore[no-untyped-def]
    """Today's figures on the recorder's thread: read the record's today, then
    follow what the recorder stores; what stops it (store_server/main.py plug_in)."""
    live = LiveService.for_config(config, recorder.publish, recorder.clock, keep=recorder.keep_alert)
    live.rebuild(recorder.record.log)  # it logs what of today it read
    recorder.listeners.append(live.on_record)
    return [loop.every(TICK_SECONDS, live.tick)]
