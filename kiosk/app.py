"""The touchscreen kiosk: binds the screens' events to the kiosk service.

Touches Kivy and the kiosk service. Everything here runs on Kivy's main
thread: broker messages and printer results arrive through `call_on_main_thread`, so the
service (which is not thread-safe by design) is only ever called from here.
The rules of the shopper's visit and of the idle timeout are kiosk/visit.py's,
the way into maintenance is kiosk/staff_access.py's: the App reads the clock,
passes it in, and shows the outcome. The exit feedback's steps (the shopper's
ticket among them) are kiosk/feedback_flow.py's; what shoppers look for on Find
is kept by the service (core/searches.py) as the App tells it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from adapters import kivy_runtime  # sets Kivy's environment: first, before any kivy import
from adapters.kivy_runtime import KvLoadedOnce, call_on_main_thread

# isort: split
from kivy.clock import Clock, ClockEvent
from kivy.core.window import Window
from kivy.properties import BooleanProperty, DictProperty, NumericProperty, StringProperty
from kivy.uix.screenmanager import FadeTransition, ScreenManager

from core.finder import Finder
from core.model import Kind
from kiosk.feedback import FeedbackDetailsScreen, FeedbackScreen, FeedbackTicketScreen, ThanksScreen
from kiosk.feedback_flow import FeedbackFlow
from kiosk.keyboard import OnScreenKeyboard
from kiosk.language import DEFAULT, shared_translations
from kiosk.maintenance import StaffMaintenance
from kiosk.screens import FindScreen, HelpScreen, IdlePrompt, KioskRoot, ReturnScreen, TicketScreen, WelcomeScreen
from kiosk.staff_access import PinLock, SecretTaps
from kiosk.staff_screens import MaintenanceScreen, PinScreen
from kiosk.supervision import supervise_window
from kiosk.theme import NORMAL
from kiosk.visit import Due, Event, IdlePolicy, Visit
from kiosk.widgets import KioskScreen
from kiosk.wording import connection_words, find_details, greeting, item_row, storage_full_words, ticket_words
from shell.config import KioskConfig
from shell.device import Device
from shell.display import KIOSK_SHAPES, scaled_dpi
from shell.kiosk_service import KioskService, TicketView
from shell.storage_watch import StorageUnwritable

log = logging.getLogger(__name__)

Build = Callable[[KioskConfig, Callable[..., None]], Device[KioskService]]

THANKS_SECONDS = 6  # the thank-you screen returns to Welcome by itself


class KioskApp(StaffMaintenance, KvLoadedOnce):
    font_name = StringProperty("Roboto")
    # The shopper's language: kv rules that call `app.tr(text, app.language)`
    # are evaluated again whenever it changes.
    language = StringProperty(DEFAULT)
    # Accessibility modes, chosen on Welcome and forgotten with the shopper.
    # All four show `self.visit` (kiosk/visit.py) to the .kv rules.
    palette = DictProperty(NORMAL)
    text_scale = NumericProperty(1.0)
    high_contrast = BooleanProperty(False)

    def __init__(self, config: KioskConfig, build: Build, finder: Finder | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.finder = finder  # None: no catalog, a find request carries what was typed
        self.kiosk_config = config
        self._build_service = build
        self.tz = ZoneInfo(config.store.timezone)
        self.service: KioskService | None = None
        self.device: Device[KioskService] | None = None
        self.visit = Visit()
        self.idle = IdlePolicy(config.kiosk.idle_timeout, config.kiosk.idle_warning, THANKS_SECONDS)
        self.pin_lock = PinLock()
        self.secret_taps = SecretTaps()
        self._idle_event: ClockEvent | None = None
        self._ticker: ClockEvent | None = None
        self.prompt: IdlePrompt | None = None
        self.keyboard: OnScreenKeyboard | None = None
        self.title = f"Store Assist — {config.store.name}"
        self.translations = shared_translations()
        self._connected = False

    # -- building ---------------------------------------------------------------

    def build(self) -> KioskRoot:
        self.font_name = kivy_runtime.register_fonts()
        self.root_widget = root = KioskRoot()
        self.screens: ScreenManager = root.ids.screens
        self.screens.transition = FadeTransition(duration=0.15)
        settings = self.kiosk_config.kiosk
        self.keyboard = OnScreenKeyboard(
            settings.on_screen_keyboard, settings.screen_dpi, lambda px: setattr(root, "lift", px)
        )
        self.keyboard.install()
        # A keyboard never stays up over a screen the shopper has left.
        self.screens.bind(current=lambda *_: self.keyboard.hide() if self.keyboard else None)
        # What each screen's events do, in the order the screens are added (Welcome first: shown first).
        self._add(
            WelcomeScreen(name="welcome", store_name=self.kiosk_config.store.name),
            on_choose=self.go,
            on_language=self.set_language,
            on_large_text=self.set_large_text,
            on_high_contrast=self.set_high_contrast,
            on_name_tap=self.name_tapped,
        )
        self._add(
            FindScreen(name="find"),
            on_submit=partial(self.take, Kind.FIND),
            on_back=self.home,
            on_search=self.search,
            on_take=self.take_item,
        )
        self._add(ReturnScreen(name="return"), on_submit=partial(self.take, Kind.RETURN), on_back=self.home)
        self._add(HelpScreen(name="help"), on_submit=partial(self.take, Kind.HELP), on_back=self.home)
        self._add(
            TicketScreen(name="ticket"), on_done=self.home, on_cancel=self.cancel, on_print_again=self.print_again
        )
        feedback = self.feedback = FeedbackFlow(self)
        self._add(FeedbackScreen(name="feedback"), on_rate=feedback.rate, on_back=self.home)
        self._add(
            FeedbackDetailsScreen(name="feedback_details"), on_send=feedback.send, on_ticket=feedback.show_tickets
        )
        self._add(FeedbackTicketScreen(name="feedback_ticket"), on_scan=feedback.scan, on_pick=feedback.pick)
        self._add(ThanksScreen(name="thanks"))
        self._add(PinScreen(name="pin"), on_pin=self.check_pin, on_cancel=self.home)
        self._add(
            MaintenanceScreen(name="maintenance"), on_back=self.home, on_exit=self.stop, on_test_print=self.test_print
        )
        self.prompt = IdlePrompt()
        self.prompt.bind(on_more_time=lambda _p: self.more_time())
        Window.bind(on_touch_down=self._touched, on_key_down=self._touched)
        self._show_language()
        self.start_service()
        return root

    def _add(self, screen: KioskScreen, **handlers: Callable[..., object]) -> None:
        """Add `screen`, each of its events calling its handler with the event's arguments."""
        screen.bind(**{event: partial(_without_sender, act) for event, act in handlers.items()})
        self.screens.add_widget(screen)

    def start_service(self) -> None:
        self.device = self._build_service(self.kiosk_config, self._on_main_thread)
        self.service = self.device.service
        self.service.listeners.append(self.status_changed)
        self.service.printer_listeners.append(lambda _state, _detail: self.show_maintenance())
        self.set_connection(False)
        self.device.start(self.set_connection)
        self._ticker = Clock.schedule_interval(self._tick, 1.0)  # escalation deadlines

    def _on_main_thread(self, fn: Callable[..., object], *args: object) -> None:
        """The device's way onto Kivy's thread. What arrives after shutdown is
        dropped: the link's "down" as it closes would otherwise reach screens
        whose rules read an App that has stopped (or the next one, in tests)."""
        call_on_main_thread(lambda: fn(*args) if self.device is not None else None)

    def _tick(self, _dt: float) -> None:
        if self.service is not None:
            self.service.tick()

    def on_stop(self) -> None:
        self.shutdown()

    def shutdown(self) -> None:
        Window.unbind(on_touch_down=self._touched, on_key_down=self._touched)
        if self.keyboard is not None:
            self.keyboard.uninstall()
        for event in (self._idle_event, self._ticker):
            if event is not None:
                event.cancel()
        if self.device is not None:
            self.device.close()
            self.device = None
        self.service = None

    # -- navigation ------------------------------------------------------------

    @property
    def current_request(self) -> str | None:
        return self.visit.request

    def go(self, name: str) -> None:
        self.screens.current = name
        self._idle_saw(Event.SCREEN)

    def tr(self, message: str, language: str) -> str:
        return self.translations.tr(message, language)

    def _(self, message: str) -> str:
        return self.translations.tr(message, self.language)

    def set_language(self, language: str) -> None:
        """The shopper picked a language on Welcome: every screen follows."""
        self.visit.choose_language(language)
        self._show_language()

    def _show_language(self) -> None:
        self.language = language = self.visit.language
        if self.keyboard is not None:
            self.keyboard.set_language(language)
        for screen in self.screens.screens:
            screen.relabel(self._)
        self.search(self.screens.get_screen("find").ids.item.text)
        self.refresh_greeting()
        self.set_connection(self._connected)
        if self.current_request is not None and self.service is not None:
            self.status_changed(self.service.view(self.current_request))

    def set_large_text(self, on: bool) -> None:
        self.visit.large_text = on
        self._show_modes()

    def set_high_contrast(self, on: bool) -> None:
        self.visit.high_contrast = on
        self._show_modes()

    def _show_modes(self) -> None:
        self.text_scale = self.visit.text_scale
        self.high_contrast = self.visit.high_contrast
        self.palette = self.visit.palette
        if self.keyboard is not None:
            self.keyboard.ink = self.palette["ink"]

    def home(self) -> None:
        """Back to Welcome, forgetting everything the last shopper typed and chose,
        their language included; a search they left on Find is finished first."""
        if self.service is not None:
            self.service.search_finished()
        if self.prompt is not None:
            self.prompt.dismiss()
        if self.keyboard is not None:
            self.keyboard.hide()
        for screen in self.screens.screens:
            screen.clear()
        self.visit = Visit()
        self._show_language()
        self._show_modes()
        self.screens.current = "welcome"
        self._idle_saw(Event.LEFT)

    def refresh_greeting(self) -> None:
        hour = datetime.now(self.tz).hour
        self.screens.get_screen("welcome").greeting = self._(greeting(hour))

    def set_connection(self, up: bool) -> None:
        self._connected = up
        self.root_widget.connection = connection_words(up, self._)

    # -- what the shopper does ---------------------------------------------------

    def search(self, text: str) -> None:
        found = self.finder.search(text, limit=4) if self.finder is not None else []
        rows = [item_row(item, self.language, self._) for item in found]
        self.screens.get_screen("find").show_results(rows)
        if self.service is not None and self.finder is not None:  # without a catalog nothing was looked up
            self.service.searched(text, found)

    def take_item(self, sku: str) -> None:
        """*Take me there*: a find request with the item and where it is."""
        assert self.finder is not None
        item = next(i for i in self.finder.items if i.sku == sku)
        assert self.service is not None
        self.service.search_finished(taken=item)
        self.take(Kind.FIND, find_details(item, self.language))

    def take(self, kind: Kind, details: dict[str, str]) -> None:
        assert self.service is not None
        if kind is Kind.FIND:
            self.service.search_finished()  # *Call a staff member* from Find ends the search there
        try:
            view = self.service.request_help(kind, self.visit.request_details(details))
        except StorageUnwritable:  # nothing kept: the shopper is sent to the service desk, staff are told
            self.screens.get_screen("ticket").show(storage_full_words(self._))
            self.go("ticket")
            return
        self.visit.request = view.request.id
        self.screens.get_screen("ticket").show(ticket_words(view, self._))
        self.go("ticket")

    def print_again(self) -> None:
        if self.service is not None and self.current_request is not None:
            self.service.print_again(self.current_request)

    def cancel(self) -> None:
        if self.service is not None and self.current_request is not None:
            self.service.cancel(self.current_request)
        self.home()

    def rate(self, rating: int) -> None:
        self.feedback.rate(rating)

    def status_changed(self, view: TicketView) -> None:
        if view.request.id == self.current_request:
            self.screens.get_screen("ticket").show(ticket_words(view, self._))

    # -- idle timeout: "need more time?", then back to Welcome -----------------

    def _touched(self, *_args: object) -> None:
        self._idle_saw(Event.TOUCH)

    def _ask_more_time(self, _dt: float = 0) -> None:
        """The idle timeout ran out (tests call this: its length is config)."""
        self._idle_saw(Event.IDLE)

    def more_time(self) -> None:
        if self.prompt is not None:
            self.prompt.dismiss()
        self._idle_saw(Event.MORE_TIME)

    def _idle_saw(self, event: Event) -> None:
        self._carry_out(self.idle.handle(event, time.monotonic()))

    def _idle_due(self, _dt: float) -> None:
        self._idle_event = None
        self._carry_out(self.idle.handle_timer(time.monotonic()))

    def _carry_out(self, due: Due | None) -> None:
        """Do what the idle policy says, then keep one Clock event at its next deadline."""
        if due is Due.LEAVE:
            self.home()  # which tells the policy, and follows it
            return
        if due is Due.ASK and self.prompt is not None:
            self.prompt.open()
        if self._idle_event is not None:
            self._idle_event.cancel()
        deadline = self.idle.timer()
        if deadline is None:
            self._idle_event = None
        else:
            self._idle_event = Clock.schedule_once(self._idle_due, max(0.0, deadline - time.monotonic()))


def _without_sender(act: Callable[..., object], _sender: object, *args: object) -> None:
    act(*args)


def run_app(config: KioskConfig, build: Build, finder: Finder | None = None) -> int:
    if config.kiosk.fullscreen:
        from kivy.config import Config

        # A shopper's keyboard (or a scanner's stray byte) must not close the kiosk.
        Config.set("kivy", "exit_on_escape", "0")
        Window.borderless = True
        Window.fullscreen = "auto"
    elif (density := kivy_runtime.fit_window(KIOSK_SHAPES[config.kiosk.window])) is not None:
        # The store's screen, scaled: the keyboard's millimetres scale with it (as in the demo).
        config = replace(config, kiosk=replace(config.kiosk, screen_dpi=scaled_dpi(config.kiosk.screen_dpi, density)))
    app = KioskApp(config, build, finder)
    unsupervise = supervise_window(config, app)  # under systemd: READY=1, then WATCHDOG=1 from Kivy's clock
    try:
        app.run()
    finally:
        unsupervise()
        app.shutdown()
    return 0
