"""Today's figures and the rule alerts, published for the managers' pagers.

Touches the recorder's publish (its own broker connection, QoS 1) and the
clock; at start it reads the record's today through the recorder's event log.
It runs on the recorder's thread: the recorder calls `on_record` with every
new record once it is on disk, and the loop calls `tick` every few seconds.

The figures (core/live.py) go to the retained figures topic, so a pager that
signs in later sees them at once: when they change, and at least every
`REFRESH_SECONDS` even when they do not, so that the longest wait moves on the
pagers. Each rule alert goes once to the managers' alerts topic (not
retained: an alert is news, and a manager who signs in later reads the figures).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Protocol

from core import wire
from core.live import AlertRules, LiveFigures, Today
from core.live_wire import encode_figures, encode_rule_alert
from core.model import Feedback, LogEntry
from shell.ports import Clock, StoreError
from shell.store_config import StoreConfig

log = logging.getLogger(__name__)

REFRESH_SECONDS = 60  # the figures go out at least this often: the longest wait moves
TICK_SECONDS = 5.0  # how often the loop asks: a rule on a time window can break without a new record

Publish = Callable[..., None]  # publish(topic, payload, retain=…)


class TodaysRecord(Protocol):
    """What the recorder's event log reads (adapters/tinydb_store.py), by UTC day."""

    def entries_between(self, first, last) -> list[LogEntry]: ...  # type: ignore[no-untyped-def]

    def feedback_between(self, first, last) -> list[Feedback]: ...  # type: ignore[no-untyped-def]


class LiveService:
    def __init__(self, *, store_id: str, today: Today, publish: Publish, clock: Clock) -> None:
        self.store_id = store_id
        self.today = today
        self.publish = publish
        self.clock = clock
        self.sent: LiveFigures | None = None  # the figures last published
        self.alerts_sent = 0

    @classmethod
    def for_config(cls, config: StoreConfig, publish: Publish, clock: Clock) -> LiveService:
        a = config.alerts
        rules = AlertRules(a.unhappy_minutes, a.unhappy_share, a.unhappy_min_responses, a.service_level_minutes,
                           a.service_level_percent)  # fmt: skip
        return cls(store_id=config.store.id, today=Today(config.tz, config.reports.targets(), rules),
                   publish=publish, clock=clock)  # fmt: skip

    def rebuild(self, record: TodaysRecord) -> int:
        """Read the record's today (the UTC days it spans); how many records. A record
        that cannot be read is logged and the figures start from what comes next."""
        now = self.clock.now()
        self.today.roll(now)
        local_day = now.astimezone(self.today.tz).date()
        first, last = local_day - timedelta(days=1), local_day + timedelta(days=1)
        try:
            entries, feedback = record.entries_between(first, last), record.feedback_between(first, last)
        except StoreError as exc:
            log.error("today's figures start from nothing: the record's today cannot be read: %s", exc)
            return 0
        for entry in entries:
            self.today.add_entry(entry)
        for given in feedback:
            self.today.add_feedback(given)
        self.update(force=True)
        return len(entries) + len(feedback)

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
    live = LiveService.for_config(config, recorder.publish, recorder.clock)
    count = live.rebuild(recorder.record.log)
    log.info("today's figures: %d record(s) of today read", count)
    recorder.listeners.append(live.on_record)
    return [loop.every(TICK_SECONDS, live.tick)]
