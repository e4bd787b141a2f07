"""A screenshot of the pager window, run under Xvfb by tests/test_screenshots.py.

`python tests/shoot_pager.py OUT.png BROKER_URL STORE N` signs in as Anna and
waits until N open requests (created beforehand by the test) are on the board.
Touches Kivy's real window, the broker and OUT.png.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters import kivy_runtime  # noqa: E402, F401  (sets Kivy's environment before Kivy loads)

# isort: split
from kivy.core.window import Window  # noqa: E402

from shell.config import load_pager  # noqa: E402
from staff_pager.app import PagerApp  # noqa: E402
from staff_pager.main import build  # noqa: E402
from tests.ui import run_for, wait_until  # noqa: E402


def main(out: str, broker_url: str, store: str, expected: str) -> int:
    Window.size = (480, 800)  # a handheld, upright
    config = load_pager(
        None, broker_url=broker_url, store_id=store, device_id="pager-shot", staff_name="Anna", staff_role="manager"
    )
    app = PagerApp(config, build)
    app.root = app.build()
    Window.add_widget(app.root)
    try:
        box = app.board_screen.ids.rows
        wait_until(lambda: len(box.children) == int(expected) and app.board_screen.connected, what="the board filled")
        run_for(0.5)  # textures settle before the pixels are read
        saved = Window.screenshot(name=out)
        Path(saved).replace(out)  # Kivy adds a counter to the name
    finally:
        app.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
