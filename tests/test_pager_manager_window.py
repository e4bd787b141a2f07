"""The manager's pager as a store starts it (`run_pager.py --role manager`),
in its own window on a virtual screen, showing today's figures and a rule
alert from the store server, checked on the picture; the README's picture of
it is saved on the way (docs/screenshots/pager-manager.png).
"""

from __future__ import annotations

import shutil
import threading
from datetime import UTC, datetime, timedelta

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from core import wire
from core.live import UNHAPPY, LiveFigures, RuleAlert
from core.live_wire import encode_figures, encode_rule_alert
from core.model import Kind, Request
from tests.kiosk_fixture import new_store
from tests.windows import AppWindow, Text
from tests.xvfb import ARTIFACTS, ROOT


def store_server(broker):  # type: ignore[no-untyped-def]
    """A connection as the store server's and the kiosks' publishing, QoS 1."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"publisher-{new_store()}")
    connected = threading.Event()
    client.on_connect = lambda *_a: connected.set()
    client.connect("127.0.0.1", broker.port)
    client.loop_start()
    assert connected.wait(10)
    return client


def test_the_managers_pager_shows_todays_figures_and_a_rule_alert(broker, screen, pictures) -> None:  # type: ignore[no-untyped-def]
    store = new_store()
    now = datetime.now(UTC).replace(microsecond=0)
    client = store_server(broker)
    try:
        for number, (kind, waited, details) in enumerate(
            [(Kind.HELP, 95, {"topic": "advice", "note": "Which primer for tiles?"}),
             (Kind.FIND, 40, {"item": "Cordless drill 18 V", "aisle": "7", "shelf": "B"})], start=1,
        ):  # fmt: skip
            asked = now - timedelta(seconds=waited)
            request = Request(f"r{number}", kind, f"{kind.prefix}-00{number}", "kiosk-1", asked, details=details,
                              entrance="North entrance")  # fmt: skip
            topic = wire.state_topic(store, request.kiosk, request.id)
            client.publish(topic, wire.encode_request(request), qos=1, retain=True).wait_for_publish(10)
        figures = LiveFigures(now.date(), now, 2, 95, 87.5, 21, 24, 72.2, 12, 3, 1, 27)
        client.publish(wire.figures_topic(store), encode_figures(figures), qos=1, retain=True).wait_for_publish(10)
        pager = AppWindow(
            screen, pictures, "run_pager.py", "--broker", broker.url, "--store", store, "--staff", "Mia",
            "--device", "pager-mia", "--role", "manager", size=(480, 800), at=(0, 0),
        )  # fmt: skip
        try:
            pager.wait_for(Text("Mia · manager", 20, bold=True))
            pager.wait_for(Text("Connected", 16))
            for title in ("Waiting now", "Service level", "Satisfaction", "Unclaimed"):
                pager.once(Text(title, 13))
            pager.once(Text("88 %", 26, bold=True))
            pager.once(Text("72/100", 26, bold=True))
            pager.once(Text("12 responses", 12))
            pager.once(Text("21 of 24 in time", 12))
            pager.once(Text("3", 26, bold=True))  # unclaimed
            pager.once(Text("1 abandoned", 12))
            alert = RuleAlert(UNHAPPY, now, 15, 5, 3, 0.6, 0.5)
            client.publish(wire.rule_alert_topic(store), encode_rule_alert(alert), qos=1).wait_for_publish(10)
            pager.wait_for(Text("Many unhappy shoppers: 3 of the last 5", 18, bold=True))
            pager.once(Text("H-001", 26, bold=True))
            shot = pager.save(ARTIFACTS / "windows" / "pager-manager.png")
            shutil.copyfile(shot, ROOT / "docs" / "screenshots" / "pager-manager.png")
        finally:
            assert pager.close() == 0, pager.log()[-3000:]
    finally:
        for topic in (wire.figures_topic(store), wire.state_topic(store, "kiosk-1", "r1"),
                      wire.state_topic(store, "kiosk-1", "r2")):  # fmt: skip
            client.publish(topic, b"", qos=1, retain=True).wait_for_publish(10)
        client.loop_stop()
        client.disconnect()
