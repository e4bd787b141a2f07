"""Screenshots of the kiosk's screens, run under Xvfb by tests/test_screenshots.py.

`python tests/shoot_kiosk.py OUT_DIR BROKER_URL DATA_DIR` drives the real app,
in each of the four languages, through a help request that a pager (in this
process, over the real broker) claims as Anna, and saves
OUT_DIR/<language>/<screen>.png for every shopper's screen. It also renders Chinese
text with the kiosk's font and with Kivy's default one and writes, for each,
whether neighbouring characters came out as different glyphs (glyphs.json).
Touches Kivy's real window, the broker, the data directory and OUT_DIR.
"""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters import kivy_runtime  # noqa: E402  (sets Kivy's environment before Kivy loads)

# isort: split
from kivy.core.text import Label as CoreLabel  # noqa: E402
from kivy.core.window import Window  # noqa: E402
from kivy.uix.vkeyboard import VKeyboard  # noqa: E402

from kiosk.app import KioskApp  # noqa: E402
from kiosk.language import LANGUAGES  # noqa: E402
from kiosk.main import build, load_finder  # noqa: E402
from shell.config import load_kiosk, load_pager  # noqa: E402
from staff_pager.main import build as build_pager  # noqa: E402
from tests.kiosk_fixture import PtyPrinter  # noqa: E402
from tests.ui import button, run_for, tap, type_into, visible_texts, wait_until  # noqa: E402


def shoot(out: Path, name: str) -> None:
    run_for(0.5)  # let transitions finish and textures settle before reading pixels
    saved = Window.screenshot(name=str(out / f"{name}.png"))
    Path(saved).replace(out / f"{name}.png")  # Kivy adds a counter to the name


def distinct_glyphs(text: str, font: str) -> list[bool]:
    """Render `text` with Kivy in `font`; for each pair of neighbouring
    characters, whether their pixels differ. Chinese characters are all one em
    wide, so the picture splits evenly. A font without the glyphs draws the
    same empty box for every character: all False."""
    label = CoreLabel(text=text, font_name=font, font_size=64)
    label.refresh()
    width, height = label.texture.size
    pixels = label.texture.pixels
    step = width // len(text)
    cells = [
        b"".join(pixels[(row * width + i * step) * 4 : (row * width + (i + 1) * step) * 4] for row in range(height))
        for i in range(len(text))
    ]
    return [cells[i] != cells[i + 1] for i in range(len(text) - 1)]


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
    app = KioskApp(config, build, load_finder(config))
    app.root = app.build()
    Window.add_widget(app.root)
    pager_device = build_pager(
        load_pager(None, broker_url=broker_url, store_id=store, device_id="pager-anna"),
        "Anna",
        kivy_runtime.call_on_main_thread,
    )
    pager, pager_transport = pager_device.service, pager_device.link
    pager_device.start()
    try:
        wait_until(lambda: app.device.link.connected.is_set() and pager_transport.connected.is_set())
        screen = lambda: app.screens.get_screen(app.screens.current)  # noqa: E731
        notes = {"en": "Which paint is best for a bathroom?", "nl": "Welke verf is het beste voor een badkamer?",
                 "zh_Hans": "浴室用哪种油漆最好？", "zh_Hant": "浴室用哪種油漆最好？"}  # fmt: skip
        searches = {"en": "blu pant", "nl": "muurverf", "zh_Hans": "油漆", "zh_Hant": "油漆"}
        for number, (code, name) in enumerate(LANGUAGES, start=1):
            _ = lambda message, code=code: app.tr(message, code)  # noqa: E731
            folder = out / code
            folder.mkdir(exist_ok=True)
            tap(button(screen(), name))
            shoot(folder, "welcome")
            tap(button(screen(), _("Ask for help")))
            wait_until(lambda: settled(app, "help"))
            tap(button(screen(), _("Product question")))
            type_into(screen().ids.note, notes[code])
            shoot(folder, "help")
            tap(button(screen(), _("Call a staff member")))
            ticket = f"H-{number:03d}"
            wait_until(lambda t=ticket: pager.board.find(t), what=f"the pager sees {ticket}")
            pager.act("claim", ticket)
            on_the_way = _("{name} is on the way").format(name="Anna")
            wait_until(lambda w=on_the_way: w in visible_texts(screen()), what="Anna on the ticket")
            shoot(folder, "ticket")
            tap(button(screen(), _("Done")))
            wait_until(lambda: settled(app, "welcome"))
            tap(button(screen(), name))
            tap(button(screen(), _("Leaving? Tell us how we did")))
            wait_until(lambda: settled(app, "feedback"))
            shoot(folder, "feedback")
            tap(button(screen(), _("Unhappy")))
            wait_until(lambda: settled(app, "feedback_details"))
            tap(button(screen(), _("I waited too long")))
            shoot(folder, "feedback_details")
            tap(button(screen(), _("Skip")))
            wait_until(lambda: settled(app, "thanks"))
            shoot(folder, "thanks")
            app.home()
            wait_until(lambda: settled(app, "welcome"))
            tap(button(screen(), name))
            tap(button(screen(), _("Find an item")))
            wait_until(lambda: settled(app, "find"))
            type_into(screen().ids.item, searches[code])
            shoot(folder, "find")
            tap(button(screen(), _("Back")))
            wait_until(lambda: settled(app, "welcome"))
            tap(button(screen(), name))
            tap(button(screen(), _("Return an item")))
            wait_until(lambda: settled(app, "return"))
            type_into(screen().ids.receipt, "R2026-1124-0042")
            tap(button(screen(), _("Wrong size")))
            shoot(folder, "return")
            tap(button(screen(), _("Back")))
            wait_until(lambda: settled(app, "welcome"))
        # The accessibility modes, and the upright screen shape.
        folder = out / "access"
        folder.mkdir(exist_ok=True)
        tap(button(screen(), "Larger text"))
        tap(button(screen(), "High contrast"))
        shoot(folder, "welcome-large-contrast")
        tap(button(screen(), "Ask for help"))
        wait_until(lambda: settled(app, "help"))
        shoot(folder, "help-large-contrast")
        tap(button(screen(), "Back"))
        wait_until(lambda: settled(app, "welcome"))
        Window.size = (1080, 1920)
        shoot(folder, "welcome-portrait")
        tap(button(screen(), "Ask for help"))
        wait_until(lambda: settled(app, "help"))
        tap(screen().ids.note)  # the shopper taps the note field: the on-screen keyboard comes up
        keyboard = wait_until(
            lambda: next((w for w in Window.children if isinstance(w, VKeyboard) and w.layout_geometry), None),
            what="the on-screen keyboard, laid out",
        )
        screen().ids.note.insert_text("bathroom paint")
        wait_until(lambda: keyboard.height > 0 and keyboard.y == 0, what="the keyboard docked")  # type: ignore[attr-defined]
        shoot(folder, "help-keyboard-portrait")
        glyphs = {font: distinct_glyphs("你好你", font) for font in (app.font_name, "Roboto")}
        (out / "glyphs.json").write_text(json.dumps(glyphs))
    finally:
        pager_device.close()
        app.shutdown()
        printer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
