"""Text that fits its button: a one-line text made smaller until it is no
wider than the room it has (a language name in a narrow button, a Dutch
translation in larger text, a small window). The kiosk's .kv files call it
in their `font_size` rules. Touches Kivy's text measuring only.
"""

from __future__ import annotations

from kivy.core.text import Label as CoreLabel

SMALLEST = 0.6  # made at most this much smaller; beyond that a text wraps, where its label lets it


def fit_font_size(text: str, font_name: str, size: float, room: float, bold: bool = False) -> float:
    """`size`, or smaller so that `text` fits `room` pixels on one line,
    measured in the font it is drawn in."""
    if not text or room <= 0:
        return size
    width = CoreLabel(text=text, font_name=font_name, font_size=size, bold=bold).get_extents(text)[0]
    return size if width <= room else max(size * SMALLEST, size * room / width)
