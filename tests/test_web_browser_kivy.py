"""Two web pagers and the Kivy pager window race for the same request, and exactly one wins, all
agreeing: the staff web pager in two of Debian's Chromiums at phone size (HTTPS, the store CA),
`run_pager.py` in its own window on a virtual screen (tapped through X, read off its picture), the
web service, a headless kiosk and a console pager as processes, on a real Mosquitto.

Each racer is made ready first (the pages' Claim buttons found, the window's Claim button found on
its picture and the pointer over it); one barrier then lets the three taps go at once: two by
JavaScript, one by xdotool. Whoever wins, the kiosk names one holder, the first claim the broker
passed on is the winner's, the broker's retained state names the same one, and both pages, the
window and the console pager show it. The window answers a tap in its next frame, later than a
page's script, so a fair race seldom goes to it: in the last race the window taps first and the
pages' taps go the moment the broker has passed its claim on, while the kiosk is still deciding —
the window wins and everyone must say so. The window's picture after each race is kept in
tests/artifacts/windows/.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable

import pytest

from core import wire
from tests.services import retained
from tests.web_browser import Phone, Store, line, missing, store
from tests.web_process import Subscriber
from tests.windows import AppWindow, Text
from tests.xvfb import ARTIFACTS

pytestmark = pytest.mark.skipif(missing() is not None, reason=missing() or "")

STAFF = [("Anna", "floor", "1234"), ("Ben", "floor", "2345")]
KIVY = "Kai"  # signed in on the pager window
BUTTON = 20  # sp, bold: pager.kv's PagerButton
HOLDER = 17  # sp: pager.kv's line saying who has it
TICKET = 26  # sp, bold: pager.kv's ticket number
ITEMS = ("hammer", "wood glue", "sandpaper")  # one fair race each
WINDOW_FIRST = "masking tape"  # the last race, the window's tap a moment ahead
WAIT = 15.0


def card(ticket: str) -> str:
    return f'.request[data-ticket="{ticket}"]'


def holder_words(winner: str, me: str) -> str:
    """What a pager (web or Kivy) says of a request `winner` holds, to `me`."""
    return "You have it" if winner == me else f"{winner} is on it"


def only_claim(window: AppWindow, ticket: str) -> tuple[int, int]:
    """The middle of the window's one Claim button, once `ticket` is its only request waiting."""
    claim = Text("Claim", BUTTON, bold=True)
    deadline = time.monotonic() + WAIT
    while True:
        picture = window.shot()
        buttons = window.find(claim, picture)
        if window.find(Text(ticket, TICKET, bold=True), picture) and len(buttons) == 1:
            return buttons[0].centre
        if time.monotonic() > deadline:
            raise AssertionError(f"{ticket} with one Claim button not seen ({window.keep(picture)})")


