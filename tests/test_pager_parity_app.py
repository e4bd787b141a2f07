"""The pager window at the web pager's depth: resolve with an outcome, hand over,
who is on shift, the sounds; driven through its real widgets by what staff read.

A real Mosquitto; the headless kiosk and console pagers as real processes
(the colleagues on shift). The window runs in the test process (mock GL);
tests/test_pager_parity_window.py shows it on a real screen.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from adapters.tinydb_store import TinyDBEventLog
from core.model import Kind
from core.outcomes import OUTCOME_WORDS, outcomes_for
from tests.kiosk_fixture import new_store
from tests.pager_fixture import console_pager, headless_kiosk, running_pager
from tests.ui import button, step, tap, visible_texts, wait_until, window_size

QUICK_FIND = "[escalation]\nfind = [2, 100, 200]\n"  # a find request waits 2 s before everyone is called again


@pytest.fixture(autouse=True)
def tone_cache(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The window renders its tones into the user's cache: the test's own here."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture(autouse=True)
def pager_shaped() -> Iterator[None]:
    """The window at the pager's 480x800, as run_pager.py opens it."""
    with window_size((480, 800)):
        yield


def shows(app, text: str) -> bool:  # type: ignore[no-untyped-def]
    return any(text in t for t in visible_texts(app.board_screen))


def buttons(app) -> list[str]:  # type: ignore[no-untyped-def]
    from kivy.uix.button import Button

    from tests.ui import walk

    shown = [w for w in walk(app.board_screen) if isinstance(w, Button) and w.opacity > 0]
    # As a person reads them: top to bottom, left to right.
    at = {id(w): w.to_window(w.x, w.top) for w in shown}
    return [w.text for w in sorted(shown, key=lambda w: (-at[id(w)][1], at[id(w)][0]))]


def kiosk_log(data_dir) -> list[tuple[str, str | None, str | None]]:  # type: ignore[no-untyped-def]
    """(event, staff, outcome) of every step the kiosk logged today."""
    with TinyDBEventLog(data_dir, readonly=True) as log:
        entries = log.entries_since(datetime.now(UTC).date())
    return [(e.event, e.staff, e.outcome) for e in entries]


def press(app, words: str, then: str) -> None:  # type: ignore[no-untyped-def]
    """Tap the one button that says `words` once a frame has laid it out (a
    choice that just opened is placed on the next one), until the board shows
    `then`: a scrolling list hands a tap to its button a moment later, when it
    knows the finger did not scroll."""
    step(2)
    tap(button(app.board_screen, words))
    wait_until(lambda: shows(app, then), what=f"{then!r} after tapping {words!r}")


def claim(app, ticket: str) -> None:  # type: ignore[no-untyped-def]
    wait_until(lambda: shows(app, ticket), what=f"{ticket} on the board")
    press(app, "Claim", then="You have it")


