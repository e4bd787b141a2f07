"""Ticket numbers: the store's own format, and whether two kiosks would clash.

Pure: standard library only, no I/O.

A kiosk numbers each type's tickets from 1 every store-local day and writes
them with `kiosk.ticket_format` (default `{type}-{number:03d}`: `H-007`). Two
kiosks of one store must never hand out the same number on the same day, so
each gets its own format (`N{type}-{number:03d}` at the north entrance:
`NH-007`). Kiosks announce their format in their presence message; `clash`
tells a kiosk that another one would issue numbers it issues too.
"""

from __future__ import annotations

import re
from string import Formatter

from core.model import Kind

DEFAULT_FORMAT = "{type}-{number:03d}"
FIELDS = ("type", "number")
TICKET_MAX = 16  # the contract's limit for `ticket`
# Shown large, printed, typed into a console pager (`claim H-007`): no spaces.
_ALLOWED = re.compile(r"^[A-Za-z0-9_.#/-]+$")
_TRAILING_NUMBER = re.compile(r"(\d+)$")
# Enough numbers to compare two formats: more than a busy store's day of one type.
_SAMPLE = range(1, 1000)


class FormatError(ValueError):
    """The ticket format cannot be used; the message says why."""


def ticket_number(kind: Kind, n: int, fmt: str = DEFAULT_FORMAT) -> str:
    """`H-007`: the type's letter and the day's running number for that type."""
    return fmt.format(type=kind.prefix, number=n)


def check_format(fmt: str) -> str:
    """`fmt` if it makes short, distinct, typeable tickets; FormatError otherwise."""
    allowed = ", ".join("{" + name + "}" for name in FIELDS)
    try:
        names = [name for _text, name, _spec, _conv in Formatter().parse(fmt) if name is not None]
    except ValueError as exc:
        raise FormatError(f"{exc}; use {allowed}, e.g. {DEFAULT_FORMAT!r}") from None
    if sorted(set(names)) != sorted(FIELDS) or len(names) != len(FIELDS):
        raise FormatError(f"needs {{type}} and {{number}} once each, e.g. {DEFAULT_FORMAT!r}, got {fmt!r}")
    try:
        samples = [ticket_number(kind, n, fmt) for kind in Kind for n in (1, 2, 999)]
    except (ValueError, KeyError, IndexError, AttributeError, TypeError) as exc:
        raise FormatError(f"{exc}; use {allowed}, e.g. {DEFAULT_FORMAT!r}") from None
    for sample in samples:
        if len(sample) > TICKET_MAX or not _ALLOWED.match(sample):
            raise FormatError(
                f"makes {sample!r}: tickets are at most {TICKET_MAX} letters, digits or - _ . # /, no spaces"
            )
    if len(set(samples)) != len(samples):
        raise FormatError(f"gives two tickets the same number ({fmt!r})")
    return fmt


def number_of(ticket: str) -> int | None:
    """The running number at the end of a ticket (`NH-007` → 7), if it ends in one."""
    match = _TRAILING_NUMBER.search(ticket)
    return int(match.group(1)) if match else None


def clash(mine: str, theirs: str) -> str | None:
    """A ticket both formats would issue on one day, or None if they never meet."""
    issued = {ticket_number(kind, n, mine) for kind in Kind for n in _SAMPLE}
    for kind in Kind:
        for n in _SAMPLE:
            ticket = ticket_number(kind, n, theirs)
            if ticket in issued:
                return ticket
    return None
