"""Screenshots of the kiosk's screens, run under Xvfb by tests/test_screenshots.py.

`python tests/shoot_kiosk.py OUT_DIR BROKER_URL DATA_DIR` drives the real app
through a help request, has a pager (in this process, over the real broker)
claim it as Anna, and saves welcome.png, help.png, ticket.png and feedback.png.
Touches Kivy's real window, the broker, the data directory and OUT_DIR.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters import kivy_runtime  # noqa: E402  (sets Kivy's environment before Kivy loads)

# isort: split
from kivy.core.window import Window  # noqa: E402

from kiosk.app import KioskApp  # noqa: E402
from kiosk.main import build  # noqa: E402
from shell.config import load_kiosk, load_pager  # noqa: E402
from staff_pager.main import build as build_pager  # noqa: E402
from tests.kiosk_fixture import PtyPrinter  # noqa: E402
from tests.ui import button, run_for, tap, type_into, visible_texts, wait_until  # noqa: E402


def shoot(out: Path, name: str) -> None:
    run_for(0.5)  # let transitions finish and textures settle before reading pixels
    saved = Window.screenshot(name=str(out / f"{name}.png"))
    Path(saved).replace(out / f"{name}.png")  # Kivy adds a counter to the name


def settled(app: KioskApp, name: str) -> bool:
    return app.screens.current == name and not app.screens.transition.is_active


def main(out_dir: str, broker_url: str, data_dir: str) -> int:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    Window.size = (1280, 800)
    store = f"s{uuid.uuid4().hex[:8]}"
    printer = PtyPrinter()
    config = load_kiosk(
        None, broker_url=broker_url, store_id=store, storage_data_dir=data_dir, printer_port=printer.port
    )
    app = KioskApp(config, build)
    app.root = app.build()
    Window.add_widget(app.root)
    pager, pager_transport = build_pager(
        load_pager(None, broker_url=broker_url, store_id=store, device_id="pager-anna"),
        "Anna",
        kivy_runtime.deliver_on_main_thread,
    )
    pager_transport.start()
    try:
        wait_until(lambda: app.transport.connected.is_set() and pager_transport.connected.is_set())
        screen = lambda: app.screens.get_screen(app.screens.current)  # noqa: E731
        shoot(out, "welcome")
        tap(button(screen(), "Ask for help"))
        wait_until(lambda: settled(app, "help"))
        tap(button(screen(), "Product question"))
        type_into(screen().ids.note, "Which paint is best for a bathroom?")
        shoot(out, "help")
        tap(button(screen(), "Call a staff member"))
        wait_until(lambda: pager.board.find("H-001"), what="the pager sees H-001")
        pager.act("claim", "H-001")
        wait_until(lambda: "Anna is on the way" in visible_texts(screen()), what="Anna on the ticket")
        shoot(out, "ticket")
        tap(button(screen(), "Done"))
        wait_until(lambda: settled(app, "welcome"))
        tap(button(screen(), "Leaving? Tell us how we did"))
        wait_until(lambda: settled(app, "feedback"))
        shoot(out, "feedback")
    finally:
        pager_transport.close()
        app.shutdown()
        printer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
