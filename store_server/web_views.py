"""What each page is sent, as JSON-ready dicts: the staff state, the ticket view, the board (docs/web.md).

Pure apart from reading the web model; time is passed in. Roles are enforced
here, by the server: `figures` and `unhappy` (shoppers' contact details) are
filled for managers only, and a request's `details` never hold contact
details (requests have none). The ticket view holds nothing the shopper
typed, no contact, and the helper's first name only (core/phone.py).
"""

from __future__ import annotations

import json
import secrets
from bisect import bisect_left
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from functools import cache
from heapq import merge
from typing import Any

from core.board import Board
from core.lifecycle import Action, Role, offered
from core.live import LiveFigures
from core.model import FACES, Kind, PrinterState, Request, Status
from core.outcomes import outcomes_for
from core.phone import board_view, shopper_view
from core.records import to_iso_utc
from store_server.web_model import Member, WebModel
from store_server.web_words import Words

# A staff member who holds nothing: 160 random bits no staff member is named.
NOBODY = secrets.token_hex(20)
FRESH = timedelta(seconds=1)  # a view made this long ago is made again, change or not
LATE_TIMES = 3  # a wait past three targets is late: people overestimate waits beyond about three minutes


def iso(moment: datetime | None) -> str | None:
    return to_iso_utc(moment) if moment is not None else None


def urgency(waited: float, target: int) -> str:
    if waited < target:
        return "ok"
    return "warn" if waited < LATE_TIMES * target else "late"


def request_row(request: Request, now: datetime, targets: dict[Kind, int]) -> dict[str, Any]:
    """One request on a staff page, but for its actions (which are the member's: core/lifecycle.py offered)."""
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
        "outcomes": list(outcomes_for(request.kind)),
    }


def figures_body(figures: LiveFigures | None) -> dict[str, Any] | None:
    if figures is None:
        return None
    body = asdict(figures)
    body["day"] = figures.day.isoformat() if isinstance(figures.day, date) else figures.day
    body["at"] = iso(figures.at)
    return body


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


