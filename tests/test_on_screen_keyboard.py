"""The on-screen keyboard on the real widgets: a tapped field brings up Kivy's
docked keyboard, its keys (tapped through the window) type, it goes with the
screen, and a barcode scanner still types while it is there."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from kivy.core.window import Window
from kivy.uix.screenmanager import NoTransition
from kivy.uix.vkeyboard import VKeyboard

from tests.kiosk_fixture import running_kiosk
from tests.ui import button, step, tap, tap_at, visible_texts, wait_until, window_size

MM_PER_INCH = 25.4


def keyboard_on_window() -> VKeyboard | None:
    return next((w for w in Window.children if isinstance(w, VKeyboard)), None)


def shown_keyboard() -> VKeyboard:
    """The keyboard on the window, once its keys are laid out."""

    def ready() -> VKeyboard | None:
        keyboard = keyboard_on_window()
        return keyboard if keyboard is not None and keyboard.layout_geometry.get("LINE_1") else None

    return wait_until(ready, what="the on-screen keyboard")  # type: ignore[return-value]


def keys(keyboard: VKeyboard) -> list[tuple[list[object], tuple[float, float], tuple[float, float]]]:
    """Every key as ([shown, typed, keycode, width], window position, size on screen)."""
    layout = keyboard.available_layouts[keyboard.layout]
    found = []
    for row in range(1, layout["rows"] + 1):
        rects = keyboard.layout_geometry[f"LINE_{row}"]
        for key, ((x, y), (w, h)) in zip(layout[f"{keyboard.layout_mode}_{row}"], rects, strict=True):
            # The keyboard is a Scatter on the window: its keys are in its own, scaled, coordinates.
            found.append((key, keyboard.to_parent(x, y), (w * keyboard.scale, h * keyboard.scale)))
    return found


def press(keyboard: VKeyboard, name: str) -> None:
    """Tap the key that shows `name` (or is called that: "enter", "escape", "spacebar")."""
    for key, (x, y), (w, h) in keys(keyboard):
        if name in (key[0], key[2]):
            tap_at(x + w / 2, y + h / 2)
            return
    raise LookupError(f"no key {name!r} on the {keyboard.layout} keyboard")


def type_keys(keyboard: VKeyboard, text: str) -> None:
    for char in text:
        press(keyboard, "spacebar" if char == " " else char)


def keyboard_top(keyboard: VKeyboard) -> float:
    (_x, y), (_w, h) = keyboard.bbox
    return y + h


def scan(text: str, enter: bool = True) -> None:
    """A keyboard-wedge barcode scanner: key events on the window, as SDL2 gives them."""
    for char in text:
        Window.dispatch("on_key_down", ord(char), 0, char, [])
        Window.dispatch("on_textinput", char)
        Window.dispatch("on_key_up", ord(char), 0)
    if enter:
        Window.dispatch("on_key_down", 13, 40, None, [])
        Window.dispatch("on_key_up", 13, 40)
    step()


def test_the_shopper_types_a_comment_and_an_e_mail_address_on_the_screen(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with running_kiosk(broker, tmp_path / "kiosk", printer=False) as kiosk:
        tap(button(kiosk.screen, "Leaving? Tell us how we did"))
        wait_until(lambda: kiosk.on("feedback"))
        tap(button(kiosk.screen, "Very unhappy"))
        wait_until(lambda: kiosk.on("feedback_details"))
        assert keyboard_on_window() is None, "no keyboard before a field is tapped"
        comment, contact = kiosk.screen.ids.comment, kiosk.screen.ids.contact

        tap(comment)
        keyboard = shown_keyboard()
        assert comment.focus and keyboard.layout == "en_US"
        type_keys(keyboard, "slow till")
        assert comment.text == "slow till"
        assert comment.to_window(comment.x, comment.y)[1] >= keyboard_top(keyboard), "the field is not covered"
        press(keyboard, "enter")
        wait_until(lambda: keyboard_on_window() is None, what="the keyboard gone after enter")
        assert not comment.focus and kiosk.app.root_widget.lift == 0

        tap(contact)
        keyboard = shown_keyboard()
        type_keys(keyboard, "ann@shop.nl")
        assert contact.text == "ann@shop.nl" and comment.text == "slow till"
        assert contact.to_window(contact.x, contact.y)[1] >= keyboard_top(keyboard), "the field is not covered"
        press(keyboard, "escape")  # ⨯ closes the keyboard, keeping what was typed
        wait_until(lambda: keyboard_on_window() is None, what="the keyboard gone after escape")
        tap(button(kiosk.screen, "Send"))
        wait_until(lambda: kiosk.on("thanks"))
        today = date.today()
        [given] = kiosk.app.service.event_log.feedback_between(today - timedelta(days=1), today + timedelta(days=1))
        assert (given.rating, given.comment, given.contact) == (1, "slow till", "ann@shop.nl")


def test_the_keyboard_goes_with_the_screen_and_nothing_typed_stays(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with running_kiosk(broker, tmp_path / "kiosk", printer=False, kiosk={"idle_warning": 0.3}) as kiosk:
        app = kiosk.app
        tap(button(kiosk.screen, "Ask for help"))
        wait_until(lambda: kiosk.on("help"))
        note = kiosk.screen.ids.note
        tap(note)
        keyboard = shown_keyboard()
        type_keys(keyboard, "wheelchair")
        assert note.text == "wheelchair" and keyboard.parent is Window

        app._ask_more_time()  # the idle timer firing, with the keyboard still up
        wait_until(lambda: kiosk.on("welcome"), what="back to Welcome without an answer")
        assert keyboard_on_window() is None and app.root_widget.lift == 0
        assert note.text == "" and not note.focus

        tap(button(kiosk.screen, "Ask for help"))
        wait_until(lambda: kiosk.on("help"))
        assert keyboard_on_window() is None, "the next shopper starts without a keyboard"
        tap(note)
        keyboard = shown_keyboard()
        assert not keyboard.have_shift and not keyboard.have_capslock
        press(keyboard, "escape")
        tap(button(kiosk.screen, "Back"))
        wait_until(lambda: kiosk.on("welcome"))
        assert keyboard_on_window() is None and note.text == ""


def test_a_scanner_still_types_into_the_find_field_while_the_keyboard_is_up(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    window_had_keyboards = Window.allow_vkeyboard
    with running_kiosk(broker, tmp_path / "kiosk", printer=False) as kiosk:
        assert Window.allow_vkeyboard and Window.use_syskeyboard  # Kivy's "systemanddock"
        tap(button(kiosk.screen, "Find an item"))
        wait_until(lambda: kiosk.on("find"))
        field = kiosk.screen.ids.item
        tap(field)
        shown_keyboard()
        scan("8710103001028", enter=False)
        assert field.text == "8710103001028"
        assert "Wall paint blue matt 2.5 l" in visible_texts(kiosk.screen)
        scan("")  # the scanner's Enter: call a staff member with what was scanned
        wait_until(lambda: kiosk.on("ticket"))
        [request] = kiosk.app.service.desk.requests()
        assert request.details["item"] == "8710103001028"
        assert keyboard_on_window() is None
    assert Window.allow_vkeyboard == window_had_keyboards, "the window is given back as it was"


def test_a_kiosk_with_a_real_keyboard_shows_none_on_the_screen(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with running_kiosk(broker, tmp_path / "kiosk", printer=False, kiosk={"on_screen_keyboard": False}) as kiosk:
        tap(button(kiosk.screen, "Return an item"))
        wait_until(lambda: kiosk.on("return"))
        receipt = kiosk.screen.ids.receipt
        tap(receipt)
        step(2)
        assert receipt.focus and keyboard_on_window() is None
        scan("R2026-0042", enter=False)
        assert receipt.text == "R2026-0042"
        assert keyboard_on_window() is None


def test_a_chinese_shopper_finds_an_item_with_latin_keys(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with running_kiosk(broker, tmp_path / "kiosk", printer=False) as kiosk:
        tap(button(kiosk.screen, "简体中文"))
        tap(button(kiosk.screen, "查找商品"))
        wait_until(lambda: kiosk.on("find"))
        tap(kiosk.screen.ids.item)
        keyboard = shown_keyboard()
        assert keyboard.layout == "en_US"  # Kivy has no Chinese input method
        type_keys(keyboard, "cordless")
        assert "充电式电钻 18伏" in visible_texts(kiosk.screen)


FIELDS = [
    ("find", "item"),
    ("return", "receipt"),
    ("help", "note"),
    ("feedback_details", "comment"),
    ("feedback_details", "contact"),
]


@pytest.mark.parametrize(
    "size", [(1080, 1920), (1920, 1080), (1280, 800)], ids=["portrait", "landscape", "small-landscape"]
)
def test_keys_are_at_least_15_mm_and_never_cover_the_field(broker, tmp_path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    with window_size(size), running_kiosk(broker, tmp_path / "kiosk", printer=False) as kiosk:
        app = kiosk.app
        app.screens.transition = NoTransition()
        minimum = 15 / MM_PER_INCH * kiosk.config.kiosk.screen_dpi
        lifted = 0
        for screen, field_id in FIELDS:
            if screen == "feedback_details":
                app.rate(1)
            else:
                app.go(screen)
            step(3)
            field = app.screens.get_screen(screen).ids[field_id]
            tap(field)
            keyboard = shown_keyboard()
            step(2)
            assert field.focus
            (x, y), (width, _height) = keyboard.bbox
            assert (x, y) == (0, 0) and width == pytest.approx(Window.width), "docked along the bottom"
            for key, _pos, (w, h) in keys(keyboard):
                assert min(w, h) >= minimum, f"{screen}: key {key[0]!r} is {w:.0f}x{h:.0f} px, under 15 mm"
            assert keyboard_top(keyboard) <= Window.height / 2, "the keyboard leaves half the screen"
            # Kivy's keyboard font has ⌫ ⇪ ⨯; the kiosk's CJK font draws them as boxes.
            assert {label.font_name for label in keyboard.children} == {keyboard.font_name}
            bottom = field.to_window(field.x, field.y)[1]
            top = field.to_window(field.x, field.top)[1]
            assert bottom >= keyboard_top(keyboard) and top <= Window.height, f"{screen}.{field_id} is hidden"
            lifted += app.root_widget.lift > 0
            app.keyboard.hide()
            wait_until(lambda: keyboard_on_window() is None)
            assert app.root_widget.lift == 0
        if size == (1280, 800):
            assert lifted, "a low field on a small screen moves up above the keyboard"
