"""Whether a window can open here, and where an app's window goes on the
screen: the shapes the apps are laid out for, scaled down to fit. Reads the
environment only; the screen itself is measured by adapters/x_screen.py.

Both apps draw in dp and sp only, so a window at a fraction of its shape's
size with Kivy's density at that same fraction shows the whole full-size
layout, smaller. The demo (demo/screen.py) places its two windows side by
side with the same shapes and the same Kivy settings.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

# The pixels each app's layout is made for.
KIOSK_SHAPES = {"upright": (1080, 1920), "wide": (1920, 1080)}  # the kiosk's screen (`kiosk.window`)
PAGER = (480, 800)  # a handheld, upright
GAP = 16  # pixels kept free around a window (and between the demo's two)
TITLE_BAR = 32  # room kept above a window when a window manager draws title bars
UNKNOWN_SCREEN = (1280, 720)  # when nothing says how big the screen is: small enough for most


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


@dataclass(frozen=True)
class Area:
    """The part of the screen windows may use."""

    x: int
    y: int
    width: int
    height: int
    decorated: bool = False  # a window manager runs: windows get title bars


@dataclass(frozen=True)
class Placement:
    left: int
    top: int
    width: int
    height: int
    density: float  # Kivy's dp and sp: the share of the full-size layout

    def env(self) -> dict[str, str]:
        """Kivy's settings for a window here (kivy.config reads KCFG_<SECTION>_<KEY>)."""
        return {
            "KCFG_GRAPHICS_POSITION": "custom",
            "KCFG_GRAPHICS_LEFT": str(self.left),
            "KCFG_GRAPHICS_TOP": str(self.top),
            "KCFG_GRAPHICS_WIDTH": str(self.width),
            "KCFG_GRAPHICS_HEIGHT": str(self.height),
            "KCFG_GRAPHICS_FULLSCREEN": "0",
            "KIVY_METRICS_DENSITY": f"{self.density:.4f}",
        }

    def overlaps(self, other: Placement) -> bool:
        return not (
            self.left + self.width <= other.left
            or other.left + other.width <= self.left
            or self.top + self.height <= other.top
            or other.top + other.height <= self.top
        )


# Kivy's own settings for where a window goes and how large it is drawn.
# Any of them in the environment (the demo's, a test's, a person's) wins.
PLACED_BY = (*Placement(0, 0, 0, 0, 1.0).env(), "KCFG_GRAPHICS_SIZE")


def placed_by_environment(environ: Mapping[str, str]) -> bool:
    return any(key in environ for key in PLACED_BY)


def fit(area: Area, shape: tuple[int, int]) -> Placement:
    """One window of `shape`, as large as fits in `area` up to its full size,
    centred, with GAP free around it (and a title bar's height above it when
    a window manager draws one: the frame goes where it is asked, the
    content below the bar)."""
    bar = TITLE_BAR if area.decorated else 0
    full_w, full_h = shape
    scale = min(1.0, (area.width - 2 * GAP) / full_w, (area.height - 2 * GAP - bar) / full_h)
    width, height = int(full_w * scale), int(full_h * scale)
    left = area.x + (area.width - width) // 2
    top = area.y + (area.height - bar - height) // 2
    return Placement(left, top, width, height, round(scale, 4))


def scaled_dpi(dpi: int, density: float, lowest: int = 50) -> int:
    """The dpi of the store's screen shown at `density`: millimetres on it
    (the keyboard's keys) keep their share of the window. `lowest` is
    kiosk.screen_dpi's lowest allowed value (shell/config.py): on small
    windows keys come out a little larger than to scale."""
    return max(lowest, round(dpi * density))
