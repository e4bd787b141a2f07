"""What every kiosk screen is built from: the base screen, rows of choices,
and the kiosk's look (widgets.kv: labels, buttons, choices and fields in the
palette's colours and the shopper's text size).

Touches Kivy only. Each screen module loads its own .kv with `load_kv_once`
after importing this one, so the shared widgets' rules come first: a rule
that refines one of them (staff.kv's `<PinKey@PlainButton>`) is applied after
it and wins.
"""

from __future__ import annotations

from pathlib import Path

from kivy.factory import Factory
from kivy.lang import Builder
from kivy.uix.screenmanager import Screen

from kiosk.wording import Translate


def load_kv_once(name: str) -> None:
    """Load kiosk/`name` unless it is loaded: a .kv loaded twice applies its
    rules twice (every widget built and drawn twice)."""
    path = str(Path(__file__).with_name(name))
    if path not in Builder.files:
        Builder.load_file(path)


class KioskScreen(Screen):
    """A screen whose typed text is forgotten when the shopper leaves it for Welcome."""

    def clear(self) -> None:
        """Forget everything the last shopper typed or chose."""

    def relabel(self, _: Translate) -> None:
        """Show the labels built in Python (not in a .kv file) in the shopper's language."""


def add_choices(box: object, labels: list[str], group: str, on_choose: object) -> None:
    """One toggle per label in `box`; choosing one calls `on_choose(label)` with
    the English message id, whatever language the button shows."""
    for label in labels:
        button = Factory.Choice(text=label, group=group, allow_no_selection=False)
        button.key = label
        button.bind(on_release=lambda b: on_choose(b.key))  # type: ignore[operator]
        box.add_widget(button)  # type: ignore[attr-defined]


def relabel(box: object, _: Translate) -> None:
    """Show every keyed button in `box` in the shopper's language."""
    for button in box.children:  # type: ignore[attr-defined]
        if hasattr(button, "key"):
            button.text = _(button.key)


def reset_choices(box: object) -> None:
    for button in box.children:  # type: ignore[attr-defined]
        button.state = "normal"


load_kv_once("widgets.kv")
