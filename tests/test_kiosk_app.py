"""The touchscreen kiosk, driven through its real widgets by what a shopper reads.

A real Mosquitto, the console pager as a real process, real TinyDB files and a
pseudo-terminal pair as the printer.
"""

from __future__ import annotations

import shlex
from datetime import date, timedelta

import pytest

from adapters.tinydb_store import TinyDBEventLog
from core import wire
from core.events import CancelRequested
from printer.decode import decode
from tests.kiosk_fixture import new_store, running_kiosk
from tests.pager_fixture import console_pager
from tests.services import Publisher
from tests.ui import button, run_for, tap, type_into, visible_texts, wait_until


def shows(kiosk, text: str) -> bool:  # type: ignore[no-untyped-def]
    return text in visible_texts(kiosk.screen)


def test_ask_for_help_reaches_a_pager_and_the_ticket_shows_who_is_coming(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = new_store()
    pager = console_pager(broker, store, "Anna")
    try:
        with running_kiosk(broker, tmp_path / "kiosk", store=store) as kiosk:
            tap(button(kiosk.screen, "Ask for help"))
            wait_until(lambda: kiosk.on("help"), what="help screen")
            tap(button(kiosk.screen, "Product question"))
            type_into(kiosk.screen.ids.note, "Which paint for a bathroom?")
            tap(button(kiosk.screen, "Call a staff member"))
            wait_until(lambda: kiosk.on("ticket"), what="ticket screen")
            assert shows(kiosk, "H-001") and shows(kiosk, "You are next in line")

            # The kiosk handles broker messages on Kivy's loop: keep it turning
            # (wait_until steps frames) while waiting for the pager's lines.
            new = shlex.split(wait_until(lambda: pager.saw("new H-001"), what="the pager's new line"))  # type: ignore[arg-type]
            assert "topic=question" in new and "note=Which paint for a bathroom?" in new
            pager.send("claim H-001")
            wait_until(lambda: pager.saw("claimed H-001"), what="the pager's claim confirmed")
            wait_until(lambda: shows(kiosk, "Anna is on the way"), what="Anna on the ticket screen")

            pager.send("resolve H-001 showed the paint aisle")
            wait_until(lambda: pager.saw("closed H-001 resolved Anna"), what="the pager's resolve confirmed")
            wait_until(lambda: shows(kiosk, "Thank you for waiting"), what="resolved on the ticket screen")
            printed = wait_until(lambda: decode(kiosk.printer.data()), what="a printed ticket")
    finally:
        pager.close()

    assert len(printed) == 1 and printed[0].cut
    assert "H-001" in printed[0].large
    with TinyDBEventLog(tmp_path / "kiosk", readonly=True) as log:
        today = date.today()
        entries = log.entries_between(today - timedelta(days=1), today + timedelta(days=1))
    assert [e.event for e in entries] == ["created", "claimed", "resolved"]
    created, claimed, resolved = entries
    assert created.at <= claimed.at <= resolved.at
    assert claimed.staff == resolved.staff == "Anna"
    assert resolved.outcome == "showed the paint aisle"
    assert printed[0].qr == [created.request_id]


def test_a_doubled_tap_makes_one_request_not_two(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with running_kiosk(broker, tmp_path / "kiosk", printer=False) as kiosk:
        tap(button(kiosk.screen, "Find an item"))
        wait_until(lambda: kiosk.on("find"))
        type_into(kiosk.screen.ids.item, "blue paint")
        send = button(kiosk.screen, "Call a staff member")
        # Two input providers report the same finger: two presses, one frame.
        send.dispatch("on_release")
        send.dispatch("on_release")
        wait_until(lambda: kiosk.on("ticket"))
        assert [r.ticket for r in kiosk.app.service.desk.requests()] == ["F-001"]
        assert shows(kiosk, "F-001")
        assert shows(kiosk, "Your ticket could not be printed. Please remember your number.")


def test_an_empty_form_says_what_is_missing_and_takes_nothing(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with running_kiosk(broker, tmp_path / "kiosk", printer=False) as kiosk:
        tap(button(kiosk.screen, "Find an item"))
        wait_until(lambda: kiosk.on("find"))
        tap(button(kiosk.screen, "Call a staff member"))
        assert shows(kiosk, "Type what you are looking for, or scan it.")
        tap(button(kiosk.screen, "Back"))
        wait_until(lambda: kiosk.on("welcome"))
        tap(button(kiosk.screen, "Return an item"))
        wait_until(lambda: kiosk.on("return"))
        tap(button(kiosk.screen, "Get a returns ticket"))
        assert shows(kiosk, "Choose a reason for the return.")
        assert kiosk.app.service.desk.requests() == []


def test_a_return_with_a_receipt_gets_a_returns_ticket_and_can_be_cancelled(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with running_kiosk(broker, tmp_path / "kiosk") as kiosk:
        tap(button(kiosk.screen, "Return an item"))
        wait_until(lambda: kiosk.on("return"))
        type_into(kiosk.screen.ids.receipt, "R2026-1124-0042")
        tap(button(kiosk.screen, "Wrong size"))
        tap(button(kiosk.screen, "Get a returns ticket"))
        wait_until(lambda: kiosk.on("ticket"))
        assert shows(kiosk, "R-001") and shows(kiosk, "Return an item")
        request = kiosk.app.service.desk.requests()[0]
        assert request.details == {"receipt": "R2026-1124-0042", "reason": "Wrong size", "language": "en"}
        tap(button(kiosk.screen, "Cancel my request"))
        wait_until(lambda: kiosk.on("welcome"))
        assert kiosk.app.service.desk.request(request.id).status.value == "cancelled"  # type: ignore[union-attr]


def test_a_cancel_from_the_shoppers_phone_shows_on_the_ticket_screen_as_a_screen_cancel_does(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    link = "https://assist.store.example/t/{token}"
    phone = Publisher(broker)
    try:
        with running_kiosk(broker, tmp_path / "kiosk", printer_settings={"qr_url": link}) as kiosk:
            tap(button(kiosk.screen, "Ask for help"))
            wait_until(lambda: kiosk.on("help"))
            tap(button(kiosk.screen, "Product question"))
            tap(button(kiosk.screen, "Call a staff member"))
            wait_until(lambda: kiosk.on("ticket"))
            [printed] = wait_until(lambda: decode(kiosk.printer.data()), what="the printed ticket")  # type: ignore[misc]
            [request] = kiosk.app.service.desk.requests()
            assert printed.qr == [link.format(token=request.token)] and len(request.token) == 22
            action = wire.action_topic(kiosk.config.store.id, kiosk.config.device.id, request.id)
            phone.send(action, wire.encode_phone_cancel(CancelRequested(request.id, "x" * 22), "p1"))
            phone.send(action, wire.encode_phone_cancel(CancelRequested(request.id, request.token), "p2"))
            wait_until(lambda: shows(kiosk, "Request cancelled"), what="the phone's cancel on the screen")
            assert shows(kiosk, "Tap below if you need anything else.") and kiosk.on("ticket")
            assert kiosk.app.service.rejected["cancel of " + request.id + " from a phone without its token"] == 1
    finally:
        phone.close()
    with TinyDBEventLog(tmp_path / "kiosk", readonly=True) as log:
        today = date.today()
        entries = log.entries_between(today - timedelta(days=1), today + timedelta(days=1))
    assert [e.event for e in entries] == ["created", "cancelled"]


def test_a_happy_face_asks_what_went_well_and_is_kept_with_the_reasons_chosen(broker, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("kiosk.app.THANKS_SECONDS", 0.2)
    with running_kiosk(broker, tmp_path / "kiosk", printer=False) as kiosk:
        tap(button(kiosk.screen, "Leaving? Tell us how we did"))
        wait_until(lambda: kiosk.on("feedback"))
        face = button(kiosk.screen, "Very happy")
        face.dispatch("on_release")
        face.dispatch("on_release")  # a doubled tap is one answer
        wait_until(lambda: kiosk.on("feedback_details"))
        assert shows(kiosk, "What went well?") and not shows(kiosk, "I waited too long")
        tap(button(kiosk.screen, "Friendly staff"))
        tap(button(kiosk.screen, "Quick help"))
        type_into(kiosk.screen.ids.comment, "Anna knew exactly which paint")
        tap(button(kiosk.screen, "Send"))
        wait_until(lambda: kiosk.on("thanks"))
        assert shows(kiosk, "Thank you!")
        wait_until(lambda: kiosk.on("welcome"), what="back to Welcome by itself")
        log = kiosk.app.service.event_log
        today = date.today()
        [given] = log.feedback_between(today - timedelta(days=1), today + timedelta(days=1))
        assert (given.rating, given.reasons, given.comment, given.contact) == (
            4,
            ("Quick help", "Friendly staff"),
            "Anna knew exactly which paint",
            "",
        )


def test_an_unhappy_shopper_who_leaves_contact_details_alerts_a_manager_at_once(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.services import pager

    with running_kiosk(broker, tmp_path / "kiosk", printer=False) as kiosk:
        store = kiosk.config.store.id
        alerts: list[object] = []
        with pager(broker, store, "Mia", role="manager") as (manager, _runner):
            manager.unhappy_listeners.append(alerts.append)
            tap(button(kiosk.screen, "Leaving? Tell us how we did"))
            wait_until(lambda: kiosk.on("feedback"))
            tap(button(kiosk.screen, "Very unhappy"))
            wait_until(lambda: kiosk.on("feedback_details"))
            assert shows(kiosk, "What could we do better?")
            tap(button(kiosk.screen, "I waited too long"))
            type_into(kiosk.screen.ids.contact, "call me maybe")
            tap(button(kiosk.screen, "Send"))
            assert shows(kiosk, "Enter a phone number or an e-mail address, or leave it empty.")
            assert kiosk.on("feedback_details"), "nothing is sent with bad contact details"
            kiosk.screen.ids.contact.text = ""
            type_into(kiosk.screen.ids.contact, "+31 6 1234 5678")
            tap(button(kiosk.screen, "Send"))
            wait_until(lambda: kiosk.on("thanks"))
            wait_until(lambda: alerts, what="the manager's alert")
        [feedback] = alerts
        assert (feedback.rating, feedback.reasons, feedback.contact) == (1, ("I waited too long",), "+31 6 1234 5678")  # type: ignore[attr-defined]


def test_an_idle_kiosk_asks_for_more_time_then_forgets_what_was_typed(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with running_kiosk(broker, tmp_path / "kiosk", printer=False, kiosk={"idle_warning": 0.3}) as kiosk:
        app = kiosk.app
        tap(button(kiosk.screen, "Find an item"))
        wait_until(lambda: kiosk.on("find"))
        field = kiosk.screen.ids.item
        type_into(field, "hammer")
        app._ask_more_time()  # the idle timer firing (its length is config, not behaviour)
        wait_until(lambda: app.prompt.parent is not None, what="the prompt")
        assert "Need more time?" in visible_texts(app.prompt)
        tap(button(app.prompt, "Yes, I need more time"))
        wait_until(lambda: app.prompt.parent is None, what="prompt closed")
        run_for(0.6)  # twice the warning: nothing may happen now
        assert kiosk.on("find") and field.text == "hammer"

        app._ask_more_time()
        wait_until(lambda: kiosk.on("welcome"), what="back to Welcome without an answer")
        assert field.text == "" and app.prompt.parent is None
        assert app.service.desk.requests() == []


@pytest.mark.parametrize("hour, words", [(8, "Good morning!"), (14, "Good afternoon!"), (21, "Good evening!")])
def test_the_greeting_follows_the_time_of_day(hour: int, words: str) -> None:
    from kiosk.wording import greeting

    assert greeting(hour) == words


def test_the_finder_shows_where_an_item_is_and_take_me_there_calls_staff_with_it(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with running_kiosk(broker, tmp_path / "kiosk", printer=False) as kiosk:
        tap(button(kiosk.screen, "Find an item"))
        wait_until(lambda: kiosk.on("find"))
        type_into(kiosk.screen.ids.item, "blu pant")
        assert shows(kiosk, "Wall paint blue matt 2.5 l") and shows(kiosk, "Aisle 7 · Shelf A · 9 in stock")
        take = button(kiosk.screen, "Take me there")
        take.dispatch("on_release")
        take.dispatch("on_release")  # a doubled tap is one request
        wait_until(lambda: kiosk.on("ticket"))
        [request] = kiosk.app.service.desk.requests()
        assert request.details == {
            "item": "Wall paint blue matt 2.5 l",
            "sku": "PNT-1002",
            "aisle": "7",
            "shelf": "A",
            "language": "en",
        }


def test_the_finders_results_follow_the_shoppers_language(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with running_kiosk(broker, tmp_path / "kiosk", printer=False) as kiosk:
        tap(button(kiosk.screen, "简体中文"))
        tap(button(kiosk.screen, "查找商品"))
        wait_until(lambda: kiosk.on("find"))
        type_into(kiosk.screen.ids.item, "电钻")
        assert shows(kiosk, "充电式电钻 18伏") and shows(kiosk, "第 3 通道 · B 货架 · 库存 4 件")
        type_into(kiosk.screen.ids.item, "x")  # 电钻x: nothing matches every word
        assert not shows(kiosk, "充电式电钻 18伏")


def test_what_the_link_says_as_the_kiosk_stops_reaches_no_screen(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The broker link says "down" on its own thread as it closes; handed to
    Kivy's loop, it would arrive after the kiosk stopped, re-evaluating the
    kiosk's .kv rules under whatever App runs next (the pager, in a test run)."""
    with running_kiosk(broker, tmp_path / "kiosk", printer=False) as kiosk:
        app = kiosk.app
        wait_until(lambda: app.root_widget.connection == "", what="the link up on screen")
    run_for(0.5)
    assert app.root_widget.connection == "", "nothing changes on a stopped kiosk's screens"


def test_when_its_storage_cannot_be_written_the_kiosk_sends_the_shopper_to_the_service_desk_and_keeps_nothing(
    broker, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from kiosk.wording import STORAGE_FULL

    data = tmp_path / "kiosk"
    with running_kiosk(broker, data, printer=False) as kiosk:
        (data / "requests").mkdir(parents=True, exist_ok=True)
        (data / "requests").rename(data / "requests-aside")
        (data / "requests").write_text("in the way")  # a file where the folder was: root cannot write there either
        tap(button(kiosk.screen, "Ask for help"))
        wait_until(lambda: kiosk.on("help"), what="help screen")
        tap(button(kiosk.screen, "Product question"))
        tap(button(kiosk.screen, "Call a staff member"))
        wait_until(lambda: kiosk.on("ticket"), what="ticket screen")
        assert shows(kiosk, STORAGE_FULL) and not shows(kiosk, "H-001")
        assert kiosk.app.service.desk.requests() == [], "nothing taken"
