"""What the pager offers to choose from, and who it shows on shift.

Pure: no I/O, no Kivy. The choices come from the core's one place for each
rule: the outcomes of a request's type (core/outcomes.py), the colleagues one
can hand over to (core/roster.py). The window renders these; the console
pager prints the same codes and names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from core.model import Request
from core.outcomes import outcome_words, outcomes_for
from core.roster import OnShift, Roster

LANGUAGE = "en"  # the window's staff words are English; the web pager also speaks Dutch and Chinese

ON_WORDS = {"pager": "pager", "phone": "phone", "pager+phone": "pager + phone"}


@dataclass(frozen=True)
class Choice:
    value: str  # what is sent: an outcome's code, a colleague's name
    words: str  # what the button says


def outcome_choices(request: Request, language: str = LANGUAGE) -> list[Choice]:
    """How a request of this type can end, in the order the core offers them."""
    return [Choice(code, outcome_words(code, language)) for code in outcomes_for(request.kind)]


def colleague_choices(roster: Roster, me: str) -> list[Choice]:
    """Whom `me` can hand a request over to: everyone else on shift and online."""
    return [Choice(name, name) for name in roster.colleagues(me)]


def resolve_title(request: Request) -> str:
    return f"Resolve {request.ticket}: how did it end?"


def handover_title(request: Request, choices: list[Choice]) -> str:
    if not choices:
        return f"Nobody else is on shift to take {request.ticket}"
    return f"Hand {request.ticket} over to"


@dataclass(frozen=True)
class ShiftChip:
    words: str  # "Ben · floor · pager"
    online: bool
    me: bool


def shift_chips(on_shift: Iterable[OnShift], me: str) -> list[ShiftChip]:
    """One chip per person, online first (core/roster.py's order)."""
    chips = []
    for person in on_shift:
        mine = person.name.casefold() == me.casefold()
        where = ON_WORDS.get(person.on, person.on) if person.online else "offline"
        name = f"{person.name} (you)" if mine else person.name
        chips.append(ShiftChip(f"{name} · {person.role} · {where}", person.online, mine))
    return chips


def shift_summary(on_shift: Iterable[OnShift]) -> str:
    people = list(on_shift)
    online = sum(1 for p in people if p.online)
    return f"On shift: {online} online" + (f", {len(people) - online} offline" if len(people) > online else "")
