"""What each page is sent, as JSON-ready dicts: the staff state, the ticket view, the board (docs/web.md).

Pure apart from reading the web model; time is passed in. Roles are enforced
here, by the server: `figures` and `unhappy` (shoppers' contact details) are
filled for managers only, and a request's `details` never hold contact
details (requests have none). The ticket view holds nothing the shopper
typed, no contact, and the helper's first name only (core/phone.py).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from core.lifecycle import Role, offered
from core.live import LiveFigures
from core.model import FACES, Kind, Request, Status
from core.outcomes import outcomes_for
from core.phone import board_view, shopper_view
from core.records import to_iso_utc
from store_server.web_model import Member, WebModel
from store_server.web_words import Words

LATE_TIMES = 3  # a wait past three targets is late: people overestimate waits beyond about three minutes


def iso(moment: datetime | None) -> str | None:
    return to_iso_utc(moment) if moment is not None else None


def urgency(waited: float, target: int) -> str:
    if waited < target:
        return "ok"
    return "warn" if waited < LATE_TIMES * target else "late"


def request_row(request: Request, me: str, now: datetime, targets: dict[Kind, int]) -> dict[str, Any]:
    waited = max(0, int((now - request.created_at).total_seconds()))
    target = targets[request.kind]
    return {
        "id": request.id,
        "ticket": request.ticket,
        "kind": request.kind.value,
        "kiosk": request.kiosk,
        "entrance": request.entrance,
        "status": request.status.value,
        "seq": request.seq,
        "created_at": iso(request.created_at),
        "waited_seconds": waited,
        "target_seconds": target,
        "urgency": urgency(waited, target) if request.status is Status.OPEN else "ok",
        "escalation": request.escalation,
        "claimed_by": request.claimed_by,
        "details": dict(request.details),
        "actions": [action.value for action in offered(request, me)],
        "outcomes": list(outcomes_for(request.kind)),
    }


def figures_body(figures: LiveFigures | None) -> dict[str, Any] | None:
    if figures is None:
        return None
    body = asdict(figures)
    body["day"] = figures.day.isoformat() if isinstance(figures.day, date) else figures.day
    body["at"] = iso(figures.at)
    return body


def staff_state(model: WebModel, member: Member, now: datetime, targets: dict[Kind, int]) -> dict[str, Any]:
    board = member.service.board
    manager = board.role is Role.MANAGER
    roster = model.roster
    return {
        "me": {"name": member.name, "role": member.role},
        "at": iso(now),
        "connected": model.connected,
        "requests": [request_row(r, board.staff, now, targets) for r in board.open_requests()],
        "on_shift": [{"name": p.name, "role": p.role, "online": p.online, "on": p.on} for p in roster.on_shift()],
        "colleagues": roster.colleagues(member.name),
        "printers": [
            {"kiosk": p.kiosk, "state": p.state.value, "detail": p.detail, "at": iso(p.at)}
            for p in sorted(model.printers.values(), key=lambda p: p.kiosk)
            if not p.state.prints or p.state.value != "ok"
        ],
        # For managers only: a floor or returns session never receives these (docs/web.md).
        "figures": figures_body(model.figures) if manager else None,
        "unhappy": [unhappy_row(f) for f in model.todays_unhappy(now)] if manager else [],
    }


def unhappy_row(feedback: Any) -> dict[str, Any]:
    return {
        "feedback_id": feedback.id,
        "kiosk": feedback.kiosk,
        "rating": feedback.rating,
        "face": FACES[feedback.rating],
        "reasons": list(feedback.reasons),
        "comment": feedback.comment,
        "contact": feedback.contact,
        "given_at": iso(feedback.given_at),
    }


def ticket_view(model: WebModel, words: Words, request: Request, now: datetime) -> dict[str, Any]:
    view = shopper_view(
        request,
        model.live_requests(),
        list(model.claims[request.kind]),
        now,
        rated=request.id in model.rated,
        grace=model.grace,
    )
    return {
        "ticket": view.ticket,
        "stands": view.stands,
        "place_in_line": view.place_in_line,
        "wait_seconds": view.wait_seconds,
        "helper": view.helper,
        "can_cancel": view.can_cancel,
        "can_rate": view.can_rate,
        "seq": view.seq,
        "language": view.language,
        "words": words.ticket(request, view),
    }


def board(model: WebModel, words: Words, now: datetime) -> dict[str, Any]:
    view = board_view(model.live_requests(), now, model.tz)
    return {
        "helped_now": list(view.helped_now),
        "waiting": view.waiting,
        "usual_minutes": view.usual_minutes,
        "words": words.board(view.waiting, view.usual_minutes),
    }
