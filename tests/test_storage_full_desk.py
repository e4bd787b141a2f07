"""What a kiosk does not keep, it does not do: with its real TinyDB log on a full tmpfs, an escalation that falls
due and a pager's claim are not written, so the desk is put back and nothing is published for them; once space
is back the escalation happens after all, and the log holds exactly what was done."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from adapters.tinydb_store import TinyDBEventLog
from core import wire
from core.desk import Desk
from core.model import Kind
from shell.kiosk_service import KioskService
from tests.fakes import Broker, Clock, Transport, ids, pager_service
from tests.test_storage_full import fill, small_disk  # noqa: F401  (the fixture)

DAY = date(2026, 11, 24)


def storage_alerts(broker: Broker) -> list[bool]:
    bodies = [json.loads(p) for t, p, _r in broker.published if t == wire.alert_topic("s1", "kiosk-1")]
    return [b["writable"] for b in bodies if b["kind"] == "storage"]


def escalations(broker: Broker) -> list[int]:
    bodies = [json.loads(p) for t, p, _r in broker.published if t == wire.alert_topic("s1", "kiosk-1")]
    return [b["level"] for b in bodies if b["kind"] == "escalation"]


def test_an_escalation_and_a_claim_that_cannot_be_written_are_not_done_and_the_escalation_comes_once_it_can(
    small_disk: Path,  # noqa: F811
) -> None:
    broker, clock = Broker(), Clock()
    data = small_disk / "kiosk"
    data.mkdir()
    with TinyDBEventLog(data) as log:
        kiosk = KioskService(
            desk=Desk("kiosk-1", ZoneInfo("Europe/Amsterdam")),
            store_id="s1",
            transport=Transport(broker),
            spool=None,
            event_log=log,
            clock=clock,
            new_id=ids("kiosk-1-r"),
        )
        broker.subscribe(kiosk.subscriptions(), kiosk.on_message)
        anna = pager_service(broker, clock, "Anna")
        request = kiosk.request_help(Kind.HELP, {"topic": "question"}).request

        filler = fill(small_disk)
        clock.advance(61)
        kiosk.tick()  # the first limit has passed: escalating it cannot be written
        assert kiosk.desk.request(request.id).escalation == 0  # type: ignore[union-attr]
        assert escalations(broker) == [] and storage_alerts(broker) == [False]
        anna.act("claim", request.ticket)
        assert kiosk.desk.request(request.id).claimed_by is None  # type: ignore[union-attr]
        kiosk.tick()
        assert escalations(broker) == [] and storage_alerts(broker) == [False], "one alert while it stays full"

        filler.unlink()
        kiosk.tick()
        assert storage_alerts(broker) == [False, True]
        assert escalations(broker) == [1]
        assert kiosk.desk.request(request.id).escalation == 1  # type: ignore[union-attr]
        actions = [e.event for e in log.entries_between(DAY, DAY)]
    assert actions == ["created", "escalated"], "the log holds what was done, and only that"