class Views:
    """Made once per change and shared by every stream that sends it: a change reaches twenty staff
    pages and two hundred ticket pages within milliseconds, not after as many full renders."""

    def __init__(self, model: WebModel, words: Words, targets: dict[Kind, int]) -> None:
        self.model = model
        self.words = words
        self.targets = targets
        self._counter = -1
        self._now = datetime.min.replace(tzinfo=UTC)
        self._rows: dict[tuple[str, int], str] = {}  # a request's row as JSON, but for its actions
        self._shared: dict[str, Any] = {}
        self._lines: dict[tuple[Kind, str], tuple[tuple[int, int], list[Request]]] = {}
        self._nobody: dict[Role, Board] = {}

    def _fresh(self) -> datetime:
        now = self.model.clock.now()
        if self.model.counter != self._counter or now - self._now >= FRESH:
            self._counter, self._now = self.model.counter, now
            self._rows, self._shared = {}, {}
        return self._now

    # -- staff --------------------------------------------------------------------------

    def staff_text(self, member: Member) -> str:
        """The staff state (docs/web.md) as JSON text."""
        now = self._fresh()
        board = member.service.board
        manager = board.role is Role.MANAGER
        # Every member of a role sees the same rows (core/board.py concerns, core/lifecycle.py
        # offered) but for the requests they hold themselves: those rows are made per member.
        shared = self._for_role(board.role)
        mine = [r for r in self._held_by().get(board.staff, ()) if board.concerns(r)]
        if not mine:
            rows = shared[1]
        else:
            own = {r.id for r in mine}
            others = [(key, text) for key, request_id, text in shared[0] if request_id not in own]
            held = [((r.created_at, r.ticket), self._row(r, now) + actions_text(offered(r, board.staff)) + "}")
                    for r in mine]  # fmt: skip
            rows = ",".join(text for _key, text in merge(others, held, key=lambda row: row[0]))
        head = dumps({"me": {"name": member.name, "role": member.role}, "at": iso(now),
                      "connected": self.model.connected})  # fmt: skip
        tail = {
            "on_shift": self._on_shift(),
            "colleagues": self.model.roster.colleagues(member.name),
            "printers": self._printers(),
            # For managers only: a floor or returns session never receives these (docs/web.md).
            "figures": figures_body(self.model.figures) if manager else None,
            "unhappy": [unhappy_row(f) for f in self.model.todays_unhappy(now)] if manager else [],
        }
        return head[:-1] + ',"requests":[' + rows + "]," + dumps(tail)[1:]

    def _row(self, request: Request, now: datetime) -> str:
        """A request's row as JSON, up to its actions."""
        key = (request.id, request.seq)
        start = self._rows.get(key)
        if start is None:
            start = self._rows[key] = dumps(request_row(request, now, self.targets))[:-1] + ',"actions":'
        return start

    def _for_role(self, role: Role) -> tuple[list[tuple[tuple[datetime, str], str, str]], str]:
        """The rows a member of `role` sees of requests they do not hold, oldest first, and joined:
        as the board of a staff member who holds nothing shows them."""
        key = f"role:{role.value}"
        if key not in self._shared:
            nobody = self._nobody.setdefault(role, Board(NOBODY, role))
            rows = [
                ((r.created_at, r.ticket), r.id, self._row(r, self._now) + actions_text(offered(r, NOBODY)) + "}")
                for r in self._open()
                if nobody.concerns(r)
            ]
            self._shared[key] = (rows, ",".join(text for _key, _id, text in rows))
        return self._shared[key]  # type: ignore[no-any-return]

    def _held_by(self) -> dict[str, list[Request]]:
        if "held" not in self._shared:
            held: dict[str, list[Request]] = {}
            for request in self._open():
                if request.claimed_by is not None:
                    held.setdefault(request.claimed_by, []).append(request)
            self._shared["held"] = held
        return self._shared["held"]  # type: ignore[no-any-return]

    def _open(self) -> list[Request]:
        """Every open request, oldest first (core/board.py's order): each member's board is fed
        the same states as the model, so one sort serves them all."""
        if "open" not in self._shared:
            self._shared["open"] = sorted(
                (r for r in self.model.live_requests() if not r.status.is_final), key=lambda r: (r.created_at, r.ticket)
            )
        return self._shared["open"]  # type: ignore[no-any-return]

    def staff(self, member: Member) -> dict[str, Any]:
        return json.loads(self.staff_text(member))  # type: ignore[no-any-return]

    def _on_shift(self) -> list[dict[str, Any]]:
        if "on_shift" not in self._shared:
            self._shared["on_shift"] = [
                {"name": p.name, "role": p.role, "online": p.online, "on": p.on} for p in self.model.roster.on_shift()
            ]
        return self._shared["on_shift"]  # type: ignore[no-any-return]

    def _printers(self) -> list[dict[str, Any]]:
        return [
            {"kiosk": p.kiosk, "state": p.state.value, "detail": p.detail, "at": iso(p.at)}
            for p in sorted(self.model.printers.values(), key=lambda p: p.kiosk)
            if p.state is not PrinterState.OK
        ]

    # -- the shopper's ticket ---------------------------------------------------------------

    def _ahead(self, request: Request) -> list[Request]:
        """The open requests of its line taken before it (what core/waiting.py place_in_line counts)."""
        if request.status is not Status.OPEN:
            return []
        group = (request.kind, request.kiosk)
        version = self.model.line_version(request)
        cached = self._lines.get(group)
        if cached is None or cached[0] != version:
            line = [r for r in self.model.live_requests() if (r.kind, r.kiosk) == group and r.status is Status.OPEN]
            line.sort(key=lambda r: (r.created_at, r.ticket))
            cached = self._lines[group] = (version, line)
        line = cached[1]
        return line[: bisect_left(line, (request.created_at, request.ticket), key=lambda r: (r.created_at, r.ticket))]

    def ticket_key(self, request: Request) -> tuple[int, int, bool, bool]:
        """What a ticket view depends on, but for the time: a stream sends a view again only when it changed."""
        place = len(self._ahead(request)) + 1 if request.status is Status.OPEN else 0
        rated = request.id in self.model.rated
        return request.seq, place, rated, bool(request.token)

    def ticket(self, request: Request) -> dict[str, Any]:
        """The ticket view (docs/web.md)."""
        now = self._fresh()
        model = self.model
        view = shopper_view(request, self._ahead(request), list(model.claims[request.kind]), now,
                            rated=request.id in model.rated, grace=model.grace)  # fmt: skip
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
            "words": self.words.ticket(request, view),
        }

    # -- the entrance board -----------------------------------------------------------------

    def board_text(self) -> str:
        now = self._fresh()
        if "board" not in self._shared:
            view = board_view(self.model.live_requests(), now, self.model.tz)
            self._shared["board"] = dumps(
                {
                    "helped_now": list(view.helped_now),
                    "waiting": view.waiting,
                    "usual_minutes": view.usual_minutes,
                    "words": self.words.board(view.waiting, view.usual_minutes),
                    "connected": self.model.connected,  # the page greys its numbers without the broker
                }
            )
        return self._shared["board"]  # type: ignore[no-any-return]


@cache
def actions_text(actions: tuple[Action, ...]) -> str:
    return dumps([action.value for action in actions])


def dumps(body: Any) -> str:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))
