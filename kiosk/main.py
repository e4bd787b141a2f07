"""`python run_kiosk.py`: read the config, wire the adapters, start a front.

The only place where the kiosk's adapters meet: storage, printer, MQTT.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from adapters.file_outbox import FileOutbox
from adapters.paho_transport import PahoTransport
from adapters.rapidfuzz_similar import similar
from adapters.tinydb_store import TinyDBEventLog
from core import wire
from core.desk import Desk
from core.finder import Finder
from kiosk.catalog_file import CatalogError, load_catalog
from kiosk.printing import print_spool, printer_setup
from kiosk.supervision import supervised
from shell.config import ConfigError, KioskConfig, default_config, load_kiosk
from shell.device import Device
from shell.display import has_display
from shell.kiosk_service import KioskService
from shell.loop import Loop, SystemClock, connection_words
from shell.outbox import DurableOutbox
from shell.ports import StoreError
from shell.steady_clock import SteadyClock

log = logging.getLogger(__name__)

NO_DISPLAY = """\
No display found (DISPLAY and WAYLAND_DISPLAY are not set), so the touchscreen kiosk cannot open.
Run it headless instead, with commands on stdin and events on stdout:
    python run_kiosk.py --headless
or on a virtual screen:
    xvfb-run -a python run_kiosk.py"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="run_kiosk.py", description="Store Assist entrance kiosk")
    parser.add_argument(
        "--config",
        type=Path,
        default=default_config("kiosk.toml"),
        help="TOML config file (default: config/kiosk.toml)",
    )
    parser.add_argument("--broker", help="broker URL, e.g. mqtt://127.0.0.1:1883")
    parser.add_argument("--printer", help="printer port or pyserial URL (/dev/ttyUSB0, socket://host:9100)")
    parser.add_argument("--data-dir", help="folder for the request and feedback logs")
    parser.add_argument("--store", help="store id")
    parser.add_argument("--device", help="this kiosk's device id")
    parser.add_argument("--headless", action="store_true", help="text front on stdin/stdout")
    parser.add_argument("--log-level", default="INFO")
    return parser.parse_args(argv)


def load_config(args: argparse.Namespace) -> KioskConfig:
    return load_kiosk(
        args.config,
        broker_url=args.broker,
        printer_port=args.printer,
        storage_data_dir=args.data_dir,
        store_id=args.store,
        device_id=args.device,
    )


def build(config: KioskConfig, call_soon: Callable[..., None]) -> Device[KioskService]:
    """The kiosk's parts, not started; `call_soon(fn, *args)` hands broker
    messages and printer results to the front's thread."""
    tz = ZoneInfo(config.store.timezone)
    event_log = TinyDBEventLog(Path(config.storage.data_dir))
    # Two days back covers a request taken just before midnight.
    today = SystemClock().now().date()
    entries = event_log.entries_since(today.fromordinal(today.toordinal() - 2))
    # A clock that never runs backwards (an NTP step back), nor below what the log already holds.
    clock = SteadyClock(floor=max((e.at for e in entries), default=None))
    desk = Desk.restore(
        config.device.id,
        tz,
        entries,
        config.escalation.limits(),
        ticket_format=config.kiosk.ticket_format,
        entrance=config.kiosk.entrance,
    )
    link = PahoTransport.for_device(
        config.broker,
        config.device.id,
        subscriptions=KioskService.topics(config.store.id, config.device.id),
        presence=(
            wire.presence_topic(config.store.id, config.device.id),
            lambda online, at: wire.encode_presence(
                wire.Presence(
                    config.device.id,
                    "kiosk",
                    online,
                    at,
                    name=config.kiosk.entrance,
                    ticket_format=config.kiosk.ticket_format,
                )
            ),
        ),
    )
    # Every message is on disk before paho sees it and leaves the disk only
    # when the broker acknowledges it; what a previous run left is sent first.
    outbox = DurableOutbox(link, FileOutbox(Path(config.storage.data_dir) / "outbox"))
    outbox.resend_pending()
    spool = print_spool(config)
    service = KioskService(
        desk=desk,
        store_id=config.store.id,
        transport=outbox,
        spool=spool,
        event_log=event_log,
        clock=clock,
        retention_days=config.storage.retention_days,
        qr_url=config.printer.qr_url,
    )
    link.session_lost_listeners.append(lambda: call_soon(service.restore_retained))
    closers = [link.close, event_log.close]
    if spool is not None:
        spool.start(call_soon, on_printed=service.printed, on_state=service.printer_state_seen)
        closers.insert(0, spool.close)
    return Device(service, link, service.on_message, call_soon, closers)


def load_finder(config: KioskConfig) -> Finder | None:
    """The item finder over the store's catalog; without one the kiosk still
    takes find requests, with what the shopper typed."""
    if not config.catalog.path:
        return None
    try:
        items, problems = load_catalog(Path(config.catalog.path))
    except CatalogError as exc:
        log.error("catalog not loaded, find requests carry what shoppers type: %s", exc)
        return None
    for problem in problems:
        log.warning("catalog %s: %s (row left out)", config.catalog.path, problem)
    log.info("catalog: %d items, %d bad rows left out", len(items), len(problems))
    return Finder(items, similar)


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
        config = load_config(args)
        printer_setup(config)  # an unknown printer profile is a config error, said at start
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    log.info("config: %s", args.config or "built-in defaults (no config file)")
    if not args.headless and not has_display():
        print(NO_DISPLAY, file=sys.stderr)
        return 2
    try:
        if args.headless:
            return run_headless(config)
        from kiosk.app import run_app  # Kivy is imported only when a window is wanted

        return run_app(config, build, load_finder(config))
    except StoreError as exc:
        print(f"storage error: {exc}", file=sys.stderr)
        return 1


def run_headless(config: KioskConfig) -> int:
    from kiosk.headless import HeadlessKiosk

    loop = Loop()
    device = build(config, loop.call_soon)
    service = device.service
    front = HeadlessKiosk(service, loop, finder=load_finder(config))
    device.start(lambda up: front.say(*connection_words(up, device.problem)))
    front.say("ready", config.device.id, f"store={config.store.id}", f"broker={config.broker.url}")
    front.start_reader(sys.stdin)
    stop_ticking = loop.every(1.0, service.tick)  # escalation deadlines
    stop_watching = supervised(config, loop.every, lambda: loop.call_soon(loop.stop))
    try:
        loop.run()
    except KeyboardInterrupt:
        pass
    finally:
        stop_watching()
        stop_ticking()
        device.close()
    return 0
