"""Serving the web service's ASGI app over HTTP or HTTPS with uvicorn. The only module that imports uvicorn.

Touches a listening socket and the certificate and key files. The socket is
bound here before serving starts, so "serving" is only ever said of a port
that takes connections. No access log (tokens are in the paths); uvicorn's
own log lines go to the root logger. SIGTERM or SIGINT stop it cleanly:
`on_stop` is told at once (so open event streams end), then uvicorn waits
for the responses in flight, at most a few seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import ssl
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

import uvicorn

GRACEFUL_SECONDS = 5
MAX_CONNECTIONS = 2000


class ServeError(Exception):
    """The server could not start: the port, the certificate or the key, in words."""


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, on_stop: Callable[[], None] | None) -> None:
        super().__init__(config)
        self.on_stop = on_stop
        self._loop: asyncio.AbstractEventLoop | None = None

    async def serve(self, sockets: list[socket.socket] | None = None) -> None:
        self._loop = asyncio.get_running_loop()
        await super().serve(sockets)

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """uvicorn's, without raising the signal again once it has stopped (that would end the
        process before the service says goodbye to the broker and writes its sessions)."""
        handled = (signal.SIGINT, signal.SIGTERM)
        original = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in original.items():
                signal.signal(sig, handler)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        if self.on_stop is not None and self._loop is not None:
            self._loop.call_soon_threadsafe(self.on_stop)


class WebServer:
    def __init__(
        self,
        app: Any,
        host: str,
        port: int,
        *,
        certificate: str = "",
        key: str = "",
        proxies: tuple[str, ...] = (),
        on_stop: Callable[[], None] | None = None,
    ) -> None:
        """`proxies`: the addresses whose X-Forwarded-For is believed (web.proxies)."""
        self.host = host
        self.port = port
        self.tls = bool(certificate)
        self.config = uvicorn.Config(
            app,
            host=host,
            port=port,
            ssl_certfile=certificate or None,
            ssl_keyfile=key or None,
            log_config=None,  # our logging, as configured by the app
            access_log=False,  # paths hold tokens: never logged
            lifespan="off",
            ws="none",
            # The peer's own address counts for the rate limits, not a header anyone can send;
            # only the store's own reverse proxies may name the phone behind them.
            proxy_headers=bool(proxies),
            forwarded_allow_ips=list(proxies) or None,
            server_header=False,
            timeout_graceful_shutdown=GRACEFUL_SECONDS,
            # Every open page holds a connection (its event stream): a store's few hundred, with room;
            # past this uvicorn answers 503 instead of running out of file descriptors.
            limit_concurrency=MAX_CONNECTIONS,
        )
        self.server = _Server(self.config, on_stop)
        self.sock: socket.socket | None = None

    def bind(self) -> socket.socket:
        """Listen on host:port now (and load the certificate); ServeError in words if it cannot."""
        try:
            self.config.load()
        except (OSError, ssl.SSLError) as exc:
            raise ServeError(f"web.certificate / web.key: cannot be used for HTTPS: {exc}") from None
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.port))
        except OSError as exc:
            sock.close()
            raise ServeError(f"cannot listen on {self.host}:{self.port}: {exc.strerror or exc}") from None
        sock.listen(self.config.backlog)
        sock.set_inheritable(True)
        self.sock = sock
        self.port = sock.getsockname()[1]
        return sock

    async def serve(self) -> None:
        """Serve until SIGTERM or SIGINT (call `bind` first)."""
        if self.sock is None:
            self.bind()
        await self.server.serve(sockets=[self.sock])  # type: ignore[list-item]
