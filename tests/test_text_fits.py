"""Every text on every kiosk screen fits where it is drawn — its button, its
label, the window — in all four languages, in normal and larger text, at
the sizes the kiosk's window opens at on 1024x768, 1280x800 and 1920x1080
screens, upright and wide (shell/display.py `fit`). Real widgets, mock GL:
a text's size is Kivy's own measure of it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

import pytest
from kivy.core.window import Window
from kivy.metrics import Metrics
from kivy.uix.label import Label
from kivy.uix.screenmanager import NoTransition
from kivy.uix.widget import Widget

from core.joining import RECENT_MAX, RecentTicket
from kiosk.language import LANGUAGES
from kiosk.wording import connection_words
from shell.display import KIOSK_SHAPES, Area, Placement, fit
from tests.kiosk_fixture import running_kiosk
from tests.ui import step, type_into, walk, window_size

SCREENS = [(1024, 768), (1280, 800), (1920, 1080)]
# The most a ticket screen of exit feedback shows: a handful of the longest numbers a format allows.
LONGEST_TICKETS = [RecentTicket(f"NORTH-H-{n:08d}", f"r{n}") for n in range(RECENT_MAX)]
WINDOWS = [(screen, shape) for screen in SCREENS for shape in KIOSK_SHAPES]


@contextmanager
def density(value: float) -> Iterator[None]:
    """Kivy's dp and sp at `value`, as in a window that shows the kiosk's screen scaled (then back)."""
    before = Metrics.density
    Metrics.density = value
    try:
        yield
    finally:
        Metrics.density = before


def misfits(root: Widget, width: float, height: float) -> list[str]:
    """Each text wider or taller than its label (a button is a label), or
    with its label not wholly in the window."""
    found = []
    for label in walk(root):
        if not isinstance(label, Label) or not label.text or label.opacity == 0 or min(label.size) <= 1:
            continue
        text_w, text_h = label.texture_size
        x, y = label.to_window(label.x, label.y)
        shown = f"{label.text[:40]!r} ({label.width:.0f}x{label.height:.0f} at {x:.0f},{y:.0f})"
        if text_w > label.width + 1 or text_h > label.height + 1:
            found.append(f"{shown} is drawn {text_w}x{text_h}")
        if x < -1 or y < -1 or x + label.width > width + 1 or y + label.height > height + 1:
            found.append(f"{shown} is outside the {width}x{height} window")
    return found


@pytest.mark.parametrize(("screen", "shape"), WINDOWS, ids=[f"{w}x{h}-{shape}" for (w, h), shape in WINDOWS])
def test_every_text_fits_in_every_language_and_text_size(broker, tmp_path, screen: tuple[int, int], shape: str) -> None:  # type: ignore[no-untyped-def]
    at: Placement = fit(Area(0, 0, *screen), KIOSK_SHAPES[shape])
    problems = []
    with (
        density(at.density),
        window_size((at.width, at.height)),
        running_kiosk(broker, tmp_path / "kiosk", printer=False) as kiosk,
    ):
        app = kiosk.app
        app.screens.transition = NoTransition()
        for larger in (False, True):
            for language, _name in LANGUAGES:
                app.set_large_text(larger)
                app.set_language(language)
                # The longest line the kiosk shows, under every screen: the broker is down.
                app.root.connection = connection_words(False, partial(app.tr, language=language))
                for name in app.screens.screen_names:
                    app.screens.current = name
                    if name == "find":
                        type_into(app.screens.get_screen("find").ids.item, "paint")
                    if name == "feedback_ticket":
                        app.screens.get_screen(name).show_tickets(LONGEST_TICKETS)
                        app.screens.get_screen(name).refuse(
                            "That is not a ticket from this store. Scan the QR code on your ticket, or tap your number."
                        )
                    if name == "feedback_details":
                        app.screens.get_screen(name).show_ticket(True, LONGEST_TICKETS[0].number)
                    step()
                    mode = "larger text" if larger else "normal text"
                    problems += [f"{language}, {mode}, {name}: {p}" for p in misfits(app.root, *Window.size)]
    assert not problems, "\n".join(problems)
