"""`store-assist-web`: the store's web service — staff pagers on phones, the shopper's ticket, the entrance board.

    store-assist-web [--config config/web.toml] [--broker URL] [--listen H] [--port N] [--data-dir DIR]
                     [--public-url URL] [--log-level LEVEL]
    store-assist-web [--config …] accounts add|remove|pin|unlock|list …   (store_server/web_accounts.py)

Reads the config (shell/web_config.py), connects to the broker with a
persistent session, as a pager does (adapters/paho_transport.py), and serves
the pages (adapters/starlette_web.py, adapters/uvicorn_server.py) until
SIGTERM or Ctrl-C. With the broker down it says so once, serves the pages
anyway (the staff state says `"connected": false`) and connects when the
broker is there. Touches the config file, `web.data_dir`, the broker, a
listening socket, stdout and stderr. docs/web.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import logging
import os
import sys
from pathlib import Path

from adapters.argon2_hash import PinHasher
from adapters.file_outbox import FileOutbox
from adapters.paho_transport import PahoTransport
from adapters.starlette_web import make_app
from adapters.systemd_notify import Notifier
from adapters.uvicorn_server import ServeError, WebServer
from core import wire
from shell.config import ConfigError
from shell.loop import SystemClock
from shell.outbox import DurableOutbox
from shell.ports import StoreError, TransportError
from shell.web_config import WebConfig, default_web_config, load_web
from store_server.accounts import Accounts
from store_server.sessions import Sessions
from store_server.web_accounts import add_parser, run_accounts
from store_server.web_api import WebApi
from store_server.web_model import WebModel
from store_server.web_words import Words

# Named, not __name__: started as `python -m store_server.web_main` this module is __main__.
log = logging.getLogger("store_server.web_main")

PAGES = Path(__file__).with_name("web_pages")
TICK_SECONDS = 30.0


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="store-assist-web",
        description="The store's web service: staff pagers on phones (/staff), the shopper's ticket (/t/<token>), "
        "the entrance board (/board)",
        epilog="Staff accounts: store-assist-web accounts add NAME --role floor|returns|manager (see accounts --help).",
    )
    parser.add_argument(
        "--config", type=Path, default=default_web_config(), help="TOML config file (default: config/web.toml)"
    )
    parser.add_argument("--broker", help="broker URL, e.g. mqtt://127.0.0.1:1883")
    parser.add_argument("--listen", help="address to listen on (web.listen)")
    parser.add_argument("--port", type=int, help="port (web.port)")
    parser.add_argument("--data-dir", help="accounts, sessions and ratings (web.data_dir)")
    parser.add_argument("--public-url", help="the link printed tickets point to (web.public_url)")
    parser.add_argument(
        "--log-level", default="INFO", type=str.upper, choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        help="how much the log (stderr) says (default: INFO)",
    )  # fmt: skip
    add_parser(parser.add_subparsers(dest="command", metavar="accounts"))
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(
        level=args.log_level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
    )
    # Their DEBUG lines name topics and paths, and paths hold tokens: never below INFO.
    for noisy in ("paho", "uvicorn"):
        logging.getLogger(noisy).setLevel(max(logging.INFO, logging.getLogger().level))
    try:
        config = load_web(
            args.config,
            broker_url=args.broker,
            web_listen=args.listen,
            web_port=args.port,
            web_data_dir=args.data_dir,
            web_public_url=args.public_url,
        )
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    if args.command == "accounts":
        return run_accounts(config, args)
    log.info("config: %s", args.config or "built-in defaults (no config file)")
    try:
        return asyncio.run(serve(config))
    except KeyboardInterrupt:
        return 0


def subscriptions(store: str) -> list[str]:
    """docs/web.md "Broker": what the service follows."""
    return [
        wire.all_states(store),
        wire.all_tokens(store),
        wire.all_devices(store),
        wire.all_printers(store),
        wire.all_unhappy(store),  # passed to managers' sessions only
        wire.all_for_managers(store),
    ]


def hold(folder: Path) -> int:
    """One service per data dir (it writes sessions.json): an exclusive flock, released when the process ends."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise StoreError(f"{folder} is in use by another store-assist-web: one service per web.data_dir") from None
    return fd


