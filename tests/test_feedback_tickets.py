"""Exit feedback joined to the help before it, on the real touchscreen kiosk:
the shopper scans their ticket's QR code (typed into the field as a
keyboard-wedge scanner types it: the characters, then Enter) or taps their
number; a garbage scan is refused on screen and keeps nothing. Real widgets
(mock GL), a real Mosquitto, real TinyDB files, the virtual printer on a pty."""

from __future__ import annotations

from datetime import date, timedelta

from kivy.core.window import Window

from adapters.tinydb_store import TinyDBEventLog
from printer.decode import decode
from tests.kiosk_fixture import running_kiosk
from tests.ui import button, step, tap, visible_texts, wait_until

LINK = "https://shop.example/t/{store}/{request_id}"
ENTER = 13


def shows(kiosk, text: str) -> bool:  # type: ignore[no-untyped-def]
    return text in visible_texts(kiosk.screen)


def scan(field, code: str) -> None:  # type: ignore[no-untyped-def]
    """A keyboard-wedge scanner: the shopper taps the field, the scanner types
    the code's characters through the window as key strokes, then Enter."""
    field.focus = True
    step()  # focus is taken on the next frame
    for character in code:
        Window.dispatch("on_textinput", character)
    Window.dispatch("on_key_down", ENTER, 40, "\r", [])
    Window.dispatch("on_key_up", ENTER, 40)
    step()


def take_help_ticket(kiosk) -> str:  # type: ignore[no-untyped-def]
    """A shopper asks for help and leaves with a ticket; its number."""
    tap(button(kiosk.screen, "Ask for help"))
    wait_until(lambda: kiosk.on("help"))
    tap(button(kiosk.screen, "Product question"))
    tap(button(kiosk.screen, "Call a staff member"))
    wait_until(lambda: kiosk.on("ticket"))
    number = kiosk.screen.number
    tap(button(kiosk.screen, "Done"))
    wait_until(lambda: kiosk.on("welcome"))
    return number


def to_feedback_details(kiosk, face: str = "Happy") -> None:  # type: ignore[no-untyped-def]
    tap(button(kiosk.screen, "Leaving? Tell us how we did"))
    wait_until(lambda: kiosk.on("feedback"))
    tap(button(kiosk.screen, face))
    wait_until(lambda: kiosk.on("feedback_details"))


def stored_feedback(kiosk):  # type: ignore[no-untyped-def]
    today = date.today()
    return kiosk.app.service.event_log.feedback_between(today - timedelta(days=1), today + timedelta(days=1))


