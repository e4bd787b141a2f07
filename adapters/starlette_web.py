"""HTTP with Starlette: the routes of docs/web.md, Server-Sent Events, security headers, gzip.
The only module that imports starlette.

Touches the pages folder (read only). Every answer is decided by the handler
object it is given (store_server/web_api.py) through shell/web_ports.py;
this file only turns HTTP into `Call`s and answers into HTTP. Every response,
errors included, carries the security headers (`SecurityHeaders`, outside
everything else). HTML and JSON are gzipped when the browser accepts it;
Starlette's GZipMiddleware leaves `text/event-stream` alone (its default
exclusions), so an event reaches the page the moment it is written.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shell.web_ports import SESSION_COOKIE, Call, Event, Page, Reply, Stream

MAX_BODY = 16 * 1024
RETRY_MS = 2000  # how soon a browser reconnects a dropped event stream
CSP = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
SECURITY_HEADERS = {
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
}
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".webmanifest": "application/manifest+json",
    ".png": "image/png",
}
_INLINE = re.compile(r"<(script|style)(?![^>]*\bsrc=)[^>]*>(.*?)</\1\s*>", re.S | re.I)

# (method, path, the handler's method name)
ROUTES = (
    ("POST", "/api/login", "login"),
    ("POST", "/api/logout", "logout"),
    ("GET", "/api/staff/state", "staff_state"),
    ("GET", "/api/staff/events", "staff_events"),
    ("POST", "/api/staff/act", "act"),
    ("GET", "/api/staff/sounds", "sounds"),
    ("GET", "/api/staff/outcomes", "outcomes"),
    ("GET", "/staff", "staff_page"),
    ("GET", "/staff/", "staff_page"),
    ("GET", "/staff/{name}", "staff_file"),
    ("GET", "/t/{token}", "ticket_page"),
    ("GET", "/t/{token}/state", "ticket_state"),
    ("GET", "/t/{token}/events", "ticket_events"),
    ("POST", "/t/{token}/cancel", "cancel"),
    ("POST", "/t/{token}/rate", "rate"),
    ("GET", "/board", "board_page"),
    ("GET", "/board/state", "board_state"),
    ("GET", "/board/events", "board_events"),
)


def page_csp(html: bytes) -> str:
    """The CSP of one page: its own inline scripts and styles allowed by their SHA-256, nothing else."""
    hashes: dict[str, list[str]] = {"script": [], "style": []}
    for tag, body in _INLINE.findall(html.decode("utf-8", errors="replace")):
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        hashes[tag.lower()].append(f"'sha256-{digest}'")
    extra = "".join(f"; {tag}-src 'self' {' '.join(found)}" for tag, found in hashes.items() if found)
    return CSP + extra


class Pages:
    """The pages folder's files, read again when they change (the files are small)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._cache: dict[str, tuple[int, bytes, str]] = {}

    def response(self, name: str) -> Response:
        path = self.folder / name
        try:
            stamp = path.stat().st_mtime_ns
        except OSError:
            return PlainTextResponse("Not found", 404)
        cached = self._cache.get(name)
        if cached is None or cached[0] != stamp:
            body = path.read_bytes()
            cached = (stamp, body, page_csp(body) if path.suffix == ".html" else CSP)
            self._cache[name] = cached
        media = CONTENT_TYPES.get(path.suffix, "application/octet-stream")
        return Response(cached[1], media_type=media, headers={"content-security-policy": cached[2]})


class SecurityHeaders:
    """Adds the contract's headers to every response that has not set its own (a page's CSP)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items() if k.encode() not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _sse(stream: Stream) -> AsyncIterator[bytes]:
    async def lines() -> AsyncIterator[bytes]:
        yield f"retry: {RETRY_MS}\n\n".encode()
        async for item in stream.events:
            if item is None:
                yield b": still here\n\n"
            else:
                yield _event(item)

    return lines()


def _event(event: Event) -> bytes:
    data = "".join(f"data: {line}\n" for line in event.data.split("\n"))
    return f"id: {event.id}\nevent: {event.event}\n{data}\n".encode()


def _reply(reply: Reply, secure: bool) -> Response:
    if isinstance(reply.body, str):
        response: Response = PlainTextResponse(reply.body, reply.status)
    elif reply.body is None:
        response = Response(status_code=reply.status)
    else:
        body = json.dumps(reply.body, ensure_ascii=False, separators=(",", ":")).encode()
        response = Response(body, reply.status, media_type="application/json; charset=utf-8")
    cookie: dict[str, Any] = {"path": "/", "httponly": True, "samesite": "strict", "secure": secure}
    if reply.set_session:
        response.set_cookie(SESSION_COOKIE, reply.set_session, max_age=reply.cookie_hours * 3600, **cookie)
    elif reply.clear_session:
        response.delete_cookie(SESSION_COOKIE, **cookie)
    return response


async def _call(request: Request) -> Call:
    body: Any = None
    bad = ""
    if request.method == "POST":
        raw = b""
        async for chunk in request.stream():  # read no more than MAX_BODY of whatever is sent
            raw += chunk
            if len(raw) > MAX_BODY:
                break
        if len(raw) > MAX_BODY:
            bad = f"the body is over {MAX_BODY} bytes"
        elif raw:
            if "json" not in request.headers.get("content-type", ""):
                bad = "send JSON (Content-Type: application/json)"
            else:
                try:
                    body = json.loads(raw)
                except (ValueError, RecursionError):
                    bad = "the body is not JSON"
    return Call(
        address=request.client.host if request.client else "",
        path={k: str(v) for k, v in request.path_params.items()},
        session=request.cookies.get(SESSION_COOKIE),
        body=body,
        bad_body=bad,
        last_event_id=request.headers.get("last-event-id"),
    )


def make_app(
    handler: object,
    pages_folder: Path,
    *,
    secure: bool,
) -> ASGIApp:
    """The service's ASGI app; `handler` has one async method per route (ROUTES), taking a Call."""
    pages = Pages(pages_folder)

    def endpoint(name: str) -> Callable[[Request], Awaitable[Response]]:
        method = getattr(handler, name)

        async def run(request: Request) -> Response:
            answer = await method(await _call(request))
            if isinstance(answer, Page):
                return pages.response(answer.name)
            if isinstance(answer, Stream):
                headers = {"x-accel-buffering": "no"}  # a proxy in front must not hold events back
                return StreamingResponse(_sse(answer), media_type="text/event-stream", headers=headers)
            return _reply(answer, secure)

        return run

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        if status == 404:
            return PlainTextResponse("Not found", 404)
        words = exc.detail if isinstance(exc, HTTPException) else "something went wrong in the service"
        return Response(json.dumps({"error": words}), status, media_type="application/json")

    routes = [Route(path, endpoint(name), methods=[method]) for method, path, name in ROUTES]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(GZipMiddleware, minimum_size=500)],
        exception_handlers={HTTPException: http_error},
    )
    return SecurityHeaders(app)
