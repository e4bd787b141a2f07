"""Where a shopper's request stands, in their words: the kiosk's ticket screen,
the printed ticket and the shopper's phone page say the same sentences.

Pure: no I/O. Every sentence is an English message id of the kiosk's catalogs
(kiosk/locale), translated through the `_` the caller passes (the kiosk's
screen language, or the web service's catalogs for the phone page);
tests/test_languages.py reads the message ids from this file too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.escalation import SERVICE_DESK
from core.model import Request, Status

Translate = Callable[[str], str]


def _same(message: str) -> str:
    return message


def N_(message: str) -> str:
    """Marks a message id named here and translated where it is shown."""
    return message


AFTER_CANCEL_AT_KIOSK = N_("Tap below if you need anything else.")  # the ticket screen has buttons below


@dataclass(frozen=True)
class StandWords:
    headline: str
    detail: str
    wait: str  # the expected wait, while nobody has come yet; "" otherwise


def place_words(place: int, _: Translate = _same) -> str:
    if place <= 1:
        return _("You are next in line")
    return _("You are number {place} in line").format(place=place)


def wait_words(seconds: int, _: Translate = _same) -> str:
    if seconds < 60:
        return _("Expected wait: less than a minute")
    return _("Expected wait: about {minutes} min").format(minutes=round(seconds / 60))


def stand_words(
    request: Request,
    place: int,
    wait_seconds: int,
    _: Translate = _same,
    *,
    helper: str | None = None,
    after_cancel: str = AFTER_CANCEL_AT_KIOSK,
) -> StandWords:
    """`helper`: who is coming or came, as the shopper is told (the holder's
    name by default); `after_cancel`: the message id said under "Request
    cancelled" (the kiosk's screen has a button below, a phone has not)."""
    name = request.claimed_by if helper is None else helper
    wait = ""
    if request.status is Status.OPEN:
        headline = place_words(place, _)
        detail = _("A staff member has been called and will come to you here.")
        if request.escalation >= SERVICE_DESK:
            headline = _("Please go to the service desk")
            detail = _("We are sorry nobody could come to you. Show your ticket at the service desk.")
        elif request.escalation:
            detail = _("We are still looking for someone to help you. Thank you for your patience.")
        else:
            wait = wait_words(wait_seconds, _)
    elif request.status is Status.CLAIMED:
        headline = _("{name} is on the way").format(name=name)
        detail = _("Please stay near the kiosk.")
    elif request.status is Status.RESOLVED:
        headline = _("Thank you for waiting")
        detail = _("{name} has dealt with your request.").format(name=name) if name else _("Your request is done.")
    else:
        headline = _("Request cancelled")
        detail = _(after_cancel)
    return StandWords(headline, detail, wait)
