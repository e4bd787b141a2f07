"""Staff-only screens on the kiosk: the PIN pad and maintenance.

Touches Kivy only; like the shopper's screens they show what they are given
and dispatch events (layout in staff.kv). Reached from Welcome by five quick
taps on the store's name; the rules of the way in are kiosk/staff_access.py's.
Staff read English.
"""

from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.widgets import KioskScreen, load_kv_once

PIN_MAX = 8


class PinScreen(KioskScreen):
    __events__ = ("on_pin", "on_cancel")
    shown = StringProperty("")  # one dot per digit
    message = StringProperty("")

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._digits = ""

    def press(self, key: str) -> None:
        if key == "clear":
            self._digits = ""
        elif key == "ok":
            digits, self._digits = self._digits, ""
            self.dispatch("on_pin", digits)
        elif len(self._digits) < PIN_MAX:
            self._digits += key
        self.shown = "●" * len(self._digits)

    def clear(self) -> None:
        self._digits = ""
        self.shown = ""
        self.message = ""

    def on_pin(self, digits: str) -> None:
        pass

    def on_cancel(self) -> None:
        pass


class MaintenanceScreen(KioskScreen):
    __events__ = ("on_test_print", "on_exit", "on_back")
    broker = StringProperty("")
    printer = StringProperty("")
    outbox = StringProperty("")
    result = StringProperty("")

    def clear(self) -> None:
        self.result = ""

    def on_test_print(self) -> None:
        pass

    def on_exit(self) -> None:
        pass

    def on_back(self) -> None:
        pass


load_kv_once("staff.kv")
