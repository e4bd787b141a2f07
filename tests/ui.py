"""Driving real Kivy widgets the way a person does: by what they read and tap.

Touches Kivy's event loop and window (mock GL in the behaviour tests). Waits
step frames until a condition holds, bounded by a deadline, never sleep.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from kivy.base import EventLoop
from kivy.core.window import Window
from kivy.tests.common import UnitTestTouch
from kivy.uix.button import Button
from kivy.uix.label import Label
from kivy.uix.widget import Widget

TIMEOUT = 15.0


def step(frames: int = 1) -> None:
    for _ in range(frames):
        EventLoop.idle()


def wait_until(condition: Callable[[], object], timeout: float = TIMEOUT, what: str = "") -> object:
    """Step frames until `condition()` is truthy; its value, or TimeoutError."""
    deadline = time.monotonic() + timeout
    while True:
        EventLoop.idle()
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"not true within {timeout}s: {what or condition}")


def run_for(seconds: float) -> None:
    """Keep the app running for a while, to show that something does NOT happen."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        EventLoop.idle()


@contextmanager
def window_size(size: tuple[int, int]) -> Iterator[None]:
    """The window at `size` for a while (a screen shape), then back as it was."""
    before = Window.size
    Window.size = size
    try:
        yield
    finally:
        Window.size = before


def walk(root: Widget) -> Iterator[Widget]:
    yield root
    for child in root.children:
        yield from walk(child)


def visible_texts(root: Widget) -> list[str]:
    """Every label's text under `root` that a person could read (not hidden)."""
    return [w.text for w in walk(root) if isinstance(w, Label) and w.text and w.opacity > 0]


def button(root: Widget, text: str) -> Button:
    found = [w for w in walk(root) if isinstance(w, Button) and w.text == text and w.opacity > 0]
    if len(found) != 1:
        raise LookupError(
            f"{len(found)} buttons read {text!r}; buttons: {[w.text for w in walk(root) if isinstance(w, Button)]}"
        )
    return found[0]


def tap(widget: Widget) -> None:
    """A finger down and up at the middle of `widget`, through the window."""
    tap_at(*widget.to_window(widget.center_x, widget.center_y))


def tap_at(x: float, y: float) -> None:
    """A finger down and up at a point of the window: whatever is on top there gets it."""
    touch = UnitTestTouch(x, y)
    touch.touch_down()
    touch.touch_up()
    step()


def type_into(field: Widget, text: str) -> None:
    """Type as a keyboard (or a barcode scanner acting as one) would, then let
    go of the field as a shopper does before tapping on (⏎, or a tap outside
    it): the on-screen keyboard, up while the field has focus, goes away and
    no longer covers the buttons under it. tests/test_on_screen_keyboard.py
    types on the on-screen keys themselves."""
    field.focus = True
    step()  # focus is taken on the next frame; keys before it go nowhere
    field.insert_text(text)  # type: ignore[attr-defined]
    field.focus = False
    step()
