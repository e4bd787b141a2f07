"""What shoppers look for on the touchscreen's Find screen is kept for lost
demand: one search per time on the screen (not per keystroke), stored in the
kiosk's TinyDB files and published once, QoS 1, on the store's searches topic
of a real Mosquitto; the words and the finder's answer only, nothing about
the shopper."""

from __future__ import annotations

import json
from datetime import date, timedelta

from adapters.tinydb_store import TinyDBEventLog
from core import wire
from tests.kiosk_fixture import new_store, running_kiosk
from tests.search_listener import SearchListener
from tests.ui import button, run_for, tap, type_into, wait_until

SEARCH_FIELDS = {"v", "id", "kiosk", "at", "term", "results", "out_of_stock", "taken"}


def test_each_finished_search_is_stored_and_published_once_with_nothing_about_the_shopper(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = new_store()
    listener = SearchListener(broker, store)
    try:
        with running_kiosk(broker, tmp_path / "kiosk", store=store, printer=False) as kiosk:
            # 1: typed letter by letter, then Back.
            tap(button(kiosk.screen, "Nederlands"))
            tap(button(kiosk.screen, kiosk.app.tr("Find an item", "nl")))
            wait_until(lambda: kiosk.on("find"))
            for typed in ("b", "l", "u", " ", "p", "a", "n", "t"):
                type_into(kiosk.screen.ids.item, typed)
            tap(button(kiosk.screen, kiosk.app.tr("Back", "nl")))
            wait_until(lambda: kiosk.on("welcome"))
            # 2: nothing found, then *Call a staff member* with what was typed.
            tap(button(kiosk.screen, "Find an item"))
            wait_until(lambda: kiosk.on("find"))
            type_into(kiosk.screen.ids.item, "qwzx unicorn")
            tap(button(kiosk.screen, "Call a staff member"))
            wait_until(lambda: kiosk.on("ticket"))
            tap(button(kiosk.screen, "Done"))
            wait_until(lambda: kiosk.on("welcome"))
            # 3: *Take me there* on a result.
            tap(button(kiosk.screen, "Find an item"))
            wait_until(lambda: kiosk.on("find"))
            type_into(kiosk.screen.ids.item, "blu pant")
            tap(button(kiosk.screen.ids.results.children[-1], "Take me there"))
            wait_until(lambda: kiosk.on("ticket"))
            tap(button(kiosk.screen, "Done"))
            wait_until(lambda: kiosk.on("welcome"))
            # Not a search: in and out of Find without typing, and a field emptied before leaving.
            tap(button(kiosk.screen, "Find an item"))
            wait_until(lambda: kiosk.on("find"))
            type_into(kiosk.screen.ids.item, "ham")
            kiosk.screen.ids.item.text = ""
            tap(button(kiosk.screen, "Back"))
            wait_until(lambda: kiosk.on("welcome"))
            wait_until(lambda: len(listener.messages()) >= 3, what="three searches on the broker")
            run_for(0.5)  # no fourth comes
            published = listener.messages()
            kiosk_id = kiosk.config.device.id
    finally:
        listener.close()

    assert [topic for topic, _payload in published] == [wire.search_topic(store, kiosk_id)] * 3
    bodies = [json.loads(payload) for _topic, payload in published]
    assert all(set(body) == SEARCH_FIELDS for body in bodies), "nothing but the search: no language, visit or request"
    with TinyDBEventLog(tmp_path / "kiosk", readonly=True) as log:
        today = date.today()
        stored = log.searches_between(today - timedelta(days=1), today + timedelta(days=1))
    assert [wire.decode_search(payload) for _topic, payload in published] == stored
    assert [(s.term, s.results, s.taken) for s in stored] == [
        ("blu pant", 1, ""),
        ("qwzx unicorn", 0, ""),
        ("blu pant", 1, "PNT-1002 Wall paint blue matt 2.5 l"),
    ]
    assert len({s.id for s in stored}) == 3 and all(s.kiosk == kiosk_id for s in stored)


def test_items_shown_out_of_stock_are_named_in_the_search(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with running_kiosk(broker, tmp_path / "kiosk", printer=False, kiosk={"idle_warning": 0.3}) as kiosk:
        out = [i for i in kiosk.app.finder.items if i.stock == 0]
        assert out, "the demo catalog has an item out of stock"
        gone = out[0]
        tap(button(kiosk.screen, "Find an item"))
        wait_until(lambda: kiosk.on("find"))
        type_into(kiosk.screen.ids.item, gone.sku)
        kiosk.app._ask_more_time()  # the idle timer firing: the shopper walked away, nobody answers
        wait_until(lambda: kiosk.on("welcome"), what="back to Welcome without an answer")
        today = date.today()
        [search] = kiosk.app.service.event_log.searches_between(today - timedelta(days=1), today + timedelta(days=1))
    assert search.term == gone.sku and f"{gone.sku} {gone.names['en']}" in search.out_of_stock
