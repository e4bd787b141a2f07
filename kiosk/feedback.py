"""Exit feedback on the kiosk: the four faces, what went well or could be
better, a comment and contact details, the shopper's ticket if they want to
show it (scanned or tapped), then thanks.

Touches Kivy only; like the other screens (kiosk/screens.py) they show what
they are given and dispatch events. Layout in feedback.kv, loaded once, after
the shared widgets (kiosk/widgets.py); the faces' shapes come from kiosk/faces.py.
"""

from __future__ import annotations

from kivy.factory import Factory
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.button import Button

from core.contact import ContactError, check_contact
from core.joining import RecentTicket
from kiosk.faces import face
from kiosk.widgets import KioskScreen, load_kv_once, relabel
from kiosk.wording import BAD_CONTACT, FACES, Translate, reasons_for

LONG_NUMBER = 8  # characters; `NH-001` is 6


class FaceButton(Button):
    """A face (drawn) with its word under it: `rating` 1 very unhappy … 4 very happy.
    The shapes (kiosk/faces.py) go to feedback.kv as plain lists of numbers:
    `disc`, `left_eye`, `right_eye` as x, y, diameter; `mouth`, `brows` as line points."""

    rating = NumericProperty(1)
    word_band = NumericProperty(0)  # pixels at the bottom for the word (two lines' worth: every face the same size)
    disc = ListProperty([0, 0, 0])
    left_eye = ListProperty([0, 0, 0])
    right_eye = ListProperty([0, 0, 0])
    mouth = ListProperty([])
    left_brow = ListProperty([])
    right_brow = ListProperty([])
    stroke = NumericProperty(1)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.bind(pos=self._reshape, size=self._reshape, word_band=self._reshape, rating=self._reshape)
        self._reshape()

    def _reshape(self, *_args: object) -> None:
        margin = self.height * 0.06
        bottom = self.y + self.word_band
        shape = face(int(self.rating), self.x + margin, bottom, self.width - 2 * margin, self.top - margin - bottom)

        def round_one(centre: tuple[float, float], radius: float) -> list[float]:
            return [centre[0] - radius, centre[1] - radius, 2 * radius]

        self.disc = round_one(shape.centre, shape.radius)
        self.left_eye = round_one(shape.eyes[0], shape.eye_radius)
        self.right_eye = round_one(shape.eyes[1], shape.eye_radius)
        self.mouth = list(shape.mouth)
        self.left_brow, self.right_brow = list(shape.brows[0]), list(shape.brows[1])
        self.stroke = shape.stroke


class FeedbackScreen(KioskScreen):
    """One face per visit: a doubled tap gives one answer, as on the forms."""

    __events__ = ("on_rate", "on_back")
    faces = ListProperty([label for _n, label in FACES])
    sent = BooleanProperty(False)

    def on_kv_post(self, base_widget: object) -> None:
        for rating, label in FACES:
            button = FaceButton(text=label, rating=rating)
            button.key = label
            button.bind(on_release=lambda b: self.rate(b.key))
            self.ids.faces.add_widget(button)

    def relabel(self, _: Translate) -> None:
        relabel(self.ids.faces, _)

    def on_pre_enter(self, *args: object) -> None:
        self.sent = False

    def rate(self, label: str) -> None:
        if self.sent:
            return
        self.sent = True
        self.dispatch("on_rate", next(n for n, text in FACES if text == label))

    def on_rate(self, rating: int) -> None:
        pass

    def on_back(self) -> None:
        pass


class FeedbackDetailsScreen(KioskScreen):
    """After the face: reasons chosen by the answer, a comment, contact details
    (giving them is the consent to be contacted). `on_send(reasons, comment,
    contact)` once per visit; *Skip* sends the face alone. `on_ticket`: the
    shopper wants to show their ticket; `joined` (and `number`, the ticket's
    number when it is one of this kiosk's) says that they did."""

    __events__ = ("on_send", "on_ticket")
    question = StringProperty("")
    message = StringProperty("")
    sent = BooleanProperty(False)
    joined = BooleanProperty(False)
    number = StringProperty("")

    def prepare(self, rating: int, _: Translate) -> None:
        question, reasons = reasons_for(rating)
        self.question = question
        self.message = ""
        self.sent = False
        box = self.ids.reasons
        box.clear_widgets()
        for reason in reasons:
            button = Factory.Choice(text=_(reason))
            button.key = reason
            box.add_widget(button)

    def chosen(self) -> tuple[str, ...]:
        return tuple(b.key for b in reversed(self.ids.reasons.children) if b.state == "down")

    def send(self, skip: bool = False) -> None:
        if self.sent:
            return
        if skip:
            self.sent = True
            self.dispatch("on_send", (), "", "")
            return
        try:
            contact = check_contact(self.ids.contact.text)
        except ContactError:
            self.message = BAD_CONTACT
            return
        self.sent = True
        self.dispatch("on_send", self.chosen(), self.ids.comment.text, contact)

    def on_send(self, reasons: tuple[str, ...], comment: str, contact: str) -> None:
        pass

    def on_ticket(self) -> None:
        pass

    def show_ticket(self, joined: bool, number: str = "") -> None:
        self.joined, self.number = joined, number

    def relabel(self, _: Translate) -> None:
        relabel(self.ids.reasons, _)

    def clear(self) -> None:
        self.ids.comment.text = ""
        self.ids.contact.text = ""
        self.ids.reasons.clear_widgets()
        self.message = ""
        self.show_ticket(False)


class FeedbackTicketScreen(KioskScreen):
    """The shopper shows the ticket their feedback is about: taps its number
    among this kiosk's recent tickets (`on_pick(request_id, number)`), or scans
    its QR code into the field, as a keyboard-wedge scanner types it
    (`on_scan(text)`; the App reads it and answers with `refuse(message)` or
    goes back). *No ticket* is `on_pick("", "")`."""

    __events__ = ("on_scan", "on_pick")
    message = StringProperty("")
    none_recent = BooleanProperty(False)

    def show_tickets(self, tickets: list[RecentTicket]) -> None:
        self.message = ""
        self.ids.scan.text = ""
        self.none_recent = not tickets
        box = self.ids.tickets
        box.clear_widgets()
        # Three to a row; two when a store's format makes long numbers (up to 16 characters).
        box.cols = 3 if all(len(t.number) <= LONG_NUMBER for t in tickets) else 2
        for ticket in tickets:
            button = Factory.TicketButton(text=ticket.number)
            button.bind(on_release=lambda _b, t=ticket: self.dispatch("on_pick", t.request_id, t.number))
            box.add_widget(button)

    def scan(self, text: str) -> None:
        if text.strip():
            self.dispatch("on_scan", text)

    def refuse(self, message: str) -> None:
        """What was scanned names no ticket: say so, ready for the next scan."""
        self.message = message
        self.ids.scan.text = ""

    def on_scan(self, text: str) -> None:
        pass

    def on_pick(self, request_id: str, number: str) -> None:
        pass

    def clear(self) -> None:
        self.message = ""
        self.ids.scan.text = ""
        self.ids.tickets.clear_widgets()


class ThanksScreen(KioskScreen):
    pass


load_kv_once("feedback.kv")