def test_tapping_the_ticket_number_joins_the_feedback_to_that_request(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with running_kiosk(broker, tmp_path / "kiosk", printer=False) as kiosk:
        first, second = take_help_ticket(kiosk), take_help_ticket(kiosk)
        assert (first, second) == ("H-001", "H-002")
        to_feedback_details(kiosk)
        tap(button(kiosk.screen, "Quick help"))
        tap(button(kiosk.screen, "Show your ticket (optional)"))
        wait_until(lambda: kiosk.on("feedback_ticket"))
        numbers = [w.text for w in reversed(kiosk.screen.ids.tickets.children)]
        assert numbers == ["H-002", "H-001"], "newest first, numbers only"
        tap(button(kiosk.screen, "H-001"))
        wait_until(lambda: kiosk.on("feedback_details"))
        assert shows(kiosk, "Your ticket: H-001")
        assert [b.key for b in kiosk.screen.ids.reasons.children if b.state == "down"] == ["Quick help"], "kept"
        tap(button(kiosk.screen, "Send"))
        wait_until(lambda: kiosk.on("thanks"))
        [given] = stored_feedback(kiosk)
        helped = next(r for r in kiosk.app.service.desk.requests() if r.ticket == "H-001")
        assert (given.rating, given.reasons, given.request_id) == (3, ("Quick help",), helped.id)


def test_scanning_the_printed_tickets_qr_link_joins_the_feedback(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with running_kiosk(broker, tmp_path / "kiosk", printer_settings={"qr_url": LINK}) as kiosk:
        take_help_ticket(kiosk)
        [printed] = wait_until(lambda: decode(kiosk.printer.data()), what="the printed ticket")  # type: ignore[misc]
        [code] = printed.qr
        [request] = kiosk.app.service.desk.requests()
        assert code == f"https://shop.example/t/{kiosk.config.store.id}/{request.id}"
        to_feedback_details(kiosk, "Very unhappy")
        tap(button(kiosk.screen, "Show your ticket (optional)"))
        wait_until(lambda: kiosk.on("feedback_ticket"))
        scan(kiosk.screen.ids.scan, code)
        wait_until(lambda: kiosk.on("feedback_details"), what="back to the details once the scan is read")
        assert shows(kiosk, "Your ticket: H-001")
        tap(button(kiosk.screen, "Skip"))
        wait_until(lambda: kiosk.on("thanks"))
    with TinyDBEventLog(tmp_path / "kiosk", readonly=True) as log:
        today = date.today()
        [given] = log.feedback_between(today - timedelta(days=1), today + timedelta(days=1))
    assert (given.rating, given.request_id) == (1, request.id)


def test_a_ticket_whose_qr_opens_the_phone_page_joins_the_feedback_by_its_token(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    refused = "That is not a ticket from this store. Scan the QR code on your ticket, or tap your number."
    page = "https://assist.store.example:8443/t/{token}"
    with running_kiosk(broker, tmp_path / "kiosk", printer_settings={"qr_url": page}) as kiosk:
        take_help_ticket(kiosk)
        [printed] = wait_until(lambda: decode(kiosk.printer.data()), what="the printed ticket")  # type: ignore[misc]
        [request] = kiosk.app.service.desk.requests()
        [code] = printed.qr
        assert code == page.format(token=request.token) and request.id not in code
        to_feedback_details(kiosk, "Unhappy")
        tap(button(kiosk.screen, "Show your ticket (optional)"))
        wait_until(lambda: kiosk.on("feedback_ticket"))
        scan(kiosk.screen.ids.scan, page.format(token="A" * 22))  # a token nobody issued
        assert kiosk.on("feedback_ticket") and shows(kiosk, refused)
        scan(kiosk.screen.ids.scan, code)
        wait_until(lambda: kiosk.on("feedback_details"), what="back to the details once the scan is read")
        assert shows(kiosk, "Your ticket: H-001")
        tap(button(kiosk.screen, "Skip"))
        wait_until(lambda: kiosk.on("thanks"))
        [given] = stored_feedback(kiosk)
    assert (given.rating, given.request_id) == (2, request.id)


def test_another_kiosks_scanned_ticket_is_taken_as_it_is(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    other = "0123456789abcdef"  # a request id of the kiosk at the other entrance
    with running_kiosk(broker, tmp_path / "kiosk", printer=False) as kiosk:
        to_feedback_details(kiosk)
        tap(button(kiosk.screen, "Show your ticket (optional)"))
        wait_until(lambda: kiosk.on("feedback_ticket"))
        assert shows(kiosk, "No tickets from the last hours at this kiosk.")
        scan(kiosk.screen.ids.scan, other)
        wait_until(lambda: kiosk.on("feedback_details"))
        assert shows(kiosk, "Ticket scanned")
        tap(button(kiosk.screen, "Send"))
        wait_until(lambda: kiosk.on("thanks"))
        [given] = stored_feedback(kiosk)
        assert given.request_id == other


def test_a_garbage_scan_is_refused_on_screen_and_keeps_nothing_then_feedback_goes_unjoined(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    refused = "That is not a ticket from this store. Scan the QR code on your ticket, or tap your number."
    with running_kiosk(broker, tmp_path / "kiosk", printer=False) as kiosk:
        take_help_ticket(kiosk)
        to_feedback_details(kiosk)
        tap(button(kiosk.screen, "Show your ticket (optional)"))
        wait_until(lambda: kiosk.on("feedback_ticket"))
        for garbage in ("8710103123456", "https://evil.example/win?prize=1", "%%%"):
            scan(kiosk.screen.ids.scan, garbage)
            assert kiosk.on("feedback_ticket") and shows(kiosk, refused), garbage
            assert kiosk.screen.ids.scan.text == "", "ready for the next scan"
        assert stored_feedback(kiosk) == []
        assert kiosk.app.visit.ticket_request == ""
        tap(button(kiosk.screen, "No ticket"))
        wait_until(lambda: kiosk.on("feedback_details"))
        assert shows(kiosk, "Show your ticket (optional)")
        tap(button(kiosk.screen, "Send"))
        wait_until(lambda: kiosk.on("thanks"))
        [given] = stored_feedback(kiosk)
        assert (given.rating, given.request_id) == (3, ""), "unjoined feedback is kept as it always was"


def test_the_next_shopper_starts_without_the_last_ones_ticket(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with running_kiosk(broker, tmp_path / "kiosk", printer=False) as kiosk:
        take_help_ticket(kiosk)
        to_feedback_details(kiosk)
        tap(button(kiosk.screen, "Show your ticket (optional)"))
        wait_until(lambda: kiosk.on("feedback_ticket"))
        tap(button(kiosk.screen, "H-001"))
        wait_until(lambda: kiosk.on("feedback_details"))
        kiosk.app.home()  # the shopper walked away before sending
        wait_until(lambda: kiosk.on("welcome"))
        to_feedback_details(kiosk)
        assert shows(kiosk, "Show your ticket (optional)") and not shows(kiosk, "Your ticket: H-001")
        tap(button(kiosk.screen, "Send"))
        wait_until(lambda: kiosk.on("thanks"))
        [given] = stored_feedback(kiosk)
        assert given.request_id == ""
