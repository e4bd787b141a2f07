"""What both Kivy apps (kiosk and pager) need from Kivy before they build a screen.

Importing this module sets Kivy's environment (no argv parsing, logs through
Python's logging) *before* the first `import kivy`; it registers a font with
Chinese glyphs, gives both apps their base class (each .kv file loaded once),
offers the hand-over from other threads (paho's network thread) to Kivy's
main thread, and opens a window started alone at the shape of its app,
scaled to the screen. Touches the environment, font files and Kivy.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

# Kivy reads these once, at its first import: set them before importing it.
os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")

from kivy.app import App  # noqa: E402
from kivy.clock import Clock  # noqa: E402
from kivy.core.text import LabelBase  # noqa: E402
from kivy.metrics import Metrics  # noqa: E402

from adapters.x_screen import find_screen  # noqa: E402
from shell.display import fit, placed_by_environment  # noqa: E402

log = logging.getLogger(__name__)

# Kivy's default font (Roboto) has no Chinese glyphs: a zh screen would show
# empty boxes. Debian's fonts-noto-cjk (installed by ./run) covers both scripts
# and Latin; the others are fallbacks on machines laid out differently.
CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
CJK_BOLD = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
FONT_NAME = "StoreSans"


class KvLoadedOnce(App):
    """An App whose .kv files are loaded only by the modules that define the
    widgets they lay out, once, at import (kiosk/screens.py, staff_pager/app.py).

    `App.run()` also loads the file named after the App class on its own
    (`KioskApp` → kiosk/kiosk.kv, `PagerApp` → staff_pager/pager.kv): every rule
    would be applied twice and every screen drawn twice, while a test that
    calls `build()` never sees it. Turned off here rather than by renaming the
    files or pointing `kv_file` elsewhere: the import-time load is what every
    caller of `build()` gets, and a file named after the class some day cannot
    bring the double load back.
    """

    def load_kv(self, filename: str | None = None) -> bool:
        return False


def find_cjk_font() -> str | None:
    for candidate in CJK_FONTS:
        if Path(candidate).is_file():
            return candidate
    return None


def register_fonts() -> str:
    """Register `StoreSans` (with Chinese glyphs) and return the name to use.

    Falls back to Kivy's default font, with a warning, when no CJK font is
    installed: Latin screens still work, Chinese ones would show boxes.
    """
    regular = find_cjk_font()
    if regular is None:
        log.warning("no CJK font found (apt-get install fonts-noto-cjk): Chinese text will not render")
        return "Roboto"
    bold = CJK_BOLD if Path(CJK_BOLD).is_file() else regular
    LabelBase.register(FONT_NAME, fn_regular=regular, fn_bold=bold)
    return FONT_NAME


def call_on_main_thread(fn: Callable[..., object], *args: object) -> None:
    """Run `fn(*args)` on Kivy's main thread at the next frame. Called from
    paho's network thread and the print spool's: `Clock.schedule_once` is
    Kivy's one thread-safe way in."""
    Clock.schedule_once(lambda _dt: fn(*args), 0)


def fit_window(shape: tuple[int, int]) -> float | None:
    """Show the window as `shape` (the pixels the app's layout is made for)
    scaled down to fit the screen, centred; the density it is drawn at, or
    None when the environment placed it.

    Kivy opens its window at its own 800x600 when the module is first
    imported, before an app has read its config: the window is resized and
    moved here, and Kivy's density set, before the app builds a widget. Kivy's
    own settings from the environment (KCFG_GRAPHICS_*, KIVY_METRICS_DENSITY:
    the demo's, a test's) win: then the window stays as they made it."""
    if placed_by_environment(os.environ):
        return None
    from kivy.core.window import Window

    area, how = find_screen()
    at = fit(area, shape)
    Metrics.density = at.density
    Window.size = (at.width, at.height)
    Window.left, Window.top = at.left, at.top
    log.info(
        "window %dx%d at %d,%d: the app's %dx%d at %.0f%% on a screen of %dx%d (%s)",
        at.width, at.height, at.left, at.top, *shape, at.density * 100, area.width, area.height, how,
    )  # fmt: skip
    return at.density