def race(racers: dict[str, Callable[[], object]]) -> dict[str, tuple[float, float]]:
    """Every racer's tap, each on its own thread, let go by one barrier: when each began and ended."""
    barrier = threading.Barrier(len(racers), timeout=WAIT)
    times: dict[str, tuple[float, float]] = {}
    failed: list[BaseException] = []

    def go(name: str, tap: Callable[[], object]) -> None:
        try:
            barrier.wait()
            began = time.monotonic()
            tap()
            times[name] = (began, time.monotonic())
        except BaseException as exc:  # noqa: BLE001 — handed to the test's thread below
            failed.append(exc)

    threads = [threading.Thread(target=go, args=item, daemon=True) for item in racers.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert not failed, failed
    assert set(times) == set(racers), f"racers that never tapped: {set(racers) - set(times)}"
    return times


def test_two_web_pagers_and_the_kivy_pager_race_for_each_request_and_all_agree_on_one_holder(  # type: ignore[no-untyped-def]
    broker, screen, pictures, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")  # the window's sounds play into nothing
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with (
        store(broker, tmp_path, STAFF, help_limits=(600, 1200, 1800)) as shop,
        shop.phone() as anna,
        shop.phone() as ben,
    ):
        phones = {"Anna": anna, "Ben": ben}
        for name, phone in phones.items():
            shop.sign_in(phone, name)
        window = AppWindow(
            screen, pictures, "run_pager.py", "--broker", broker.url, "--store", shop.id, "--staff", KIVY,
            "--device", f"pager-{KIVY.lower()}", size=(480, 800), at=(0, 0),
        )  # fmt: skip
        try:
            window.wait_for(Text(f"{KIVY} · floor", 20, bold=True))
            window.wait_for(Text("Connected", 16))
            winners = [one_race(shop, phones, window, item) for item in ITEMS]
            assert one_race(shop, phones, window, WINDOW_FIRST, window_first=True) == KIVY
        finally:
            assert window.close() == 0, window.log()[-3000:]
    print(f"winners: {winners}")


def one_race(shop: Store, phones: dict[str, Phone], window: AppWindow, item: str, window_first: bool = False) -> str:
    """One request raced for by the two pages and the window; its winner, once all agree. `window_first`:
    the pages tap the moment the broker has passed the window's claim on."""
    ticket, request_id = shop.ask(f"find {item}")
    # A bare subscriber to all of the request's topics: its states and the actions asked of it, in the
    # order the broker passed them on (to the kiosk too).
    heard = Subscriber(shop.broker.port, wire.state_topic(shop.id, "kiosk-1", request_id).rsplit("/", 1)[0] + "/+")
    try:
        heard.wait(lambda m: m.get("status") == "open")  # subscribed: from here on every message is heard
        claim = f'{card(ticket)} [data-action="claim"]'
        for phone in phones.values():
            phone.one(claim)
        line(shop.pager, f"new {ticket}")
        x, y = only_claim(window, ticket)
        window.xdotool("mousemove", "--window", window.id, str(x), str(y))  # the finger over the button
        tap = f"document.querySelector('{claim}').click()"
        racers = {
            "Anna": lambda: phones["Anna"].js(tap), "Ben": lambda: phones["Ben"].js(tap),
            # down and up at once (xdotool's click waits between them by default)
            KIVY: lambda: window.xdotool("click", "--delay", "0", "1"),
        }  # fmt: skip
        if window_first:
            times = race({KIVY: racers.pop(KIVY)})
            heard.wait(lambda m: m.get("action") == "claim")
        times = {**(times if window_first else {}), **race(racers)}
        began = [start for start, _ in times.values()]
        spread = {name: f"{(start - min(began)) * 1000:.1f}+{(end - start) * 1000:.1f} ms"
                  for name, (start, end) in times.items()}  # fmt: skip
        winner = line(shop.kiosk, f"status {ticket} claimed").split(" ", 3)[3]
        assert winner in (*phones, KIVY), winner
        for name, phone in phones.items():
            phone.until_text(f"{card(ticket)} .holder", holder_words(winner, name))
            assert not phone.find(claim), f"{name}'s page still offers the claim"
            assert phone.script_errors() == []
        # The broker's retained state (the pages have it, so the broker holds it), as a fresh bare subscriber reads it.
        [(_topic, payload)] = retained(shop.broker, wire.state_topic(shop.id, "kiosk-1", request_id), 1)
        assert json.loads(payload)["claimed_by"] == winner
        window.wait_for(Text(holder_words(winner, KIVY), HOLDER))
        picture = window.shot()
        assert not window.find(Text("Claim", BUTTON, bold=True), picture), "the window still offers the claim"
        window.once(Text(holder_words(winner, KIVY), HOLDER), picture)
        window.save(ARTIFACTS / "windows" / f"pager-race-{ticket}.png")
        assert line(shop.pager, f"changed {ticket}") == f"changed {ticket} claimed {winner}"
        shop.kiosk.send(f"cancel {ticket}")
        line(shop.kiosk, f"status {ticket} cancelled")
        # From the request's first state to its last nobody but the winner ever held it: once
        # cancelled it can no longer be claimed, so exactly one claim won.
        claims = [seen for seen in shop.kiosk.seen if seen.startswith(f"status {ticket} claimed")]
        assert claims == [f"status {ticket} claimed {winner}"], "exactly one claim won"
        heard.wait(lambda m: m.get("status") == "cancelled")
        holders = {m["claimed_by"] for m in heard.got if m.get("status") == "claimed"}
        assert holders == {winner}, holders
        claims = [m["staff"] for m in heard.got if m.get("action") == "claim"]
        assert claims[0] == winner, f"the first claim the broker passed on wins: {claims}"
        refused = [seen for seen in shop.kiosk.stderr if f"{ticket} already claimed by" in seen]
        assert all(f"already claimed by {winner}" in seen for seen in refused), refused
        print(f"{ticket}: {winner} won; taps began+took {spread}; claims sent {claims}, {len(refused)} refused")
        for phone in phones.values():
            phone.until(lambda p=phone: not p.find(card(ticket)), f"{ticket} gone from the page")
        return winner
    finally:
        heard.close()
