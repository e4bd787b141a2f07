"""The pager window's choosers and its on-shift strip (sheets.kv lays them out).

Touches Kivy only. A `ChoiceSheet` takes the place of the request list while
staff pick how a request ended or whom to hand it to; it dispatches
`on_choose(value)` or `on_back()`, and the App decides what is sent. The
`ShiftStrip` shows who is on shift (staff_pager/choices.py).
"""

from __future__ import annotations

from pathlib import Path

from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout

from staff_pager.choices import Choice, ShiftChip

KV = str(Path(__file__).with_name("sheets.kv"))
if KV not in Builder.files:  # a .kv loaded twice applies its rules twice
    Builder.load_file(KV)


class ChoiceSheet(BoxLayout):
    """One request's choice: its title, a button per choice, and Back."""

    __events__ = ("on_choose", "on_back")
    title = StringProperty("")
    ref = StringProperty("")  # kiosk/ticket: the request chosen for
    action = StringProperty("")  # what the choice is for (core/lifecycle.py Action)

    def show(self, title: str, choices: list[Choice]) -> None:
        self.title = title
        box = self.ids.choices
        if [b.value for b in box.children[::-1]] == [c.value for c in choices]:
            return  # the same choices: a finger may be on one of them
        box.clear_widgets()
        for choice in choices:
            button = Factory.PagerButton(text=choice.words)
            button.value = choice.value
            button.bind(on_release=lambda b: self.dispatch("on_choose", b.value))
            box.add_widget(button)

    def on_choose(self, value: str) -> None:
        pass

    def on_back(self) -> None:
        pass


class ShiftStrip(BoxLayout):
    """Who is on shift: a line of words, then a chip per person."""

    summary = StringProperty("")

    def show(self, summary: str, chips: list[ShiftChip]) -> None:
        self.summary = summary
        box = self.ids.chips
        box.clear_widgets()
        for chip in chips:
            label = Factory.ShiftChipLabel(text=chip.words)
            label.online, label.me = chip.online, chip.me  # a .kv class's own properties: set after it is made
            box.add_widget(label)
