"""The kiosk under systemd (a `Type=notify` unit with `WatchdogSec=`): READY=1 once it takes requests,
WATCHDOG=1 from the front's own loop while its data dir takes writes, a clean stop on SIGTERM with STOPPING=1.

For either front: the headless one passes its Loop's `every` and a stop; the touchscreen one would pass
Kivy's Clock (`lambda s, fn: Clock.schedule_interval(lambda _dt: fn(), s).cancel`) and its app's stop.
Without NOTIFY_SOCKET nothing is sent (adapters/systemd_notify.py). Touches the data dir (a probe file,
shell/watchdog.py), the notify socket and the SIGTERM handler.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

from adapters.systemd_notify import Notifier
from shell.config import KioskConfig
from shell.watchdog import StorageProbe, Watchdog

Every = Callable[[float, Callable[[], object]], Callable[[], None]]  # (seconds, fn) → what stops it


def supervised(config: KioskConfig, every: Every, stop_soon: Callable[[], None]) -> Callable[[], None]:
    """Tell systemd the kiosk is ready and keep it told while healthy; what ends that (call it on the way out)."""
    notifier = Notifier()
    data = Path(config.storage.data_dir)
    status = f"taking requests: {config.device.id} store={config.store.id}"
    notifier.ready(status)
    # systemd stops a unit with SIGTERM: the front stops as when told to quit, its parts closed.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: stop_soon())
    watchdog = Watchdog(notifier, StorageProbe([data / "requests", data / "outbox"]).trouble, status)
    stop_pinging = every(notifier.ping_every, watchdog.ping) if notifier.ping_every else (lambda: None)

    def stop() -> None:
        notifier.stopping("stopping")
        stop_pinging()
        notifier.close()

    return stop


def supervise_window(config: KioskConfig, app: Any) -> Callable[[], None]:
    """The touchscreen kiosk under systemd: supervised from its first frame, pinging from Kivy's clock
    (a window whose loop hangs stops pinging); SIGTERM stops the app. What ends it, for the way out."""
    from kivy.clock import Clock

    stops: list[Callable[[], None]] = []

    def every(seconds: float, fn: Callable[[], object]) -> Callable[[], None]:
        return Clock.schedule_interval(lambda _dt: fn(), seconds).cancel  # type: ignore[no-any-return]

    def start(_dt: float) -> None:
        stops.append(supervised(config, every, lambda: Clock.schedule_once(lambda _dt: app.stop())))

    def stop_all() -> None:
        for stop in stops:
            stop()

    Clock.schedule_once(start)
    return stop_all
