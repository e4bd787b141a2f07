"""`store-assist-recorder`: the store's record, on the store server beside the broker.

    store-assist-recorder [--config config/store.toml] [--broker URL] [--store ID] [--data-dir DIR] [--device ID]
    store-assist-recorder import KIOSK_DATA_DIR [KIOSK_DATA_DIR ...] [--config …] [--data-dir DIR]

Reads the config (shell/store_config.py), opens the record, connects with a
persistent session and runs the recorder on one thread until SIGTERM or
Ctrl-C. `import` copies kiosks' history into the record (store_server/history.py)
and must run while the recorder is stopped: the record's lock says so.
Touches the config file, the record's folder, the broker, stdout and stderr.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from adapters.paho_acking import AckingPahoTransport
from adapters.systemd_notify import Notifier
from core import wire
from shell.config import ConfigError
from shell.loop import Loop, SystemClock
from shell.ports import StoreError
from shell.store_config import StoreConfig, default_store_config, load_store
from store_server.live import start_live
from store_server.record import open_record
from store_server.recorder import Listener, Recorder, subscriptions
from store_server.schedule import start_schedule

# Named, not __name__: started as `python -m store_server.main` (the demo, the tests) this module is
# __main__, and the recorder's log must read the same however it was started.
log = logging.getLogger("store_server.main")

RETRY_SECONDS = 2.0  # how often a record that could not be written is tried again
ROLE = "recorder"


def parse_args(argv: list[str]) -> argparse.Namespace:
    importing = bool(argv) and argv[0] == "import"
    parser = argparse.ArgumentParser(
        prog="store-assist-recorder" + (" import" if importing else ""),
        description="Copy kiosks' data dirs into the store's record (the recorder must be stopped)"
        if importing
        else "The store's record: every kiosk's requests, feedback, searches and alerts",
        epilog=None
        if importing
        else "To copy a kiosk's history from before the recorder into the record: "
        "store-assist-recorder import KIOSK_DATA_DIR [...] (with the recorder stopped; see --help there).",
    )
    parser.add_argument(
        "--config", type=Path, default=default_store_config(), help="TOML config file (default: config/store.toml)"
    )
    parser.add_argument("--data-dir", help="the store's record (default: recorder.data_dir)")
    parser.add_argument("--store", help="store id")
    parser.add_argument(
        "--log-level",
        default="INFO",
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        type=str.upper,
        help="how much the log (stderr) says (default: INFO: each record kept)",
    )
    if importing:
        parser.add_argument("dirs", nargs="+", type=Path, metavar="KIOSK_DATA_DIR")
    else:
        parser.add_argument("--broker", help="broker URL, e.g. mqtt://127.0.0.1:1883")
        parser.add_argument("--device", help="the recorder's device id (its broker user)")
    args = parser.parse_args(argv[1:] if importing else argv)
    args.importing = importing
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )
    logging.getLogger("paho").setLevel(max(logging.INFO, logging.getLogger().level))
    try:
        config = load_store(
            args.config,
            store_id=args.store,
            recorder_data_dir=args.data_dir,
            broker_url=getattr(args, "broker", None),
            device_id=getattr(args, "device", None),
        )
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    if args.importing:
        from store_server.history import run_import

        return run_import(config.recorder.data_dir, args.dirs)
    log.info("config: %s", args.config or "built-in defaults (no config file)")
    return run(config, args.config)


def build(config: StoreConfig, listeners: list[Listener]) -> tuple[Recorder, AckingPahoTransport]:
    """The recorder's parts, not started; raises StoreError when the record cannot be opened."""
    record = open_record(config.recorder.data_dir)
    link = AckingPahoTransport.for_device(
        config.broker,
        config.device.id,
        subscriptions=subscriptions(config.store.id),
        presence=(
            wire.presence_topic(config.store.id, config.device.id),
            lambda online, at: wire.encode_presence(wire.Presence(config.device.id, ROLE, online, at)),
        ),
    )
    recorder = Recorder(
        store_id=config.store.id,
        record=record,
        link=link,
        clock=SystemClock(),
        listeners=listeners,
        retention_days=config.recorder.retention_days,
    )
    return recorder, link


