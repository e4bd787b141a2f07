"""The staff web pager in Debian's Chromium at phone size, over HTTPS with the store CA trusted for
real: the web service as a process, a real Mosquitto, a headless kiosk and a console pager.

One store for the module (starting it costs seconds); each test makes its own requests and the
board is left empty for the next (cancelled at the kiosk).
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.web_browser import Phone, Store, line, missing, store

pytestmark = pytest.mark.skipif(missing() is not None, reason=missing() or "")

SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
STAFF = [("Anna", "floor", "1234"), ("Ben", "floor", "2345"), ("Mia", "manager", "3456")]
HELP_LIMITS = (3, 60, 600)  # a help request calls everyone again after 3 s: the louder sound


@pytest.fixture(scope="module")
def shop(broker, tmp_path_factory) -> Iterator[Store]:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("web-staff")
    with store(broker, folder, STAFF, help_limits=HELP_LIMITS, printer=True, recorder=True) as running:
        yield running


@pytest.fixture(scope="module")
def anna(shop: Store) -> Iterator[Phone]:
    with shop.phone() as phone:
        yield phone


@pytest.fixture(scope="module")
def ben(shop: Store) -> Iterator[Phone]:
    with shop.phone() as phone:
        shop.sign_in(phone, "Ben")
        yield phone


def card(ticket: str) -> str:
    return f'.request[data-ticket="{ticket}"]'


def holder_on(phone: Phone, ticket: str) -> str:
    return phone.text(f"{card(ticket)} .holder")


def heard(phone: Phone, name: str, ticket: str) -> bool:
    return any(s["name"] == name and s["ticket"] == ticket for s in phone.js("return window.storeAssistSounds"))


def cancel_all(shop: Store, *tickets: str) -> None:
    for ticket in tickets:
        shop.kiosk.send(f"cancel {ticket}")
        line(shop.kiosk, f"status {ticket} cancelled")


def test_a_web_pager_signs_in_hears_a_new_request_and_its_claim_reaches_kiosk_pager_and_shoppers_phone(
    shop: Store, anna: Phone
) -> None:
    anna.open(f"{shop.web.url}/staff")
    anna.type("#name", "Anna")
    anna.type("#pin", "9999")
    anna.tap("#signin-button")
    assert anna.until_text("#signin-error", "wrong name or PIN") == "wrong name or PIN"  # the server's words
    anna.type("#pin", "1234")
    anna.tap("#signin-button")
    anna.one("#duty-view")
    assert "Anna" in anna.text("#me")
    anna.tap("#sound-banner")  # the first tap unlocks sound
    anna.until_text("#sound-banner", "Sound is on")
    anna.js("window.vibrated = []; navigator.vibrate = (pattern) => { window.vibrated.push(pattern); return true; }")

    ticket, request_id = shop.ask("find blue paint")
    anna.one(card(ticket))
    anna.until(lambda: heard(anna, "new", ticket), "the new request's sound")
    assert anna.js("return window.vibrated") == [[200, 100, 200]]  # core/sounds.py: the new request's pattern
    assert "Find an item · North entrance" in anna.text(f"{card(ticket)} .kind")
    assert "blue paint" in anna.text(f"{card(ticket)} .details")
    line(shop.pager, f"new {ticket}")

    with shop.phone() as shopper:
        shopper.open(shop.ticket_url(request_id))
        shopper.until_text("#ticket", ticket)
        assert "next in line" in shopper.text("#headline")
        anna.tap(f'{card(ticket)} [data-action="claim"]')
        assert line(shop.kiosk, f"status {ticket} claimed") == f"status {ticket} claimed Anna"
        assert line(shop.pager, f"changed {ticket}") == f"changed {ticket} claimed Anna"
        shopper.until_text("#headline", "Anna is on the way")
        anna.until_text(f"{card(ticket)} .holder", "You have it")
        assert [e.get_attribute("data-action") for e in anna.find(f"{card(ticket)} [data-action]")] == [
            "resolve", "hand_over", "release",
        ]  # fmt: skip
        assert shopper.script_errors() == []
    assert anna.script_errors() == []
    cancel_all(shop, ticket)
    anna.until(lambda: not anna.find(card(ticket)), "the cancelled request gone from the board")


def test_two_web_pagers_and_a_console_pager_race_for_one_request_and_all_show_one_holder(
    shop: Store, anna: Phone, ben: Phone
) -> None:
    ticket, _ = shop.ask("find hammer")
    for phone in (anna, ben):
        phone.one(f'{card(ticket)} [data-action="claim"]')
    line(shop.pager, f"new {ticket}")
    tap = f"document.querySelector('{card(ticket)} [data-action=\"claim\"]').click()"
    shop.pager.send(f"claim {ticket}")
    anna.js(tap)
    ben.js(tap)
    winner = line(shop.kiosk, f"status {ticket} claimed").split(" ", 3)[3]
    assert winner in ("Anna", "Ben", "Dan")
    for phone, name in ((anna, "Anna"), (ben, "Ben")):
        wanted = "You have it" if winner == name else f"{winner} is on it"
        phone.until_text(f"{card(ticket)} .holder", wanted)
        assert len(phone.find(f'{card(ticket)} [data-action="claim"]')) == 0
    shop.pager.send("list")
    listed = shlex.split(line(shop.pager, f"request {ticket}"))  # request F-002 find claimed 3s Dan …
    assert listed[3] == "claimed" and listed[5] == winner
    claims = [seen for seen in shop.kiosk.seen if seen.startswith(f"status {ticket} claimed")]
    assert claims == [f"status {ticket} claimed {winner}"], "exactly one claim won"
    cancel_all(shop, ticket)


def test_a_claimed_request_is_handed_over_to_a_colleague_on_shift(shop: Store, anna: Phone, ben: Phone) -> None:
    ticket, _ = shop.ask("find wood glue")
    anna.tap(f'{card(ticket)} [data-action="claim"]')
    anna.until_text(f"{card(ticket)} .holder", "You have it")
    anna.tap(f'{card(ticket)} [data-action="hand_over"]')
    assert anna.until_text("#sheet-title", f"Hand {ticket} over to") == f"Hand {ticket} over to"
    assert {"Ben", "Dan"} <= {e.text for e in anna.find("#sheet-choices .choice")}  # who is on shift, not Anna
    assert "Anna" not in {e.text for e in anna.find("#sheet-choices .choice")}
    anna.tap('#sheet-choices [data-to="Ben"]')
    assert line(shop.kiosk, f"status {ticket} claimed Ben") == f"status {ticket} claimed Ben"
    assert line(shop.pager, f"handed {ticket}") == f"handed {ticket} from=Anna to=Ben"
    anna.until_text(f"{card(ticket)} .holder", "Ben is on it")
    ben.until_text(f"{card(ticket)} .holder", "You have it")
    assert ben.one(f'{card(ticket)} [data-action="resolve"]')
    cancel_all(shop, ticket)


def test_a_kiosk_printer_out_of_paper_shows_on_the_staff_page_until_it_prints_again(shop: Store, anna: Phone) -> None:
    assert shop.printer is not None
    shop.printer.send("paper out")
    first, _ = shop.ask("find sandpaper")  # the kiosk finds out at the next ticket
    assert anna.until_text("#printers", "Printer kiosk-1: out of paper")
    shop.printer.send("paper ok")
    second, _ = shop.ask("find brushes")
    anna.until(lambda: not anna.find("#printers:not([hidden])"), "the printer banner gone")
    cancel_all(shop, first, second)


def test_hostile_text_in_a_shoppers_note_shows_as_text_and_never_runs(shop: Store, anna: Phone) -> None:
    note = '<img src=x onerror="window.pwned=1"> <script>window.pwned=2</script>'
    ticket, _ = shop.ask(f"help question {note}")
    assert anna.until_text(f"{card(ticket)} .details", note) == f"Product question: {note}"
    assert anna.js("return typeof window.pwned") == "undefined"
    assert not anna.find(f"{card(ticket)} img") and not anna.find(f"{card(ticket)} script")
    cancel_all(shop, ticket)


def test_an_escalation_sounds_louder_than_a_new_request_and_a_request_resolves_with_an_outcome(
    shop: Store, anna: Phone
) -> None:
    other, _ = shop.ask("find white primer")
    ticket, _ = shop.ask("help question Which primer for bathroom walls?")
    anna.until(lambda: heard(anna, "escalated", ticket), "the escalation's sound", timeout=HELP_LIMITS[0] + 15)
    anna.until_text(f"{card(ticket)} .escalation", "Still waiting")
    assert heard(anna, "new", ticket) and heard(anna, "new", other)
    sounds = json.loads(anna.js("return fetch('/api/staff/sounds').then(r => r.text())"))
    assert sounds["escalated"]["tones"] != sounds["new"]["tones"]
    assert max(t["gain"] for t in sounds["escalated"]["tones"]) > max(t["gain"] for t in sounds["new"]["tones"])
    # The board as the pager's screenshot shows it: two requests, one escalated.
    assert len(anna.find(".request")) == 2
    anna.one(f"{card(ticket)}.escalated")
    anna.screenshot(SCREENSHOTS / "web-staff.png")
    anna.tap(f'{card(other)} [data-action="claim"]')
    anna.tap(f'{card(other)} [data-action="resolve"]', timeout=15)
    choices = anna.find("#sheet-choices .choice")
    assert [c.text for c in choices] == [
        "Shown the item", "Out of stock", "Ordered for the shopper", "Shopper had gone", "Other",
    ]  # fmt: skip
    anna.screenshot(SCREENSHOTS / "web-staff-resolve.png")
    anna.tap('#sheet-choices [data-outcome="shown_item"]')
    assert line(shop.kiosk, f"status {other} resolved") == f"status {other} resolved Anna"
    line(shop.pager, f"closed {other} resolved Anna outcome=shown_item")
    cancel_all(shop, ticket)


def test_a_floor_session_never_sees_a_shoppers_contact_while_the_manager_does(shop: Store, anna: Phone) -> None:
    contact, comment = "+31 6 5555 0101", "Nobody came to the paint desk"
    with shop.phone() as mia:
        shop.sign_in(mia, "Mia")
        mia.one("#manager")
        # An unhappy shopper leaves a phone number at the kiosk: the kiosk itself alerts the managers.
        shop.kiosk.send(f"feedback contact='{contact}' 1 waited {comment}")
        assert shop.kiosk.expect("feedback").endswith("contact=kept thanks")
        assert contact in mia.until_text("#unhappy", contact)
        assert comment in mia.text("#unhappy") and "I waited too long" in mia.text("#unhappy")
        # Today's figures, as the store's recorder counted them: every request the tests above made.
        mia.until(lambda: requests_today(mia) >= 6, "today's figures with the requests made so far")
    state = anna.js("return fetch('/api/staff/state').then(r => r.text())")
    assert contact not in state and comment not in state
    assert json.loads(state)["unhappy"] == [] and json.loads(state)["figures"] is None
    assert contact not in anna.body_html() and comment not in anna.body_html()
    assert not anna.one("#duty-view").find_elements("css selector", "#manager:not([hidden])")


def test_duty_mode_keeps_the_screen_on_and_asks_again_and_resyncs_when_the_page_is_shown_again(anna: Phone) -> None:
    anna.js(
        """window.wakeCalls = []; window.stateAsked = 0;
        const request = navigator.wakeLock.request.bind(navigator.wakeLock);
        navigator.wakeLock.request = (type) => { window.wakeCalls.push(type); return request(type); };
        const fetched = window.fetch;
        window.fetch = (url, options) => {
          if (String(url).endsWith('/api/staff/state')) window.stateAsked += 1;
          return fetched(url, options);
        };"""
    )
    anna.tap(".duty")
    anna.until(lambda: anna.js("return window.wakeCalls") == ["screen"], "a screen wake lock asked for")
    anna.until_text("#duty-state", "The screen stays on")
    page = anna.driver.current_window_handle
    anna.driver.switch_to.new_window("tab")  # the page is hidden: the browser lets go of the wake lock
    anna.driver.close()
    anna.driver.switch_to.window(page)
    anna.until(lambda: anna.js("return window.wakeCalls.length") == 2, "the wake lock asked for again")
    anna.until(lambda: anna.js("return window.stateAsked") >= 1, "the staff state fetched again")
    anna.tap(".duty")
    assert anna.js("return localStorage.getItem('storeAssist.duty')") == "off"


def test_the_staff_page_is_an_installable_app_whose_worker_keeps_only_the_page_shell(shop: Store, anna: Phone) -> None:
    assert anna.js("return [location.protocol, window.isSecureContext]") == ["https:", True]  # the store CA, trusted
    worker = "return navigator.serviceWorker.getRegistration('/staff/').then(r => r && r.active && r.scope)"
    scope = anna.until(lambda: anna.js(worker), "the service worker active")
    assert scope == f"{shop.web.url}/staff/"
    manifest = json.loads(anna.js("return fetch('/staff/manifest.webmanifest').then(r => r.text())"))
    assert manifest["start_url"] == "/staff/" and manifest["display"] == "standalone"
    for icon in manifest["icons"]:
        asked = "return fetch(arguments[0]).then(r => [r.status, r.headers.get('content-type')])"
        fetched = anna.js(asked, icon["src"])
        assert fetched == [200, "image/png"]
    kept = (
        "return caches.keys().then(names => Promise.all(names.map(n => caches.open(n).then(c => c.keys()))))"
        ".then(lists => lists.flat().map(r => r.url))"
    )
    cached = anna.until(lambda: anna.js(kept), "the page shell cached")
    assert f"{shop.web.url}/staff/staff.js" in cached
    assert not [url for url in cached if "/api/" in url or "/t/" in url]
    anna.tap(".help summary")  # what a browser cannot do, said plainly
    assert "cannot be woken" in anna.text(".help") and "escalate" in anna.text(".help")


def test_the_staff_page_speaks_dutch_and_chinese_and_remembers_the_choice(shop: Store, anna: Phone) -> None:
    ticket, _ = shop.ask("find masking tape")
    claim = f'{card(ticket)} [data-action="claim"]'
    anna.one(claim)
    for language, words in (("nl", ("Oppakken", "Wachtend")), ("zh_Hans", ("接单", "等待中"))):
        Select(anna.one("#language")).select_by_value(language)
        anna.until_text(claim, words[0])
        assert words[1] in anna.text("h2")
    anna.driver.refresh()
    anna.until_text(claim, "接单")
    assert anna.js("return document.documentElement.lang") == "zh-Hans"
    Select(anna.one("#language")).select_by_value("en")
    anna.until_text(claim, "Claim")
    cancel_all(shop, ticket)


def requests_today(phone: Phone) -> int:
    for tile in phone.find("#figures .tile"):
        if tile.text.startswith("Requests today"):
            return int(tile.find_element(By.CSS_SELECTOR, ".value").text)
    return -1
