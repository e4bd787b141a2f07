"""The real pager app in the test process (mock GL) against a real broker,
with the headless kiosk as a real process creating the requests.

Touches Kivy, the broker and subprocesses.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kivy.core.window import Window

from shell.config import load_pager
from staff_pager.app import PagerApp
from staff_pager.main import build
from tests.processes import LineProcess


def headless_kiosk(broker, store: str, data_dir: Path, *extra: str) -> LineProcess:  # type: ignore[no-untyped-def]
    """`extra`: more of run_kiosk.py's options (`--config FILE`)."""
    proc = LineProcess(
        "run_kiosk.py", "--headless", "--broker", broker.url, "--store", store, "--data-dir", str(data_dir), *extra
    )
    proc.expect("ready")
    proc.expect("connection up")
    return proc


def console_pager(broker, store: str, name: str) -> LineProcess:  # type: ignore[no-untyped-def]
    """The console pager as a real process, signed in and connected."""
    proc = LineProcess(
        "run_pager.py", "--console", "--broker", broker.url, "--store", store,
        "--staff", name, "--device", f"pager-{name.lower()}",
    )  # fmt: skip
    proc.expect("ready")
    proc.expect("connection up")
    return proc


@contextmanager
def running_pager(broker, store: str, name: str = "", role: str = "floor") -> Iterator[PagerApp]:  # type: ignore[no-untyped-def]
    config = load_pager(None, broker_url=broker.url, store_id=store, device_id=f"pager-app-{store}", staff_role=role)
    if name:
        config = load_pager(
            None,
            broker_url=broker.url,
            store_id=store,
            device_id=f"pager-app-{store}",
            staff_role=role,
            staff_name=name,
        )
    app = PagerApp(config, build)
    app.root = app.build()
    Window.add_widget(app.root)
    try:
        yield app
    finally:
        Window.remove_widget(app.root)
        # on_stop shuts the app down, and makes kv's `app` forget this app: it
        # keeps the first app it met until that one stops.
        app.dispatch("on_stop")
