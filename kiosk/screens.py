"""The kiosk's screens: they show what they are given and send events up.

Touches Kivy only. No screen calls the kiosk service: each declares events
(`on_submit`, `on_rate`, …) that the App binds to the service, and the App
pushes new words down (Textual's "attributes down, messages up"). Their
layouts: frame.kv (the window's frame and the idle prompt), welcome.kv,
forms.kv, ticket.kv, each loaded once, at import, after the shared widgets
(kiosk/widgets.py); exit feedback and the staff screens have their own
modules.
"""

from __future__ import annotations

from kivy.factory import Factory
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.modalview import ModalView

from kiosk.language import LANGUAGES
from kiosk.widgets import KioskScreen, add_choices, load_kv_once, relabel, reset_choices
from kiosk.wording import (
    HELP_TOPICS,
    RETURN_REASONS,
    ItemRow,
    TicketWords,
    Translate,
    form_problem,
)


class KioskRoot(FloatLayout):
    """The screens, and a small status line under them (broker problems).
    `lift`: pixels the screens move up to keep a field above the on-screen keyboard."""

    connection = StringProperty("")
    lift = NumericProperty(0)


class IdlePrompt(ModalView):
    __events__ = ("on_more_time",)

    def on_more_time(self) -> None:
        pass


class WelcomeScreen(KioskScreen):
    """`on_choose(what)`: a main button; `on_language(code)`: a language, each
    shown in its own script; `on_large_text(on)`, `on_high_contrast(on)`: the
    accessibility modes; `on_name_tap`: a tap on the store's name (five quick
    ones open the staff PIN pad, kiosk/staff_access.py)."""

    __events__ = ("on_choose", "on_language", "on_large_text", "on_high_contrast", "on_name_tap")
    store_name = StringProperty("")
    greeting = StringProperty("")

    def on_kv_post(self, base_widget: object) -> None:
        for code, name in LANGUAGES:
            button = Factory.LanguageButton(text=name)
            button.language = code
            button.bind(on_release=lambda b: self.dispatch("on_language", b.language))
            self.ids.languages.add_widget(button)

    def on_choose(self, what: str) -> None:
        pass

    def on_language(self, code: str) -> None:
        pass

    def on_large_text(self, on: bool) -> None:
        pass

    def on_high_contrast(self, on: bool) -> None:
        pass

    def on_name_tap(self) -> None:
        pass


class FormScreen(KioskScreen):
    """A form sends `on_submit(details)` once per visit, however often it is tapped.

    Touchscreens on some kiosks deliver each tap twice (two input providers);
    the second `submit()` of the same visit is ignored, so one tap is one request.
    """

    __events__: tuple[str, ...] = ("on_submit", "on_back")
    message = StringProperty("")
    sent = BooleanProperty(False)

    def on_pre_enter(self, *args: object) -> None:
        self.sent = False

    def submit(self, details: dict[str, str]) -> None:
        if self.sent:
            return
        problem = self.check(details)
        if problem:
            self.message = problem
            return
        self.sent = True
        self.message = ""
        self.dispatch("on_submit", details)

    def check(self, details: dict[str, str]) -> str:
        """The message to show when the form is not ready to send, else ''."""
        return ""

    def on_submit(self, details: dict[str, str]) -> None:
        pass

    def on_back(self) -> None:
        pass

    def clear(self) -> None:
        self.message = ""
        for field in self.ids.values():
            if hasattr(field, "text") and hasattr(field, "cursor"):  # text inputs only
                field.text = ""


class ResultRow(BoxLayout):
    """One item the finder found; *Take me there* dispatches `on_take(sku)`."""

    __events__ = ("on_take",)
    sku = StringProperty("")
    name = StringProperty("")
    where = StringProperty("")

    def on_take(self, sku: str) -> None:
        pass


class FindScreen(FormScreen):
    """Searches as the shopper types (`on_search`); the App pushes the results
    down with `show_results`; *Take me there* on a result sends `on_take`."""

    __events__ = ("on_submit", "on_back", "on_search", "on_take")

    def check(self, details: dict[str, str]) -> str:
        return "" if details.get("item", "").strip() else form_problem("item")

    def show_results(self, rows: list[ItemRow]) -> None:
        box = self.ids.results
        box.clear_widgets()
        for row in rows:
            widget = ResultRow(sku=row.sku, name=row.name, where=row.where)
            widget.bind(on_take=lambda _w, sku: self.take(sku))
            box.add_widget(widget)

    def take(self, sku: str) -> None:
        if not self.sent:  # one request per visit, as with the form's own button
            self.sent = True
            self.dispatch("on_take", sku)

    def on_search(self, text: str) -> None:
        pass

    def on_take(self, sku: str) -> None:
        pass

    def clear(self) -> None:
        super().clear()
        self.ids.results.clear_widgets()


class ReturnScreen(FormScreen):
    reasons = ListProperty(list(RETURN_REASONS))
    reason = StringProperty("")

    def on_kv_post(self, base_widget: object) -> None:
        add_choices(self.ids.reasons, self.reasons, "reason", lambda label: setattr(self, "reason", label))

    def check(self, details: dict[str, str]) -> str:
        return "" if details.get("reason") else form_problem("reason")

    def clear(self) -> None:
        super().clear()
        self.reason = ""
        reset_choices(self.ids.reasons)

    def relabel(self, _: Translate) -> None:
        relabel(self.ids.reasons, _)


class HelpScreen(FormScreen):
    topics = ListProperty([label for _key, label in HELP_TOPICS])
    topic = StringProperty("")

    def topic_key(self) -> str:
        return next((key for key, label in HELP_TOPICS if label == self.topic), "")

    def on_kv_post(self, base_widget: object) -> None:
        add_choices(self.ids.topics, self.topics, "topic", lambda label: setattr(self, "topic", label))

    def check(self, details: dict[str, str]) -> str:
        return "" if details.get("topic") else form_problem("topic")

    def clear(self) -> None:
        super().clear()
        self.topic = ""
        reset_choices(self.ids.topics)

    def relabel(self, _: Translate) -> None:
        relabel(self.ids.topics, _)


class TicketScreen(KioskScreen):
    __events__ = ("on_done", "on_cancel", "on_print_again")
    number = StringProperty("")
    kind = StringProperty("")
    headline = StringProperty("")
    detail = StringProperty("")
    printer = StringProperty("")
    wait = StringProperty("")
    final = BooleanProperty(False)
    reprint = BooleanProperty(False)  # show *Print again*

    def show(self, words: TicketWords) -> None:
        self.reprint = words.print_again
        self.wait = words.wait
        self.number = words.number
        self.kind = words.kind
        self.headline = words.headline
        self.detail = words.detail
        self.printer = words.printer
        self.final = words.final

    def on_done(self) -> None:
        pass

    def on_cancel(self) -> None:
        pass

    def on_print_again(self) -> None:
        pass

    def clear(self) -> None:
        self.reprint = False
        for name in ("number", "kind", "headline", "detail", "printer", "wait"):
            setattr(self, name, "")


for layout in ("frame.kv", "welcome.kv", "forms.kv", "ticket.kv"):
    load_kv_once(layout)
