"""The shopper's ticket page and the entrance board in Debian's Chromium at phone size, over HTTPS
with the store CA: the web service as a process (killed and started again mid-way), a real
Mosquitto, a headless kiosk and a console pager.

One store for the module; each test makes its own requests and ends them.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web_browser import Phone, Store, line, missing, store
from tests.web_process import web_service

pytestmark = pytest.mark.skipif(missing() is not None, reason=missing() or "")

SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
PAGE_LIMIT = 50 * 1024  # a ticket page over the wire, all in (the target)
HELP_LIMITS = (2, 4, 6)  # a help request nobody takes: everyone again, the managers, then the service desk


@pytest.fixture(scope="module")
def shop(broker, tmp_path_factory) -> Iterator[Store]:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("web-phone")
    with store(broker, folder, [("Anna", "floor", "1234")], help_limits=HELP_LIMITS) as running:
        yield running


@pytest.fixture(scope="module")
def anna(shop: Store) -> Iterator[Phone]:
    with shop.phone() as phone:
        shop.sign_in(phone, "Anna")
        yield phone


@pytest.fixture(scope="module")
def shopper(shop: Store) -> Iterator[Phone]:
    with shop.phone() as phone:
        yield phone


def card(ticket: str) -> str:
    return f'.request[data-ticket="{ticket}"]'


def status_of_page(phone: Phone) -> int:
    return int(phone.js("return performance.getEntriesByType('navigation')[0].responseStatus"))


def test_the_shoppers_phone_follows_the_ticket_in_their_language_and_rates_the_help_once(
    shop: Store, anna: Phone, shopper: Phone
) -> None:
    shop.kiosk.send("language nl")
    shop.kiosk.expect("language nl")
    ticket, request_id = shop.ask("find blue paint")
    shop.kiosk.send("language en")
    url = shop.ticket_url(request_id)
    assert url in line(shop.kiosk, f"ticket {ticket}")  # the printed QR's link
    shopper.open(url)
    assert shopper.until_text("#ticket", ticket) == ticket
    assert shopper.text("#headline") == "U bent de volgende"
    assert shopper.text("#wait").startswith("Verwachte wachttijd:")
    assert shopper.js("return document.documentElement.lang") == "nl"
    shopper.until(lambda: shopper.js("return document.readyState") == "complete", "the page loaded")
    loaded = shopper.js(
        """return [performance.getEntriesByType('navigation')[0].transferSize,
                   ...performance.getEntriesByType('resource').map(r => [new URL(r.name).pathname, r.transferSize])];"""
    )
    path = "/t/" + url.rsplit("/", 1)[1]
    assert {name for name, _size in loaded[1:]} <= {"/staff/icon-192.png", f"{path}/state"}, "the page loads no more"
    over_the_wire = loaded[0] + sum(size for _name, size in loaded[1:])  # the live stream is not the page
    assert loaded[0] > 0 and over_the_wire <= PAGE_LIMIT, f"the ticket page took {over_the_wire} bytes over the wire"
    shopper.tap("#cancel")  # asked first, and "no" keeps the request
    assert shopper.until_text("#confirm-question", "annuleren")
    shopper.tap("#confirm-no")
    shopper.one("#cancel")

    anna.tap(f'{card(ticket)} [data-action="claim"]')
    shopper.until_text("#headline", "Anna komt eraan")
    shopper.screenshot(SCREENSHOTS / "web-ticket.png")
    anna.tap(f'{card(ticket)} [data-action="resolve"]')
    anna.tap('#sheet-choices [data-outcome="shown_item"]')
    shopper.one('#faces [data-rating="4"]')
    assert shopper.text("#rate-question") == "Hoe was de hulp?"
    assert [b.text for b in shopper.find("#faces button")] == [
        "Zeer ontevreden",
        "Ontevreden",
        "Tevreden",
        "Zeer tevreden",
    ]
    assert not [e for e in shopper.find("#cancel") if e.is_displayed()], "a request that ended cannot be cancelled"
    shopper.screenshot(SCREENSHOTS / "web-ticket-rate.png")
    shopper.tap('#faces [data-rating="4"]')
    shopper.one("#thanks")
    shopper.driver.refresh()  # rated once: the faces do not come back
    shopper.until_text("#headline", "Bedankt voor het wachten")
    assert not [e for e in shopper.find("#rate") if e.is_displayed()]


def test_a_shopper_cancels_from_the_phone_after_saying_yes(shop: Store, anna: Phone, shopper: Phone) -> None:
    ticket, request_id = shop.ask("find nails")
    anna.one(card(ticket))
    shopper.open(shop.ticket_url(request_id))
    shopper.until_text("#ticket", ticket)
    shopper.tap("#cancel")
    shopper.tap("#confirm-yes")
    assert line(shop.kiosk, f"status {ticket} cancelled") == f"status {ticket} cancelled"
    shopper.until_text("#headline", "Request cancelled")
    assert not [e for e in shopper.find("#cancel, #confirm") if e.is_displayed()]
    anna.until(lambda: not anna.find(card(ticket)), "the cancelled request gone from the staff page")


def test_the_phone_says_when_nobody_came_yet_and_then_sends_the_shopper_to_the_service_desk(
    shop: Store, shopper: Phone
) -> None:
    ticket, request_id = shop.ask("help other Where are the toilets?")
    shopper.open(shop.ticket_url(request_id))
    shopper.until_text("#ticket", ticket)
    assert "Where are the toilets" not in shopper.body_html()  # nothing the shopper typed
    shopper.until(lambda: shopper.js("return document.getElementById('page').className") == "still_looking",
                  "the first escalation", timeout=HELP_LIMITS[0] + 10)  # fmt: skip
    assert shopper.text("#detail").startswith("We are still looking for someone to help you")
    assert shopper.until_text("#headline", "Please go to the service desk", timeout=HELP_LIMITS[2] + 10)
    assert shopper.js("return document.getElementById('page').className") == "service_desk"
    assert shopper.text("#detail").startswith("We are sorry nobody could come to you")
    shop.kiosk.send(f"cancel {ticket}")
    line(shop.kiosk, f"status {ticket} cancelled")


def test_a_phone_page_and_a_staff_page_catch_up_after_the_web_service_was_killed(
    shop: Store, anna: Phone, shopper: Phone
) -> None:
    ticket, request_id = shop.ask("find screws")
    shopper.open(shop.ticket_url(request_id))
    shopper.until_text("#ticket", ticket)
    anna.one(card(ticket))
    shopper.js("window.samePage = true")  # gone if the page were loaded again
    anna.js("window.samePage = true")
    shop.web.kill()
    assert shopper.until_text("#offline", "No connection. Your paper ticket still counts.")
    anna.one("#reconnecting")
    shop.pager.send(f"claim {ticket}")  # meanwhile, from the console pager
    assert line(shop.kiosk, f"status {ticket} claimed") == f"status {ticket} claimed Dan"
    shop.web.start()
    shopper.until_text("#headline", "Dan is on the way", timeout=30)
    anna.until_text(f"{card(ticket)} .holder", "Dan is on it", timeout=30)
    anna.until(lambda: not anna.find("#reconnecting:not([hidden])"), "the staff page connected again")
    shopper.until(lambda: not shopper.find("#offline:not([hidden])"), "the ticket page connected again")
    assert shopper.js("return window.samePage") is True and anna.js("return window.samePage") is True
    shop.pager.send(f"resolve {ticket} shown_item")
    line(shop.kiosk, f"status {ticket} resolved")


def test_an_unknown_token_and_one_past_its_grace_are_a_plain_404(
    shop: Store, anna: Phone, shopper: Phone, tmp_path: Path
) -> None:
    shopper.open(f"{shop.web.url}/t/{secrets.token_urlsafe(16)}")
    assert status_of_page(shopper) == 404 and shopper.text("body") == "Not found"
    ticket, request_id = shop.ask("find glue")
    anna.tap(f'{card(ticket)} [data-action="claim"]')
    anna.tap(f'{card(ticket)} [data-action="resolve"]')
    anna.tap('#sheet-choices [data-outcome="out_of_stock"]')
    line(shop.kiosk, f"status {ticket} resolved")
    token = shop.tokens.of(request_id)
    # A second web service of the same store that lets a ticket page open no time after its end.
    with web_service(tmp_path, broker_url=shop.broker.url, store=shop.id, device="web-nograce",
                     token_grace_minutes=0) as strict:  # fmt: skip
        shopper.open(f"{strict.url}/t/{token}")
        assert status_of_page(shopper) == 404 and shopper.text("body") == "Not found"
    shopper.open(f"{shop.web.url}/t/{token}")  # within the store's grace: how it ended, and the faces
    shopper.until_text("#headline", "Thank you for waiting")
    assert status_of_page(shopper) == 200


def test_the_entrance_board_shows_who_is_being_helped_how_many_wait_and_turns_its_languages(
    shop: Store, anna: Phone
) -> None:
    helped, _ = shop.ask("find hinges")
    waiting, _ = shop.ask("return - Wrong size")
    anna.tap(f'{card(helped)} [data-action="claim"]')
    line(shop.kiosk, f"status {helped} claimed Anna")
    with shop.phone() as door:
        door.open(f"{shop.web.url}/board")
        door.until_text("#helped", helped)
        assert waiting not in door.text("#helped")
        assert door.text("#waiting") == "Waiting: 1"
        assert door.text("#usual").startswith("Help usually arrives in about")
        assert "Anna" not in door.body_html() and "Dan" not in door.body_html()  # no names on the board
        door.screenshot(SCREENSHOTS / "web-board.png")
        assert door.script_errors() == []
        door.until(lambda: door.js("return document.body.dataset.language") == "nl", "Dutch next", timeout=12)
        assert door.text("#helped-label") and door.text("#helped-label") != "Being helped now"
    shop.kiosk.send(f"cancel {helped}")
    shop.kiosk.send(f"cancel {waiting}")
    line(shop.kiosk, f"status {waiting} cancelled")