def test_resolve_offers_the_outcomes_of_the_type_and_sends_the_one_chosen(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = new_store()
    kiosk = headless_kiosk(broker, store, tmp_path / "kiosk")
    bob = console_pager(broker, store, "Bob")
    try:
        with running_pager(broker, store, name="Anna") as app:
            wait_until(lambda: shows(app, "Connected"), what="connected")
            kiosk.send("find blue paint")
            claim(app, "F-001")
            press(app, "Resolve", then="Resolve F-001: how did it end?")
            words = [OUTCOME_WORDS[code]["en"] for code in outcomes_for(Kind.FIND)]
            assert buttons(app) == [*words, "Back"], "the find outcomes, in the core's order, then Back"
            press(app, "Back", then="You have it")
            assert "Back" not in buttons(app), "the list is back"
            assert kiosk.saw("status F-001 resolved") is None
            press(app, "Resolve", then="Resolve F-001: how did it end?")
            press(app, "Out of stock", then="Resolving F-001…")
            wait_until(lambda: kiosk.saw("status F-001 resolved Anna"), what="the kiosk saw the resolve")
            wait_until(lambda: bob.saw("closed F-001 resolved Anna outcome=out_of_stock"), what="Bob told the outcome")
    finally:
        bob.close()
        kiosk.close()
    assert ("resolved", "Anna", "out_of_stock") in kiosk_log(tmp_path / "kiosk")


def test_a_hand_over_goes_to_a_colleague_on_shift_and_comes_back_as_mine(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = new_store()
    kiosk = headless_kiosk(broker, store, tmp_path / "kiosk")
    ben = console_pager(broker, store, "Ben")
    try:
        with running_pager(broker, store, name="Anna") as app:
            wait_until(lambda: shows(app, "Ben · floor · pager"), what="Ben on shift")
            assert shows(app, "Anna (you) · floor · pager") and shows(app, "On shift: 2 online")
            kiosk.send("help question Where is the glue?")
            claim(app, "H-001")
            press(app, "Hand over", then="Hand H-001 over to")
            assert buttons(app) == ["Ben", "Back"], "only the others online"
            press(app, "Ben", then="Handing H-001 over to Ben…")
            wait_until(lambda: ben.saw("handed H-001 from=Anna to=Ben yours"), what="Ben told it is his")
            wait_until(lambda: shows(app, "Anna handed H-001 to Ben"), what="my board says where it went")
            assert shows(app, "Ben is on it") and "Resolve" not in buttons(app)
            wait_until(lambda: kiosk.saw("status H-001 claimed Ben"), what="the kiosk's holder is Ben")
            ben.send("handover H-001 anna")  # any case: the roster's spelling is sent
            wait_until(lambda: shows(app, "Ben handed you H-001 — go to the shopper"), what="handed back to me")
            assert shows(app, "You have it") and "Resolve" in buttons(app)
            ben.close()
            wait_until(lambda: shows(app, "Ben · floor · offline"), what="Ben gone off shift")
            assert shows(app, "On shift: 1 online, 1 offline")
            press(app, "Hand over", then="Nobody else is on shift to take H-001")
            assert buttons(app) == ["Back"]
            press(app, "Back", then="You have it")
    finally:
        ben.close()
        kiosk.close()
    steps = kiosk_log(tmp_path / "kiosk")
    assert [(event, staff) for event, staff, _ in steps if event == "handed_over"] == [
        ("handed_over", "Ben"),
        ("handed_over", "Anna"),
    ]


def test_a_new_request_and_its_escalation_sound_and_a_claim_does_not(broker, tmp_path, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO, logger="staff_pager.sound")
    config = tmp_path / "kiosk.toml"
    config.write_text(QUICK_FIND, encoding="utf-8")
    store = new_store()
    kiosk = headless_kiosk(broker, store, tmp_path / "kiosk", "--config", str(config))

    def said(text: str) -> list[str]:
        return [r.getMessage() for r in caplog.records if r.getMessage() == text]

    try:
        with running_pager(broker, store, name="Anna") as app:
            wait_until(lambda: shows(app, "Connected"), what="connected")
            kiosk.send("find hammer")
            wait_until(lambda: said("sound new F-001"), what="the new request's sound")
            wait_until(lambda: said("sound escalated F-001"), what="the escalation's sound")
            assert shows(app, "Still waiting: F-001")
            claim(app, "F-001")
            press(app, "Resolve", then="Resolve F-001: how did it end?")
            press(app, "Shown the item", then="Resolving F-001…")
            wait_until(lambda: kiosk.saw("status F-001 resolved Anna"), what="resolved")
            wait_until(lambda: not shows(app, "F-001 ·") and shows(app, "0 waiting"), what="row gone")
            sounds = [r.getMessage() for r in caplog.records if re.fullmatch(r"sound \w+ \S+", r.getMessage())]
            assert sounds == ["sound new F-001", "sound escalated F-001"], "claimed and closed are quiet"
            unavailable = [r for r in caplog.records if "sound unavailable" in r.getMessage()]
            assert len(unavailable) == (0 if app.sounds.loaded else 1), "said once when there is no sound"
    finally:
        kiosk.close()


def test_a_long_list_of_colleagues_scrolls_and_back_stays_in_sight(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from kivy.core.window import Window

    from core import wire
    from tests.services import Publisher

    store = new_store()
    kiosk = headless_kiosk(broker, store, tmp_path / "kiosk")
    web = Publisher(broker)
    names = [f"Colleague {n:02d}" for n in range(1, 16)]
    # The web service's presence lists everyone signed in on a phone (core/roster.py).
    on_phones = wire.Presence("web", "web", True, datetime.now(UTC), staff=tuple((n, "floor") for n in names))
    try:
        web.send(wire.presence_topic(store, "web"), wire.encode_presence(on_phones), retain=True)
        with running_pager(broker, store, name="Anna") as app:
            wait_until(lambda: shows(app, "On shift: 16 online"), what="everyone on shift")
            kiosk.send("help other Ladder please")
            claim(app, "H-001")
            press(app, "Hand over", then="Hand H-001 over to")
            assert buttons(app)[0] == "Colleague 01"
            step(2)
            back = button(app.board_screen, "Back")
            _x, bottom = back.to_window(back.x, back.y)
            assert bottom >= 0 and bottom + back.height <= Window.height, "Back is on the screen"
            scroller = app.sheet.ids.choices.parent
            assert scroller.height < app.sheet.ids.choices.height, "the colleagues scroll"
            press(app, "Back", then="You have it")
    finally:
        web.send(wire.presence_topic(store, "web"), b"", retain=True)
        web.close()
        kiosk.close()
