"""`python run_pager.py`: read the config, wire MQTT, start a front.

`--console` for the terminal front; otherwise the Kivy pager window.
"""

from __future__ import annotations

import argparse
import logging
import shlex
import sys
from collections.abc import Callable
from pathlib import Path

from adapters.paho_transport import PahoTransport
from core import wire
from core.board import Board
from shell.config import ROLES, ConfigError, PagerConfig, default_config, load_pager
from shell.device import Device
from shell.display import has_display
from shell.loop import Loop, SystemClock, connection_words
from shell.pager_service import PagerService

log = logging.getLogger(__name__)

NO_DISPLAY = """\
No display found (DISPLAY and WAYLAND_DISPLAY are not set), so the pager window cannot open.
Run the terminal pager instead:
    python run_pager.py --console --staff YOUR_NAME"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="run_pager.py", description="Store Assist staff pager")
    parser.add_argument(
        "--config",
        type=Path,
        default=default_config("pager.toml"),
        help="TOML config file (default: config/pager.toml)",
    )
    parser.add_argument("--broker", help="broker URL, e.g. mqtt://127.0.0.1:1883")
    parser.add_argument("--store", help="store id")
    parser.add_argument("--device", help="this pager's device id")
    parser.add_argument("--staff", help="sign in as this staff member")
    parser.add_argument("--role", choices=ROLES)
    parser.add_argument("--console", action="store_true", help="terminal front on stdin/stdout")
    parser.add_argument("--log-level", default="WARNING")
    return parser.parse_args(argv)


def build(config: PagerConfig, staff: str, call_soon: Callable[..., None]) -> Device[PagerService]:
    """The pager's parts for `staff`, not started; `call_soon(fn, *args)` hands
    broker messages to the front's thread."""
    board = Board(staff, config.staff.role)
    link = PahoTransport.for_device(
        config.broker,
        config.device.id,
        subscriptions=PagerService.topics(config.store.id, config.staff.role),
        presence=(
            wire.presence_topic(config.store.id, config.device.id),
            lambda online, at: wire.encode_presence(
                wire.Presence(config.device.id, config.staff.role, online, at, name=board.staff)
            ),
        ),
    )
    service = PagerService(board=board, store_id=config.store.id, transport=link, clock=SystemClock())
    return Device(service, link, service.on_message, call_soon, [link.close])


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # force: python-escpos calls logging.basicConfig() when it is imported.
    logging.basicConfig(
        level=args.log_level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )
    try:
        config = load_pager(
            args.config,
            broker_url=args.broker,
            store_id=args.store,
            device_id=args.device,
            staff_name=args.staff,
            staff_role=args.role,
        )
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    log.info("config: %s", args.config or "built-in defaults (no config file)")
    if args.console:
        if not config.staff.name.strip():
            print("config error: staff.name: sign in with --staff NAME", file=sys.stderr)
            return 2
        return run_console(config)
    if not has_display():
        print(NO_DISPLAY, file=sys.stderr)
        return 2
    from staff_pager.app import run_app

    return run_app(config, build)


def run_console(config: PagerConfig) -> int:
    from staff_pager.console import ConsolePager

    loop = Loop()
    device = build(config, config.staff.name, loop.call_soon)
    service = device.service
    front = ConsolePager(service, loop)
    device.start(lambda up: front.say(*connection_words(up, device.problem)))
    front.say("ready", shlex.quote(service.board.staff), f"store={config.store.id}", f"role={config.staff.role}")
    front.start_reader(sys.stdin)
    try:
        loop.run()
    except KeyboardInterrupt:
        pass
    finally:
        device.close()
    return 0
