"""The on-screen keyboard: Kivy's own docked VKeyboard, keys a thumb can hit,
in the shopper's layout, never over the field being typed into.

Touches Kivy's Window only. Kivy picks its keyboards per window: the flags that
Kivy's `keyboard_mode = systemanddock` sets when the Window is made
(`use_syskeyboard`, `allow_vkeyboard`, `single_vkeyboard`, `docked_vkeyboard`)
are read again at every `Window.request_keyboard`, so setting them on the live
Window works without touching Kivy's Config before the Window exists (the
tests share one Window between apps). "system and dock", not "dock": a
keyboard-wedge barcode scanner is a physical keyboard, and only with the system
keyboard kept do its key events still reach the focused field.

A focused text field asks the Window for a keyboard; the Window adds the
single `ThumbKeyboard` to itself, docked at the bottom, and removes it when
the field loses focus (a tap elsewhere, ⏎, ⨯) — `hide()` does that when the
screen changes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, ClassVar

from kivy.core.window import Window
from kivy.uix.vkeyboard import VKeyboard
from kivy.uix.widget import Widget

from kiosk.theme import NORMAL, Colour

log = logging.getLogger(__name__)

MM_PER_INCH = 25.4
KEY_MM = 16  # touch targets are kept >= 15 mm; a millimetre spare for rounding to whole pixels
GAP_MM = 4  # between the field being typed into and the keyboard's top
# Kivy's layouts (kivy/data/keyboards). en_US is QWERTY with digits and @ on
# the top row (receipt numbers, e-mail addresses); Dutch keyboards are QWERTY
# too. Kivy has no Chinese layout or input method: Chinese shoppers get the
# same keys (barcode, SKU, English or Dutch words) and pick from the results.
LAYOUTS = {"en": "en_US", "nl": "en_US"}
DEFAULT_LAYOUT = "en_US"
# Narrower outer margins than Kivy's default (5-6 %): wider keys on a narrow portrait screen.
MARGIN_HINT = [0.03, 0.01, 0.03, 0.01]  # top, right, bottom, left, as parts of the keyboard's size

WINDOW_FLAGS = ("use_syskeyboard", "allow_vkeyboard", "single_vkeyboard", "docked_vkeyboard")
SYSTEM_AND_DOCK = {"use_syskeyboard": True, "allow_vkeyboard": True, "single_vkeyboard": True, "docked_vkeyboard": True}


def mm_to_px(mm: float, dpi: int) -> float:
    return mm / MM_PER_INCH * dpi


class ThumbKeyboard(VKeyboard):
    """Kivy's VKeyboard, docked at the bottom of the window and as wide as it,
    tall enough that every key is at least KEY_MM at the screen's dpi. The
    Window makes it (with no arguments), so its settings live on the class."""

    controller: ClassVar[OnScreenKeyboard | None] = None
    layout: str  # Kivy's StringProperty; the annotation alone (no value) only tells mypy its type

    def setup_mode_dock(self, *largs: Any) -> None:
        controller = ThumbKeyboard.controller
        window = self.get_parent_window()
        if controller is None or window is None:
            super().setup_mode_dock(*largs)
            return
        # A new shopper, a new keyboard: no shift or caps lock left on.
        self.have_shift = self.have_capslock = self.have_special = False
        self.margin_hint = list(MARGIN_HINT)
        if self.layout != controller.layout:
            self.layout = controller.layout  # loaded on the next frame, drawn at the size below
        rows = self.available_layouts[controller.layout]["rows"]
        top, _right, bottom, _left = self.margin_hint
        key_top, _r, key_bottom, _l = self.key_margin
        scale = window.width / float(self.width)  # docked: the window's width, whatever the size
        self.height = rows * (controller.key_px / scale + key_top + key_bottom) / (1 - top - bottom)
        super().setup_mode_dock(*largs)
        if self.layout in self.available_layouts and self.layout_geometry:
            self.refresh(True)  # Kivy redraws the keys on a layout change only, not on a new size
        controller.shown(self)

    def draw_keys(self) -> None:
        super().draw_keys()
        # The keys keep Kivy's own keyboard font (DejaVu Sans: the kiosk's CJK
        # font has no ⌫ ⇪ ⨯), their letters in the kiosk's ink, not Kivy's white.
        if ThumbKeyboard.controller is not None:
            for label in self.children:
                label.color = ThumbKeyboard.controller.ink

    def _update_dock_mode(self, win: Any, *largs: Any) -> None:
        if self.parent is not None:  # Kivy keeps this bound after the keyboard is taken away
            self.setup_mode_dock()

    def on_parent(self, _widget: Widget, parent: Widget | None) -> None:
        if parent is None and ThumbKeyboard.controller is not None:
            ThumbKeyboard.controller.hidden()


class OnScreenKeyboard:
    """The kiosk's side of the keyboard: switches Kivy's docked keyboard on for
    this app's window (`install`) and back (`uninstall`), follows the shopper's
    language, and calls `lift(pixels)` so the screens move up just enough to
    keep the field being typed into above the keyboard (0 when it goes).
    `ink`: the colour of the keys' letters (the App sets the palette's)."""

    def __init__(self, enabled: bool, screen_dpi: int, lift: Callable[[float], None]) -> None:
        self.enabled = enabled
        self.dpi = screen_dpi
        self.key_px = mm_to_px(KEY_MM, screen_dpi)
        self.gap_px = mm_to_px(GAP_MM, screen_dpi)
        self.layout: str = DEFAULT_LAYOUT
        self.ink: Colour = NORMAL["ink"]
        self._lift = lift
        self._lifted = 0.0
        self._saved: dict[str, Any] | None = None
        self._warned_width = False

    def install(self) -> None:
        if not self.enabled or self._saved is not None:
            return
        self._saved = {flag: getattr(Window, flag) for flag in WINDOW_FLAGS}
        self._saved["vkeyboard_class"] = Window._vkeyboard_cls
        for flag, value in SYSTEM_AND_DOCK.items():
            setattr(Window, flag, value)
        Window.set_vkeyboard_class(ThumbKeyboard)
        ThumbKeyboard.controller = self
        log.info("on-screen keyboard on (docked; scanners and keyboards still type)")

    def uninstall(self) -> None:
        """Give the Window back as it was (the staff pager's tests share it)."""
        if self._saved is None:
            return
        self.hide()
        saved, self._saved = self._saved, None
        Window.set_vkeyboard_class(saved.pop("vkeyboard_class"))
        for flag, value in saved.items():
            setattr(Window, flag, value)
        if ThumbKeyboard.controller is self:
            ThumbKeyboard.controller = None

    def set_language(self, language: str) -> None:
        self.layout = LAYOUTS.get(language, DEFAULT_LAYOUT)

    def hide(self) -> None:
        """Take every keyboard away: the focused field lets go (with a real
        keyboard too, so a scanner's stray digits do not land on a screen the
        shopper has left)."""
        Window.release_all_keyboards()
        self.hidden()

    # -- called by ThumbKeyboard ----------------------------------------------

    def shown(self, keyboard: VKeyboard) -> None:
        (_x, y), (width, height) = keyboard.bbox
        keyboard_top = y + height
        self._check_key_width(keyboard, width)
        field = keyboard.target
        if field is None or field.get_root_window() is None:
            return
        field_y = field.to_window(field.x, field.y)[1] - self._lifted
        field_top = field_y + field.height
        needed = keyboard_top + self.gap_px - field_y
        room = Window.height - field_top  # never lift the field off the top
        self._set_lift(max(0.0, min(needed, room)))

    def hidden(self) -> None:
        self._set_lift(0.0)

    def _set_lift(self, pixels: float) -> None:
        if pixels != self._lifted:
            self._lifted = pixels
            self._lift(pixels)

    def _check_key_width(self, keyboard: VKeyboard, width: float) -> None:
        """Docked keys share the window's width: on a narrow screen they cannot reach 15 mm."""
        cols = keyboard.available_layouts[self.layout]["cols"]
        _top, right, _bottom, left = keyboard.margin_hint
        _key_top, key_right, _key_bottom, key_left = keyboard.key_margin
        key_px = width * (1 - left - right) / cols - keyboard.scale * (key_left + key_right)
        if key_px < mm_to_px(15, self.dpi) and not self._warned_width:
            self._warned_width = True
            log.warning("a %d px wide window is too narrow for 15 mm keys: they are %.0f px", Window.width, key_px)