async def serve(config: WebConfig) -> int:
    loop = asyncio.get_running_loop()
    web = config.web
    data = Path(web.data_dir)
    try:
        held = hold(data)
    except (StoreError, OSError) as exc:
        print(f"store-assist-web: {exc}", file=sys.stderr)
        return 1
    clock = SystemClock()
    model = WebModel(
        store_id=config.store.id,
        device_id=config.device.id,
        transport=None,  # type: ignore[arg-type]  # the link below, which needs the model's presence first
        clock=clock,
        tz=config.tz,
        grace=web.token_grace,
        data_dir=data,
    )
    try:
        link = PahoTransport.for_device(
            config.broker,
            config.device.id,
            subscriptions=subscriptions(config.store.id),
            presence=(wire.presence_topic(config.store.id, config.device.id), model.presence),
        )
    except TransportError as exc:
        print(f"store-assist-web: {exc}", file=sys.stderr)
        return 1
    model.transport = link
    outbox = DurableOutbox(link, FileOutbox(data / "outbox"))  # a shopper's cancel and rating, kept until sent
    api = WebApi(
        config=config,
        model=model,
        words=Words(),
        accounts=Accounts(data, PinHasher(), web.lockout_failures, web.lockout_minutes),
        sessions=Sessions(data, web.session_hours),
        outbox=outbox,
        clock=clock,
    )
    notifier = Notifier()

    def stopping() -> None:
        notifier.stopping("stopping")
        api.close()

    server = WebServer(
        make_app(api, PAGES, secure=web.tls), web.listen, web.port, certificate=web.certificate, key=web.key,
        proxies=web.proxy_addresses, on_stop=stopping,
    )  # fmt: skip
    try:
        server.bind()
    except ServeError as exc:
        print(f"store-assist-web: {exc}", file=sys.stderr)
        return 1
    link_was: list[bool | None] = [None]  # None: never connected yet

    def connection(up: bool) -> None:
        was, link_was[0] = link_was[0], up
        model.set_connected(up)
        if up:
            model.tell_presence(clock.now(), force=True)
            if was is not True:
                print(f"web: connected to the broker at {config.broker.url}", flush=True)
        elif was is None:  # once at start, not at every retry
            print(f"web: no broker yet ({link.problem or 'not connected'}); serving the pages meanwhile", flush=True)
        elif was:  # once per outage
            why = link.problem or "connection lost"
            print(f"web: lost the broker ({why}); serving the pages meanwhile, staff actions wait for it", flush=True)

    link.on_connection = lambda up: loop.call_soon_threadsafe(connection, up)
    link.start(lambda topic, payload: loop.call_soon_threadsafe(model.on_message, topic, payload))
    outbox.resend_pending()

    async def ticking() -> None:
        while True:
            await asyncio.sleep(TICK_SECONDS)  # a timer, not a wait for something
            api.tick(clock.now())

    async def watchdog(every: float) -> None:
        # From the service's own loop: a loop that stops turning stops the pings, and systemd restarts it.
        while True:
            notifier.ping()
            await asyncio.sleep(every)

    ticker = asyncio.create_task(ticking())
    pinger = asyncio.create_task(watchdog(notifier.ping_every)) if notifier.ping_every else None
    scheme = "https" if web.tls else "http"
    where = f"{scheme}://{web.listen}:{server.port}"
    public = "" if web.public_url.startswith(where) else f" (public_url {web.public_url})"
    print(f"web: serving {where} — staff /staff, board /board{public}; accounts in {data.resolve()}", flush=True)
    notifier.ready(f"serving {where}; data {data.resolve()}")
    try:
        await server.serve()
    finally:
        notifier.stopping("stopping")
        for task in (ticker, pinger):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        api.close()
        link.close()
        os.close(held)
        notifier.close()
    log.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
