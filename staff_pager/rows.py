"""What the pager shows: one row per open request, and the latest notice.

Pure: no I/O, no Kivy, no clock (the time is passed in). The pager window
renders these; the console pager has its own words.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from core.board import Board, Notice
from core.lifecycle import Action, offered
from core.live import UNHAPPY, LiveFigures, RuleAlert
from core.model import Feedback, Kind, PrinterState, Request, Status
from core.wire import PrinterReport
from core.words import HELP_TOPICS, PRINTER_WORDS, STAFF_KIND_WORDS

ACTION_WORDS = {
    Action.CLAIM: "Claim",
    Action.RESOLVE: "Resolve",
    Action.HANDOVER: "Hand over",
    Action.RELEASE: "Release",
}

# Waiting time against the store's target: people judge a wait fairly up to
# about three minutes and overestimate beyond it.
TARGET_SECONDS = 60
LATE_SECONDS = 180


@dataclass(frozen=True)
class Row:
    ticket: str
    kind: str  # "Help · North entrance": the type, and where the shopper asked
    details: str
    waited: str  # m:ss
    urgency: str  # ok | warn | late
    holder: str  # "" when nobody holds it
    actions: tuple[Action, ...]  # what I may do (core/lifecycle.py offered)
    escalated: bool
    ref: str = ""  # "kiosk-1/H-001": names the request even when two kiosks share a number


def describe(request: Request) -> str:
    d = request.details
    if request.kind is Kind.FIND:
        where = f" · aisle {d['aisle']}, shelf {d.get('shelf', '?')}" if d.get("aisle") else ""
        return d.get("item", "") + where
    if request.kind is Kind.RETURN:
        receipt = f"receipt {d['receipt']}" if d.get("receipt") else "no receipt"
        return f"{d.get('reason', '')} · {receipt}"
    topic = HELP_TOPICS.get(d.get("topic", ""), d.get("topic", ""))
    return f"{topic}: {d['note']}" if d.get("note") else topic


def waited(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def urgency(seconds: float) -> str:
    if seconds < TARGET_SECONDS:
        return "ok"
    return "warn" if seconds < LATE_SECONDS else "late"


def rows(board: Board, now: datetime) -> list[Row]:
    """The open requests, oldest first, as the pager's holder should see them."""
    shown = []
    for request in board.open_requests():
        wait = (now - request.created_at).total_seconds()
        mine = request.claimed_by == board.staff
        shown.append(
            Row(
                ticket=request.ticket,
                kind=f"{STAFF_KIND_WORDS[request.kind]} · {request.entrance or request.kiosk}",
                details=describe(request),
                waited=waited(wait),
                urgency=urgency(wait) if request.status is Status.OPEN else "ok",
                holder="You" if mine else (request.claimed_by or ""),
                actions=offered(request, board.staff),
                escalated=request.escalation > 0 and request.status is Status.OPEN,
                ref=f"{request.kiosk}/{request.ticket}",
            )
        )
    return shown


def sending_words(action: Action, ticket: str, to: str | None = None) -> str:
    """Said while the owning kiosk decides."""
    if action is Action.HANDOVER:
        return f"Handing {ticket} over to {to}…"
    return {Action.CLAIM: "Claiming", Action.RESOLVE: "Resolving"}.get(action, "Releasing") + f" {ticket}…"


def handed_by(notice: Notice) -> str | None:
    """Who handed the request over, when this notice is a hand over."""
    return notice.by if notice.kind == "handed" else None


def notice_words(notice: Notice, me: str = "") -> str:
    r = notice.request
    giver = handed_by(notice)
    if giver is not None:
        if r.claimed_by == me:
            return f"{giver} handed you {r.ticket} — go to the shopper"
        return f"{giver} handed {r.ticket} to {r.claimed_by}"
    if notice.kind == "new":
        return f"New: {r.ticket} · {STAFF_KIND_WORDS[r.kind]} · {describe(r)}"
    if notice.kind == "claimed":
        return f"You have {r.ticket} — go to the shopper"
    if notice.kind == "taken":
        return f"{r.ticket} was taken by {notice.by}"
    if notice.kind == "escalated":
        return f"Still waiting: {r.ticket} · {STAFF_KIND_WORDS[r.kind]} — can you go?"
    if notice.kind == "closed":
        return f"{r.ticket} {r.status.value}" + (f" by {r.claimed_by}" if r.claimed_by else "")
    return f"{r.ticket}: {r.claimed_by} is on it" if r.claimed_by else f"{r.ticket} is waiting again"


def printers_words(reports: Iterable[PrinterReport]) -> str:
    """The kiosk printers that need someone, one line; empty when all print."""
    # Shouted while it cannot print: someone must go to it now.
    wrong = [
        f"{r.kiosk} {PRINTER_WORDS[r.state] if r.state.prints else PRINTER_WORDS[r.state].upper()}"
        for r in sorted(reports, key=lambda r: r.kiosk)
        if r.state is not PrinterState.OK
    ]
    return ("Printer: " + "; ".join(wrong)) if wrong else ""


def unhappy_words(feedback: Feedback) -> str:
    """A manager's alert: an unhappy shopper who asked to be contacted."""
    reasons = ", ".join(feedback.reasons) or "no reason given"
    comment = f' "{feedback.comment}"' if feedback.comment else ""
    return f"Unhappy shopper at {feedback.kiosk}: {reasons}.{comment} Contact: {feedback.contact}"


@dataclass(frozen=True)
class FiguresView:
    """Today's figures as a manager's pager shows them: four tiles, a big value and a line under it."""

    waiting: str
    waiting_note: str
    service_level: str
    service_note: str
    satisfaction: str
    satisfaction_note: str
    unclaimed: str
    unclaimed_note: str


def figures_view(figures: LiveFigures, now: datetime) -> FiguresView:
    """`now`: the longest wait moves on from when the figures were counted."""
    if figures.waiting and figures.longest_wait is not None:
        longest = figures.longest_wait + max(0.0, (now - figures.at).total_seconds())
        waiting_note = f"longest {waited(longest)}"
    else:
        waiting_note = "nobody waiting"
    level = figures.service_level
    return FiguresView(
        waiting=str(figures.waiting),
        waiting_note=waiting_note,
        service_level="–" if level is None else f"{level:.0f} %",
        service_note=f"{figures.within_target} of {figures.due} in time",
        satisfaction="–" if figures.satisfaction is None else f"{figures.satisfaction:.0f}/100",
        satisfaction_note=f"{figures.responses} response{'s' * (figures.responses != 1)}",
        unclaimed=str(figures.unclaimed),
        # The report's two words: unclaimed (nobody claimed it, the shopper did not cancel) and, under it,
        # abandoned (cancelled before a claim) — the shoppers who gave up waiting.
        unclaimed_note=f"{figures.abandoned} abandoned",
    )


def rule_alert_words(alert: RuleAlert) -> str:
    """A manager's alert: a rule on the last minutes' responses or service level breached."""
    if alert.rule == UNHAPPY:
        return f"Many unhappy shoppers: {alert.hits} of the last {alert.total} responses ({alert.minutes} min)"
    return (
        f"Service level {alert.value:.0f} % in the last {alert.minutes} min (target {alert.threshold:.0f} %): "
        f"{alert.hits} of {alert.total} claimed in time"
    )
