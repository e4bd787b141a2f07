"""The web service's port: what an HTTP call brings and what it gets back, with no web library in sight.

Pure data. adapters/starlette_web.py turns HTTP requests into `Call`s and
`Reply` / `Page` / `Stream` into HTTP responses; store_server/web_api.py
decides every answer. docs/web.md is the contract both keep.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

SESSION_COOKIE = "sa_session"


@dataclass(frozen=True)
class Call:
    address: str  # the client's IP address
    path: dict[str, str] = field(default_factory=dict)  # the route's parameters (a token)
    session: str | None = None  # the session cookie's value
    body: Any = None  # the JSON body, when it was one
    bad_body: str = ""  # why the body could not be read as JSON (then `body` is None)
    last_event_id: str | None = None


@dataclass(frozen=True)
class Reply:
    """`body`: a dict or list is sent as JSON, a str as plain text, None as nothing."""

    status: int
    body: Any = None
    set_session: str | None = None  # a new session id for the cookie
    clear_session: bool = False
    cookie_hours: int = 12


@dataclass(frozen=True)
class Page:
    """A file of the pages folder (store_server/web_pages/), sent as it is."""

    name: str


@dataclass(frozen=True)
class Event:
    """One Server-Sent Event: `data` is JSON text."""

    event: str
    id: int
    data: str


@dataclass(frozen=True)
class Stream:
    """An event stream: `events` yields an Event, or None when there was nothing to send for a while
    (the adapter sends a comment line then, to keep proxies open)."""

    events: AsyncIterator[Event | None]


Answer = Reply | Page | Stream
Handler = Callable[[Call], Awaitable[Answer]]
