"""Staff-only maintenance on the kiosk: five taps on the store name, a PIN, status, a test ticket."""

from __future__ import annotations

from kiosk.staff_access import SecretTaps
from printer.decode import decode
from tests.kiosk_fixture import running_kiosk
from tests.ui import button, tap, visible_texts, wait_until, walk

PIN = "2468"


def store_name_label(kiosk):  # type: ignore[no-untyped-def]
    return next(w for w in walk(kiosk.screen) if getattr(w, "text", "") == kiosk.config.store.name)


def enter(kiosk, digits: str) -> None:  # type: ignore[no-untyped-def]
    for digit in digits:
        tap(button(kiosk.screen, digit))
    tap(button(kiosk.screen, "OK"))


def test_five_quick_taps_are_the_gesture_and_slow_ones_are_not() -> None:
    taps = SecretTaps()
    assert not any(taps.tap(t) for t in (0, 1, 2, 3))
    assert taps.tap(2.9)
    assert not any(taps.tap(t) for t in (10, 14, 18, 22, 26)), "taps seconds apart never add up"


def test_staff_reach_maintenance_with_the_pin_and_print_a_test_ticket(broker, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("STORE_ASSIST_MAINTENANCE_PIN", PIN)
    with running_kiosk(broker, tmp_path / "kiosk") as kiosk:
        for _ in range(5):
            tap(store_name_label(kiosk))
        wait_until(lambda: kiosk.on("pin"), what="the PIN pad")
        enter(kiosk, "1111")
        assert "Wrong PIN" in visible_texts(kiosk.screen) and kiosk.on("pin")
        enter(kiosk, PIN)
        wait_until(lambda: kiosk.on("maintenance"))
        shown = " ".join(visible_texts(kiosk.screen))
        assert "connected" in shown and "Messages waiting for the broker: 0" in shown
        tap(button(kiosk.screen, "Print a test ticket"))
        wait_until(lambda: "test ticket printed" in " ".join(visible_texts(kiosk.screen)), what="the answer")
        assert "Printer " + kiosk.config.printer.port + ": ok" in " ".join(visible_texts(kiosk.screen))
        printed = wait_until(lambda: decode(kiosk.printer.data()), what="the test ticket")
        assert printed[0].large == ["TEST"]  # type: ignore[index]
        tap(button(kiosk.screen, "Back to Welcome"))
        wait_until(lambda: kiosk.on("welcome"))


def test_three_wrong_pins_lock_the_pad_and_no_pin_set_means_no_way_in(broker, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("STORE_ASSIST_MAINTENANCE_PIN", raising=False)
    with running_kiosk(broker, tmp_path / "kiosk", printer=False) as kiosk:
        kiosk.app.go("pin")
        wait_until(lambda: kiosk.on("pin"))
        enter(kiosk, "0000")
        assert "No maintenance PIN set (STORE_ASSIST_MAINTENANCE_PIN)" in visible_texts(kiosk.screen)
        monkeypatch.setenv("STORE_ASSIST_MAINTENANCE_PIN", PIN)
        for _ in range(3):
            enter(kiosk, "9999")
        enter(kiosk, PIN)  # right, but too late
        assert "Too many wrong PINs: wait a minute" in visible_texts(kiosk.screen)
        assert kiosk.on("pin")


def test_maintenance_names_another_kiosk_that_would_hand_out_the_same_numbers(broker, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from core import wire
    from core.numbering import DEFAULT_FORMAT
    from tests.services import Publisher

    monkeypatch.setenv("STORE_ASSIST_MAINTENANCE_PIN", PIN)
    with running_kiosk(broker, tmp_path / "kiosk") as kiosk:
        other = wire.Presence("kiosk-9", "kiosk", True, datetime.now(UTC), name="South", ticket_format=DEFAULT_FORMAT)
        publisher = Publisher(broker)
        try:
            publisher.send(wire.presence_topic(kiosk.config.store.id, "kiosk-9"), wire.encode_presence(other))
        finally:
            publisher.close()
        wait_until(lambda: kiosk.app.service.clashes, what="the other kiosk's presence")
        for _ in range(5):
            tap(store_name_label(kiosk))
        wait_until(lambda: kiosk.on("pin"), what="the PIN pad")
        enter(kiosk, PIN)
        wait_until(lambda: kiosk.on("maintenance"))
        assert "kiosk-9 also issues F-001: set kiosk.ticket_format" in " ".join(visible_texts(kiosk.screen))