def plug_in(recorder: Recorder, loop: Loop, config: StoreConfig, config_path: Path | None) -> list[Callable[[], None]]:
    """The store server's other parts on the recorder's thread: today's figures
    and the rule alerts (store_server/live.py), the daily and weekly reports
    (store_server/schedule.py); what stops them."""
    return [*start_live(recorder, loop, config), *start_schedule(recorder, loop, config, config_path)]


def run(config: StoreConfig, config_path: Path | None = None) -> int:
    loop = Loop()
    try:
        recorder, link = build(config, [])
    except StoreError as exc:
        print(f"store-assist-recorder: {exc}", file=sys.stderr)
        return 1
    count = recorder.record.read_recent(recorder.clock.now().date())
    log.info("the store's record %s: %d record(s) of the last days read", config.recorder.data_dir, count)
    notifier = Notifier()
    watch = Watch(recorder, notifier, f"recording store={config.store.id} record={config.recorder.data_dir}")
    link.on_connection = lambda up: loop.call_soon(_said, up, link)
    link.on_subscribed = lambda: loop.call_soon(_subscribed, watch)
    stops = [loop.every(RETRY_SECONDS, recorder.retry), loop.every(60, recorder.tick)]
    if notifier.ping_every:
        stops.append(loop.every(notifier.ping_every, watch.ping))
    stops += plug_in(recorder, loop, config, config_path)
    loop.call_soon(recorder.tick)

    def stop(signum: int, _frame: object) -> None:
        loop.call_soon(loop.stop)

    signal.signal(signal.SIGTERM, stop)
    link.start_acking(lambda topic, payload, receipt: loop.call_soon(recorder.on_message, topic, payload, receipt))
    print(f"recording store={config.store.id} record={config.recorder.data_dir}", flush=True)
    try:
        loop.run()
    except KeyboardInterrupt:
        pass
    finally:
        notifier.stopping(f"stopping: {recorder.kept} kept")
        for halt in stops:
            halt()
        link.close()
        recorder.record.close()
        notifier.close()
    log.info("stopped: %d kept, %d copies dropped, %d rejected", recorder.kept, recorder.copies, recorder.rejected)
    return 0


class Watch:
    """What systemd hears (adapters/systemd_notify.py): READY=1 once subscribed with the record open, then
    WATCHDOG=1 from the recorder's own thread while the record takes writes — a stuck thread or a record that
    cannot be written stops the pings, and systemd restarts the recorder (the broker keeps what was not
    acknowledged). STATUS says which."""

    def __init__(self, recorder: Recorder, notifier: Notifier, status: str) -> None:
        self.recorder, self.notifier, self.status = recorder, notifier, status
        self.ready = False
        self._said: str | None = None

    def subscribed(self) -> None:
        if not self.ready:
            self.ready = True
            self._said = self.status
            self.notifier.ready(self.status)

    def ping(self) -> None:
        if not self.ready:
            return
        if self.recorder.failing:
            self._tell("the record cannot be written: messages wait unacknowledged")
            return
        self._tell(self.status)
        self.notifier.ping()

    def _tell(self, line: str) -> None:
        if line != self._said:
            self._said = line
            self.notifier.status(line)


def _subscribed(watch: Watch) -> None:
    _say("subscribed")
    watch.subscribed()


def _said(up: bool, link: AckingPahoTransport) -> None:
    _say("connection up" if up else f"connection down {link.problem or ''}".rstrip())


def _say(line: str) -> None:
    """One line on stdout for whoever watches the recorder (a person, a test, the demo)."""
    print(line, flush=True)


if __name__ == "__main__":
    sys.exit(main())
