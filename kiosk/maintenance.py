"""Staff maintenance on the kiosk, as the kiosk app carries it out: the secret taps, the PIN, the
maintenance screen's lines and its test ticket. A mixin of kiosk/app.py's KioskApp (it reads the app's
service, device, screens and config); the rules are kiosk/staff_access.py's, the words kiosk/wording.py's.
Touches Kivy's screens only.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from kiosk.staff_access import PinAnswer, refusal_words
from kiosk.wording import printer_words

log = logging.getLogger(__name__)


class StaffMaintenance:
    """What the maintenance screens ask of the app (the .kv files call these on `app`)."""

    # Given by KioskApp.
    secret_taps: Any
    pin_lock: Any
    kiosk_config: Any
    screens: Any
    service: Any
    device: Any
    _connected: bool
    go: Any

    def name_tapped(self) -> None:
        if self.secret_taps.tap(time.monotonic()):
            self.go("pin")

    def check_pin(self, digits: str) -> None:
        pin_env = self.kiosk_config.kiosk.pin_env
        answer = self.pin_lock.check(digits, os.environ.get(pin_env, ""), time.monotonic())
        if answer is PinAnswer.OPEN:
            self.show_maintenance()
            self.go("maintenance")
            return
        screen = self.screens.get_screen("pin")
        screen.message = refusal_words(answer, pin_env)
        log.warning("maintenance PIN refused: %s", screen.message)

    def show_maintenance(self) -> None:
        service, device = self.service, self.device
        if service is None or device is None:
            return  # shut down
        screen = self.screens.get_screen("maintenance")
        config = self.kiosk_config
        screen.broker = f"Broker {config.broker.url}: " + ("connected" if self._connected else "NOT connected")
        # Why, in the words the log used (docs/setup-messages.md), and kiosks that would share ticket numbers.
        problems = [device.problem, *service.clashes.values()]
        screen.broker += "".join(f"\n{problem}" for problem in problems if problem)
        screen.outbox = f"Messages waiting for the broker: {service.transport.waiting()}"
        screen.printer = printer_words(
            config.printer.port, service.printer_state, service.printer_detail, service.last_print_error()
        )

    def test_print(self) -> None:
        if self.service is not None:
            screen = self.screens.get_screen("maintenance")
            screen.result = "printing a test ticket…"

            def answer(words: str) -> None:
                screen.result = words
                self.show_maintenance()

            self.service.print_test(answer)
