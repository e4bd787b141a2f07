"""The shopper's visit: what the kiosk keeps about the shopper in front of it,
and when it stops waiting for one who walked away.

Pure: no Kivy, no clock. The App reads the clock (monotonic seconds) and
passes it in as `now`; it shows the visit (language, colours, text size) and
carries out what the idle policy says is due (`Due`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from kiosk.language import DEFAULT, LANGUAGES
from kiosk.theme import HIGH_CONTRAST, LARGE_TEXT, NORMAL, Colour


@dataclass
class Visit:
    """Everything the kiosk keeps about one shopper. Forgotten when they leave
    (the App starts a new Visit): the next shopper starts in English, in
    normal text and colours, with no request of theirs on screen."""

    language: str = DEFAULT
    large_text: bool = False
    high_contrast: bool = False
    request: str | None = None  # the request taken in this visit: its ticket is on screen
    rating: int = 0  # the face chosen on exit feedback, while its details are asked
    ticket_request: str = ""  # the request of the ticket the shopper showed on exit feedback ("": none)
    ticket_number: str = ""  # its number, when it is one of this kiosk's tickets

    def show_ticket(self, request_id: str, number: str = "") -> None:
        """The ticket the shopper showed at exit ("" for none): their feedback names its request."""
        self.ticket_request, self.ticket_number = request_id, number if request_id else ""

    def choose_language(self, language: str) -> None:
        if language not in dict(LANGUAGES):
            raise ValueError(f"unknown language {language!r}")
        self.language = language

    @property
    def text_scale(self) -> float:
        return LARGE_TEXT if self.large_text else 1.0

    @property
    def palette(self) -> dict[str, Colour]:
        return HIGH_CONTRAST if self.high_contrast else NORMAL

    def request_details(self, details: dict[str, str]) -> dict[str, str]:
        """The shopper's language goes with the request: for their printed
        ticket, and so staff know which language to greet them in."""
        return {**details, "language": self.language}


class Idle(Enum):
    WELCOME = "welcome"  # no visit: nothing is timed
    WATCHING = "watching"  # a shopper at a screen: the idle timeout runs
    ASKING = "asking"  # "Need more time?" is up: the warning runs
    THANKED = "thanked"  # the thank-you screen: back to Welcome by itself


class Event(Enum):
    SCREEN = "a screen other than Welcome is shown"
    THANKS = "the thank-you screen is shown"
    TOUCH = "a touch or a key"
    IDLE = "the idle timeout ran out"
    MORE_TIME = "the shopper asked for more time"
    LEFT = "back to Welcome"


class Due(Enum):
    """What the App must do when the policy's timer runs out."""

    ASK = "show the prompt"
    LEAVE = "back to Welcome, forgetting the visit"


# Rules (IdlePolicy):
# - On Welcome nothing is timed: no visit is going on.
# - Any other screen starts the idle timeout, and so does every touch or key there.
# - When the timeout runs out the shopper is asked "Need more time?". While
#   asked, touches do not count, only the answer does: then the timeout again.
# - No answer within the warning ends the visit.
# - The thank-you screen ends the visit by itself after a few seconds; a touch
#   there is a shopper still at the screen: the idle timeout again.
# (state, what happened) → the next state; a pair not listed changes nothing.
MOVES: dict[tuple[Idle, Event], Idle] = {
    **{(state, Event.SCREEN): Idle.WATCHING for state in Idle},
    **{(state, Event.THANKS): Idle.THANKED for state in Idle},
    **{(state, Event.LEFT): Idle.WELCOME for state in Idle},
    (Idle.WATCHING, Event.TOUCH): Idle.WATCHING,
    (Idle.THANKED, Event.TOUCH): Idle.WATCHING,
    (Idle.WATCHING, Event.IDLE): Idle.ASKING,
    (Idle.THANKED, Event.IDLE): Idle.ASKING,
    (Idle.ASKING, Event.IDLE): Idle.ASKING,
    (Idle.ASKING, Event.MORE_TIME): Idle.WATCHING,
}


class IdlePolicy:
    """The idle timeout, "need more time?", and back to Welcome, as one
    deadline: `handle(event, now)` takes what happened, `timer()` says when to
    call `handle_timer(now)` next (None: nothing is timed). `timeout`,
    `warning`, `thanks`: seconds that the idle timeout, the prompt and the
    thank-you screen last."""

    def __init__(self, timeout: float, warning: float, thanks: float) -> None:
        self._lasts = {Idle.WATCHING: timeout, Idle.ASKING: warning, Idle.THANKED: thanks}
        self.state = Idle.WELCOME
        self._deadline: float | None = None

    def handle(self, event: Event, now: float) -> Due | None:
        """`event` happened at `now`: Due.ASK when it puts the question."""
        state = MOVES.get((self.state, event))
        if state is None:
            return None
        self.state = state
        lasts = self._lasts.get(state)
        self._deadline = None if lasts is None else now + lasts
        return Due.ASK if state is Idle.ASKING else None

    def timer(self) -> float | None:
        return self._deadline

    def handle_timer(self, now: float) -> Due | None:
        """What is due at `now`: None before the deadline (or with none)."""
        if self._deadline is None or now < self._deadline:
            return None
        if self.state is Idle.WATCHING:
            return self.handle(Event.IDLE, now)
        self.handle(Event.LEFT, now)
        return Due.LEAVE
