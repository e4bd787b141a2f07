"""The real kiosk app in the test process: real widgets (mock GL), real broker,
real TinyDB files, a real pseudo-terminal pair as its printer.

Touches Kivy, a pty pair, the data directory and the broker.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from kivy.core.window import Window

from kiosk.app import KioskApp
from kiosk.main import build, load_finder
from printer.virtual import VirtualPrinter
from shell.config import KioskConfig, load_kiosk
from tests.ui import wait_until


class PtyPrinter:
    """The kiosk's printer: the virtual printer (printer/virtual.py) on a
    thread of this process, keeping no files. `.virtual` takes status changes
    (`set_paper("out")`, `set_cover(True)`, …) and has the decoded tickets."""

    def __init__(self) -> None:
        self.virtual = VirtualPrinter()
        self.virtual.start()
        self.port = self.virtual.port

    def data(self) -> bytes:
        """Every byte the kiosk sent so far."""
        return self.virtual.received()

    def close(self) -> None:
        self.virtual.close()


class RunningKiosk:
    def __init__(self, app: KioskApp, config: KioskConfig, printer: PtyPrinter | None) -> None:
        self.app = app
        self.config = config
        self.printer = printer

    @property
    def screen(self):  # type: ignore[no-untyped-def]
        return self.app.screens.get_screen(self.app.screens.current)

    def on(self, name: str) -> bool:
        screens = self.app.screens
        return screens.current == name and not screens.transition.is_active


def new_store() -> str:
    return f"s{uuid.uuid4().hex[:8]}"


@contextmanager
def running_kiosk(
    broker,
    data_dir: Path,
    *,
    store: str | None = None,
    printer: bool = True,
    printer_settings: dict[str, object] | None = None,
    **config_changes: object,
) -> Iterator[RunningKiosk]:  # type: ignore[no-untyped-def]
    """`printer`: the virtual printer on a pty; `printer_settings`: config
    `[printer]` keys on top (a `port` of the test's own, say)."""
    pty = PtyPrinter() if printer else None
    config = load_kiosk(
        None,
        broker_url=broker.url,
        store_id=store or new_store(),
        storage_data_dir=str(data_dir),
        printer_port=pty.port if pty else None,
    )
    if printer_settings:
        config = replace(config, printer=replace(config.printer, **printer_settings))  # type: ignore[arg-type]
    for section, values in config_changes.items():
        config = replace(config, **{section: replace(getattr(config, section), **values)})  # type: ignore[arg-type]
    app = KioskApp(config, build, load_finder(config))
    app.root = app.build()
    Window.add_widget(app.root)
    try:
        wait_until(lambda: app.device.link.connected.is_set(), what="kiosk connected to the broker")
        yield RunningKiosk(app, config, pty)
    finally:
        Window.remove_widget(app.root)
        # on_stop shuts the app down, and makes kv's `app` forget this app: it
        # keeps the first app it met until that one stops.
        app.dispatch("on_stop")
        if pty:
            pty.close()
