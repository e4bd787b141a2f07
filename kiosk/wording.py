"""What the kiosk says to the shopper, worked out from plain values.

Pure: no I/O, no Kivy. The screens show these strings; keeping them here keeps
the screens dumb and lets the tests check the wording without a window.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.escalation import SERVICE_DESK
from core.model import Kind, Status
from shell.kiosk_service import TicketView

KIND_WORDS = {Kind.FIND: "Find an item", Kind.RETURN: "Return an item", Kind.HELP: "Ask for help"}

HELP_TOPICS = (("question", "Product question"), ("complaint", "Complaint"), ("other", "Something else"))
RETURN_REASONS = ("Wrong size", "Damaged or faulty", "Not as described", "Changed my mind", "Other")
FACES = ((1, "Very unhappy"), (2, "Unhappy"), (3, "Happy"), (4, "Very happy"))


def greeting(hour: int) -> str:
    """Good morning / afternoon / evening, by the store's local hour."""
    if 5 <= hour < 12:
        return "Good morning"
    if 12 <= hour < 18:
        return "Good afternoon"
    return "Good evening"


@dataclass(frozen=True)
class TicketWords:
    number: str
    kind: str
    headline: str
    detail: str
    printer: str  # empty when the ticket was printed
    final: bool


def ticket_words(view: TicketView) -> TicketWords:
    """The ticket screen for one request, as it stands now."""
    request = view.request
    if request.status is Status.OPEN:
        place = view.place_in_line
        headline = "You are next in line" if place <= 1 else f"You are number {place} in line"
        detail = "A staff member has been called and will come to you here."
        if request.escalation >= SERVICE_DESK:
            headline = "Please go to the service desk"
            detail = "We are sorry nobody could come to you. Show your ticket at the service desk."
        elif request.escalation:
            detail = "We are still looking for someone to help you. Thank you for your patience."
    elif request.status is Status.CLAIMED:
        headline = f"{request.claimed_by} is on the way"
        detail = "Please stay near the kiosk."
    elif request.status is Status.RESOLVED:
        headline = "Thank you for waiting"
        detail = f"{request.claimed_by} has dealt with your request." if request.claimed_by else "Your request is done."
    else:
        headline = "Request cancelled"
        detail = "Tap below if you need anything else."
    printer = ""
    if not view.printed:
        printer = "Your ticket could not be printed. Please remember your number."
    return TicketWords(
        number=request.ticket,
        kind=KIND_WORDS[request.kind],
        headline=headline,
        detail=detail,
        printer=printer,
        final=request.status.is_final,
    )


def connection_words(up: bool) -> str:
    return "" if up else "Staff pagers are not reachable right now: your request is kept and sent when they are back."
