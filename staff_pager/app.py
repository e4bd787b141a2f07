"""The staff pager window: sign in, see what is waiting and who is on shift,
claim, resolve with an outcome, hand over to a colleague, release.

Touches Kivy and the pager service. Broker messages reach the service on
Kivy's main thread (`call_on_main_thread`), so the service and its board
are only ever used from here. The rows are rendered from staff_pager/rows.py,
the choosers and the on-shift strip from staff_pager/choices.py
(staff_pager/sheets.py), the sounds by staff_pager/sound.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from adapters import kivy_runtime  # sets Kivy's environment: first, before any kivy import
from adapters.kivy_runtime import KvLoadedOnce, call_on_main_thread

# isort: split
from kivy.clock import Clock, ClockEvent
from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import NoTransition, Screen, ScreenManager

from core.board import Notice
from core.lifecycle import Action, offered
from core.live import RuleAlert
from core.model import Feedback
from shell.config import PagerConfig
from shell.device import Device
from shell.display import PAGER
from shell.pager_service import ActionRefused, PagerService
from staff_pager.choices import (
    colleague_choices,
    handover_title,
    outcome_choices,
    resolve_title,
    shift_chips,
    shift_summary,
)
from staff_pager.rows import (
    ACTION_WORDS,
    Row,
    figures_view,
    notice_words,
    printers_words,
    rows,
    rule_alert_words,
    sending_words,
    unhappy_words,
)
from staff_pager.sheets import ChoiceSheet
from staff_pager.sound import PagerSounds

log = logging.getLogger(__name__)

Build = Callable[[PagerConfig, str, Callable[..., None]], Device[PagerService]]

STRIPES = {"ok": (0.16, 0.55, 0.30, 1), "warn": (0.85, 0.55, 0.05, 1), "late": (0.78, 0.16, 0.14, 1)}


class SignInScreen(Screen):
    __events__ = ("on_sign_in",)
    role = StringProperty("")
    message = StringProperty("")

    def on_sign_in(self, name: str) -> None:
        pass


class BoardScreen(Screen):
    who = StringProperty("")
    connection = StringProperty("Connecting…")
    connected = BooleanProperty(False)
    notice = StringProperty("")
    printer = StringProperty("")  # a kiosk printer that cannot print; empty when all are well
    summary = StringProperty("")
    # Today's figures (managers only, once the store server has published them): staff_pager/rows.FiguresView.
    figures_shown = BooleanProperty(False)
    waiting = StringProperty("")
    waiting_note = StringProperty("")
    service_level = StringProperty("")
    service_note = StringProperty("")
    satisfaction = StringProperty("")
    satisfaction_note = StringProperty("")
    unclaimed = StringProperty("")
    unclaimed_note = StringProperty("")


class RequestRow(BoxLayout):
    """One open request; its buttons dispatch `on_act(action, ticket)`."""

    __events__ = ("on_act",)
    ticket = StringProperty("")
    ref = StringProperty("")  # kiosk/ticket: what the buttons act on
    kind = StringProperty("")
    details = StringProperty("")
    waited = StringProperty("")
    holder = StringProperty("")
    stripe = ListProperty([0, 0, 0, 1])

    def show(self, row: Row) -> None:
        self.ticket, self.kind, self.details, self.waited = row.ticket, row.kind, row.details, row.waited
        self.ref = row.ref
        self.holder = "" if not row.holder else ("You have it" if row.holder == "You" else f"{row.holder} is on it")
        self.stripe = list(STRIPES[row.urgency])
        if getattr(self, "_actions", None) == row.actions:
            return  # rebuilt only on change: a finger may be on a button right now
        self._actions = row.actions
        box = self.ids.actions
        for child in [c for c in box.children if getattr(c, "action", None)]:
            box.remove_widget(child)
        for action in row.actions:
            button = Factory.PagerButton(text=ACTION_WORDS[action])
            button.action = action
            button.bind(on_release=lambda b: self.dispatch("on_act", b.action, self.ref))
            box.add_widget(button)

    def on_act(self, action: str, ticket: str) -> None:
        pass


KV = str(Path(__file__).with_name("pager.kv"))
if KV not in Builder.files:  # a .kv loaded twice applies its rules twice
    Builder.load_file(KV)


class PagerApp(KvLoadedOnce):
    font_name = StringProperty("Roboto")

    def __init__(self, config: PagerConfig, build: Build, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pager_config = config
        self._build_service = build
        self.service: PagerService | None = None
        self.device: Device[PagerService] | None = None
        self._ticker: ClockEvent | None = None
        self.sheet: ChoiceSheet | None = None  # the choice open in place of the list
        self.sounds = PagerSounds()
        self.title = f"Store Assist pager — {config.store.name}"

    def build(self) -> ScreenManager:
        self.font_name = kivy_runtime.register_fonts()
        self.screens = ScreenManager(transition=NoTransition())
        sign_in = SignInScreen(name="sign_in", role=self.pager_config.staff.role)
        sign_in.ids.name.text = self.pager_config.staff.name
        sign_in.bind(on_sign_in=lambda _s, name: self.sign_in(name))
        self.board_screen = BoardScreen(name="board")
        self.screens.add_widget(sign_in)
        self.screens.add_widget(self.board_screen)
        if self.pager_config.staff.name.strip():
            self.sign_in(self.pager_config.staff.name)
        return self.screens

    def sign_in(self, name: str) -> None:
        if not name.strip():
            self.screens.get_screen("sign_in").message = "Type your name to sign in."
            return
        self.device = self._build_service(self.pager_config, name.strip(), call_on_main_thread)
        self.service = self.device.service
        self.service.listeners.append(self.noticed)
        self.service.unhappy_listeners.append(self.unhappy)
        self.service.printer_listeners.append(lambda _report: self.show_printers())
        self.service.figures_listeners.append(lambda _figures: self.show_figures())
        self.service.rule_alert_listeners.append(self.rule_alert)
        self.service.roster_listeners.append(lambda _on_shift: self.show_roster())
        self.sounds.load()
        self.service.sound_listeners.append(self.sounds.play)
        self.device.start(self.set_connection)
        self.board_screen.who = f"{self.service.board.staff} · {self.pager_config.staff.role}"
        self.screens.current = "board"
        self._ticker = Clock.schedule_interval(lambda _dt: self.refresh(), 1.0)  # waiting times
        self.show_roster()
        self.refresh()

    def set_connection(self, up: bool) -> None:
        self.board_screen.connected = up
        self.board_screen.connection = "Connected" if up else "No connection — reconnecting"

    def noticed(self, notice: Notice) -> None:
        assert self.service is not None
        self.board_screen.notice = notice_words(notice, self.service.board.staff)
        self.refresh()

    def show_printers(self) -> None:
        assert self.service is not None
        self.board_screen.printer = printers_words(self.service.printers.values())

    def unhappy(self, feedback: Feedback) -> None:
        self.board_screen.notice = unhappy_words(feedback)

    def rule_alert(self, alert: RuleAlert) -> None:
        self.board_screen.notice = rule_alert_words(alert)

    def show_figures(self) -> None:
        """Today's figures, as the store server last published them; hidden until it has."""
        assert self.service is not None
        screen = self.board_screen
        figures = self.service.figures
        screen.figures_shown = figures is not None
        if figures is None:
            return
        view = figures_view(figures, datetime.now(UTC))
        for name, value in vars(view).items():
            setattr(screen, name, value)

    def show_roster(self) -> None:
        """Who is on shift; an open hand over offers whoever is online now."""
        assert self.service is not None
        on_shift = self.service.roster.on_shift()
        self.board_screen.ids.shift.show(shift_summary(on_shift), shift_chips(on_shift, self.service.board.staff))
        if self.sheet is not None:
            self.show_choice()

    def act(self, action: str, ref: str) -> None:
        """A row's button: resolve and hand over ask first (how it ended, to whom)."""
        if Action(action) in (Action.RESOLVE, Action.HANDOVER):
            self.open_choice(Action(action), ref)
        else:
            self.send(Action(action), ref)

    def send(self, action: Action, ref: str, outcome: str | None = None, to: str | None = None) -> None:
        assert self.service is not None
        ticket = ref.rpartition("/")[2]
        try:
            self.service.act(action, ref, outcome, to)
        except ActionRefused as exc:
            self.board_screen.notice = str(exc)
            return
        self.board_screen.notice = sending_words(action, ticket, to)

    def open_choice(self, action: Action, ref: str) -> None:
        self.close_choice()
        sheet = ChoiceSheet(action=action.value, ref=ref)
        sheet.bind(on_choose=lambda _s, value: self.chose(value), on_back=lambda _s: self.close_choice())
        body = self.board_screen.ids.body
        body.remove_widget(self.board_screen.ids.list_view)
        body.add_widget(sheet)
        self.sheet = sheet
        self.show_choice()

    def show_choice(self) -> None:
        """The open choice, as things stand: gone when its request no longer offers it."""
        assert self.service is not None and self.sheet is not None
        me = self.service.board.staff
        request = self.service.board.find(self.sheet.ref)
        action = Action(self.sheet.action)
        if request is None or request.status.is_final or action not in offered(request, me):
            self.close_choice()  # resolved, cancelled or taken meanwhile: the notice says so
            return
        if action is Action.RESOLVE:
            self.sheet.show(resolve_title(request), outcome_choices(request))
        else:
            choices = colleague_choices(self.service.roster, me)
            self.sheet.show(handover_title(request, choices), choices)

    def chose(self, value: str) -> None:
        sheet = self.sheet
        assert sheet is not None
        self.close_choice()
        action = Action(sheet.action)
        if action is Action.RESOLVE:
            self.send(action, sheet.ref, outcome=value)
        else:
            self.send(action, sheet.ref, to=value)

    def close_choice(self) -> None:
        if self.sheet is None:
            return
        body = self.board_screen.ids.body
        body.remove_widget(self.sheet)
        body.add_widget(self.board_screen.ids.list_view)
        self.sheet = None

    def refresh(self) -> None:
        """Render the board: one row per open request, oldest first."""
        if self.service is None:
            return
        shown = rows(self.service.board, datetime.now(UTC))
        box = self.board_screen.ids.rows
        while len(box.children) < len(shown):
            widget = RequestRow()
            widget.bind(on_act=lambda _r, action, ref: self.act(action, ref))
            box.add_widget(widget)
        while len(box.children) > len(shown):
            box.remove_widget(box.children[0])
        for shown_widget, row in zip(reversed(box.children), shown, strict=True):
            shown_widget.show(row)
        waiting = sum(1 for r in shown if Action.CLAIM in r.actions)
        self.board_screen.summary = f"{waiting} waiting · {len(shown) - waiting} being helped"
        self.show_figures()  # the longest wait moves on between the store server's figures
        if self.sheet is not None:
            self.show_choice()

    def on_stop(self) -> None:
        self.shutdown()

    def shutdown(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
        if self.device is not None:
            self.device.close()
            self.device = None


def run_app(config: PagerConfig, build: Build) -> int:
    kivy_runtime.fit_window(PAGER)  # phone-shaped, scaled to the screen
    app = PagerApp(config, build)
    try:
        app.run()
    finally:
        app.shutdown()
    return 0
