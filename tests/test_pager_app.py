"""The staff pager window, driven through its real widgets by what staff read.

A real Mosquitto; the headless kiosk and the console pager as real processes.
The kiosk's lines are read without blocking while Kivy's loop keeps turning.
"""

from __future__ import annotations

import pytest

from tests.kiosk_fixture import new_store
from tests.pager_fixture import console_pager, headless_kiosk, running_pager
from tests.ui import button, tap, type_into, visible_texts, wait_until


@pytest.fixture(autouse=True)
def tone_cache(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The window renders its tones into the user's cache: the test's own here."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def board_shows(app, text: str) -> bool:  # type: ignore[no-untyped-def]
    return any(text in t for t in visible_texts(app.board_screen))


def test_signing_in_without_a_name_says_so_and_stays_put(broker) -> None:  # type: ignore[no-untyped-def]
    with running_pager(broker, new_store()) as app:
        sign_in = app.screens.get_screen("sign_in")
        tap(button(sign_in, "Sign in"))
        assert "Type your name to sign in." in visible_texts(sign_in)
        assert app.screens.current == "sign_in" and app.service is None


def test_a_signed_in_pager_claims_and_resolves_a_request_from_the_kiosk(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = new_store()
    kiosk = headless_kiosk(broker, store, tmp_path / "kiosk")
    try:
        with running_pager(broker, store, role="returns") as app:
            type_into(app.screens.get_screen("sign_in").ids.name, "Anna")
            tap(button(app.screens.get_screen("sign_in"), "Sign in"))
            assert app.screens.current == "board" and board_shows(app, "Anna · returns")
            wait_until(lambda: board_shows(app, "Connected"), what="connected")
            kiosk.send("return R2026-42 Wrong size")
            wait_until(lambda: board_shows(app, "R-001"), what="R-001 on the board")
            assert board_shows(app, "Wrong size · receipt R2026-42") and board_shows(app, "New: R-001")
            tap(button(app.board_screen, "Claim"))
            wait_until(lambda: board_shows(app, "You have it"), what="my claim confirmed")
            assert board_shows(app, "You have R-001 — go to the shopper")
            wait_until(lambda: kiosk.saw("status R-001 claimed Anna"), what="the kiosk saw the claim")
            tap(button(app.board_screen, "Resolve"))
            tap(button(app.board_screen, "Refunded"))  # how it ended (core/outcomes.py)
            wait_until(lambda: kiosk.saw("status R-001 resolved Anna"), what="the kiosk saw the resolve")
            wait_until(lambda: not board_shows(app, "R-001 ·") and board_shows(app, "0 waiting"), what="row gone")
    finally:
        kiosk.close()


def test_a_request_someone_else_took_shows_who_and_offers_no_claim(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = new_store()
    kiosk = headless_kiosk(broker, store, tmp_path / "kiosk")
    bob = console_pager(broker, store, "Bob")
    try:
        with running_pager(broker, store, name="Anna") as app:
            kiosk.send("find blue paint")
            wait_until(lambda: board_shows(app, "F-001"), what="F-001 on the board")
            wait_until(lambda: bob.saw("new F-001"), what="F-001 on Bob's pager")
            bob.send("claim F-001")
            wait_until(lambda: board_shows(app, "Bob is on it"), what="Bob's claim on Anna's board")
            assert [w for w in visible_texts(app.board_screen) if w.startswith("Claim")] == []
            assert board_shows(app, "F-001: Bob is on it")
    finally:
        bob.close()
        kiosk.close()


def test_a_managers_pager_shows_an_unhappy_shopper_who_wants_a_call(broker) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    from core import wire
    from core.model import Feedback

    store = new_store()
    feedback = Feedback("f1", "kiosk-1", 1, datetime.now(UTC), ("I waited too long",), "", "+31 6 1234 5678")
    with running_pager(broker, store, name="Mia", role="manager") as app:
        wait_until(lambda: board_shows(app, "Connected"), what="connected")
        client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        client.connect("127.0.0.1", broker.port)
        client.loop_start()
        try:
            payload = wire.encode_unhappy(feedback, datetime.now(UTC))
            # "Connected" can come before the broker has the subscription (its
            # SUBACK): send again until the alert shows, a few times at most.
            for _attempt in range(10):
                client.publish(wire.unhappy_topic(store, "kiosk-1"), payload, qos=1).wait_for_publish(10)
                try:
                    wait_until(lambda: board_shows(app, "Unhappy shopper at kiosk-1"), timeout=1.0)
                    break
                except TimeoutError:
                    continue
            assert board_shows(app, "Unhappy shopper at kiosk-1"), "the manager's alert never showed"
            assert board_shows(app, "Contact: +31 6 1234 5678")
        finally:
            client.loop_stop()
            client.disconnect()
