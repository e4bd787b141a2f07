"""Large text, high contrast, touch targets a thumb can hit, buttons within reach —
on the real widgets, at the two screen shapes kiosks come in."""

from __future__ import annotations

import pytest
from kivy.core.window import Window
from kivy.uix.button import Button
from kivy.uix.screenmanager import NoTransition

from core.joining import RECENT_MAX, RecentTicket
from kiosk.theme import HIGH_CONTRAST, LARGE_TEXT, NORMAL
from tests.kiosk_fixture import running_kiosk
from tests.ui import button, step, tap, type_into, wait_until, walk, window_size

MM_PER_INCH = 25.4


def title_size(kiosk) -> float:  # type: ignore[no-untyped-def]
    return next(w.font_size for w in walk(kiosk.screen) if getattr(w, "text", "") == "How can we help you today?")


def test_larger_text_and_high_contrast_change_every_screen_until_the_next_shopper(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with running_kiosk(broker, tmp_path / "kiosk", printer=False) as kiosk:
        normal = title_size(kiosk)
        tap(button(kiosk.screen, "Larger text"))
        tap(button(kiosk.screen, "High contrast"))
        step(2)
        assert title_size(kiosk) == pytest.approx(normal * LARGE_TEXT)
        assert kiosk.app.palette == HIGH_CONTRAST
        tap(button(kiosk.screen, "Ask for help"))
        wait_until(lambda: kiosk.on("help"))
        help_screen = kiosk.app.screens.get_screen("help")
        labels = [w for w in walk(help_screen) if getattr(w, "text", "") == "What do you need help with?"]
        assert tuple(labels[0].color) == HIGH_CONTRAST["muted"]
        tap(button(kiosk.screen, "Back"))
        wait_until(lambda: kiosk.on("welcome"))
        assert kiosk.app.palette == NORMAL and title_size(kiosk) == pytest.approx(normal), "reset for the next shopper"


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)], ids=["portrait", "landscape"])
def test_every_button_on_every_screen_is_at_least_15_mm_and_the_main_ones_are_within_reach(
    broker, tmp_path, size: tuple[int, int]
) -> None:  # type: ignore[no-untyped-def]
    with window_size(size), running_kiosk(broker, tmp_path / "kiosk", printer=False) as kiosk:
        app = kiosk.app
        app.screens.transition = NoTransition()
        minimum = 15 / MM_PER_INCH * kiosk.config.kiosk.screen_dpi
        step(3)
        width, height = Window.size
        for label in ("Find an item", "Return an item", "Ask for help", "Leaving? Tell us how we did"):
            main = button(kiosk.screen, label)
            assert main.top <= height * 2 / 3, f"{label} is above the lower two thirds"
        checked = 0
        for name in app.screens.screen_names:
            app.screens.current = name
            if name == "find":
                type_into(app.screens.get_screen("find").ids.item, "paint")
            if name == "feedback_ticket":  # as many recent tickets to tap as it shows
                app.screens.get_screen(name).show_tickets(
                    [RecentTicket(f"H-{n:03d}", f"r{n}") for n in range(RECENT_MAX)]
                )
            step(3)
            for widget in walk(app.screens.get_screen(name)):
                if isinstance(widget, Button) and widget.opacity > 0:
                    assert min(widget.size) >= minimum, f"{name}: {widget.text!r} is {widget.size}, under 15 mm"
                    assert widget.right <= width + 1 and widget.x >= -1, f"{name}: {widget.text!r} is off screen"
                    checked += 1
        assert checked > 30
