"""The screen, and where the demo's windows go: the part of the X screen
windows may use (asked of xrandr, xdpyinfo and xprop, each run once with a
timeout), the kiosk and pager placed side by side in it, and the kiosk's
config scaled like its window. Runs those X tools; otherwise pure.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass

from shell.config import KioskSection

KIOSK_UPRIGHT = (1080, 1920)  # the kiosk's screen, in the pixels its layout is made for
KIOSK_WIDE = (1920, 1080)
PAGER = (480, 800)  # a handheld, upright
GAP = 16  # pixels around and between the windows
TITLE_BAR = 32  # room left above each window when a window manager draws title bars
UNKNOWN_SCREEN = (1280, 720)  # when nothing says how big the screen is: small enough for most
MIN_DPI = 50  # kiosk.screen_dpi's lowest allowed value (shell/config.py)


@dataclass(frozen=True)
class Area:
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


def _output(argv: list[str]) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=5, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


# ` 0: +*DP-1 1920/527x1080/296+0+0  DP-1`: `*` marks the primary monitor
MONITOR = re.compile(r"^\s*\d+:\s+([+*]*)\S+\s+(\d+)/\d+x(\d+)/\d+([+-]\d+)([+-]\d+)", re.M)


def find_screen() -> tuple[Area, str]:
    """The part of the screen windows may use, and how that was found.

    The primary monitor from `xrandr --listmonitors` (one monitor of several,
    not the whole desktop), else the X screen from `xdpyinfo`; then cut to the
    window manager's work area (`_NET_WORKAREA`: without panels and docks).
    Both tools work the same under Xvfb and a real X server (XWayland too)."""
    monitors = [
        ("*" in flags, Area(int(x), int(y), int(w), int(h)))
        for flags, w, h, x, y in MONITOR.findall(_output(["xrandr", "--listmonitors"]))
    ]
    if monitors:
        area = next((a for primary, a in monitors if primary), monitors[0][1])
        how = "xrandr"
    elif found := re.search(r"dimensions:\s+(\d+)x(\d+) pixels", _output(["xdpyinfo"])):
        area, how = Area(0, 0, int(found[1]), int(found[2])), "xdpyinfo"
    else:
        width, height = UNKNOWN_SCREEN
        return Area(0, 0, width, height), f"not found (xrandr and xdpyinfo said nothing): assumed {width}x{height}"
    work = re.search(
        r"=\s*(-?\d+),\s*(-?\d+),\s*(\d+),\s*(\d+)", _output(["xprop", "-root", "-notype", "_NET_WORKAREA"])
    )
    if work:
        wx, wy, ww, wh = (int(n) for n in work.groups())
        left, top = max(area.x, wx), max(area.y, wy)
        right, bottom = min(area.x + area.width, wx + ww), min(area.y + area.height, wy + wh)
        if right - left > 0 and bottom - top > 0:
            area, how = Area(left, top, right - left, bottom - top), how + " and the work area"
    decorated = bool(re.search(r"0x[0-9a-f]+", _output(["xprop", "-root", "-notype", "_NET_SUPPORTING_WM_CHECK"])))
    return Area(area.x, area.y, area.width, area.height, decorated), how


def place(area: Area, wide: bool = False) -> tuple[Placement, Placement]:
    """The kiosk (left) and the pager (right), side by side within `area`,
    each as large as fits up to its full size, never overlapping: first the
    height decides, then the kiosk gives up width to the pager, which is never
    the wider of the two. A window manager puts a window's frame where it is
    asked and the content below its title bar: that much height is kept free."""
    bar = TITLE_BAR if area.decorated else 0
    room_w, room_h = area.width - 3 * GAP, area.height - 2 * GAP - bar
    kiosk_w, kiosk_h = KIOSK_WIDE if wide else KIOSK_UPRIGHT
    pager_w, pager_h = PAGER
    pager_scale = min(1.0, room_h / pager_h, room_w / 2 / pager_w)
    kiosk_scale = min(1.0, room_h / kiosk_h, (room_w - pager_w * pager_scale) / kiosk_w)
    pager_scale = min(pager_scale, kiosk_w * kiosk_scale / pager_w)
    kiosk_size = (int(kiosk_w * kiosk_scale), int(kiosk_h * kiosk_scale))
    pager_size = (int(pager_w * pager_scale), int(pager_h * pager_scale))
    left = area.x + max(GAP, (area.width - kiosk_size[0] - GAP - pager_size[0]) // 2)
    top = area.y + GAP
    kiosk = Placement(left, top, *kiosk_size, round(kiosk_scale, 4))
    pager = Placement(left + kiosk_size[0] + GAP, top, *pager_size, round(pager_scale, 4))
    return kiosk, pager


def kiosk_toml(density: float) -> str:
    """The demo kiosk's config: the defaults, with `kiosk.screen_dpi` scaled
    like the window. On the store's screen 16 mm keys are 60 px at 96 dpi; in a
    window at 55 % they are 33 px, which is 16 mm of the scaled-down screen
    (config allows no less than 50 dpi: on smaller screens keys come out a
    little larger than to scale)."""
    dpi = max(MIN_DPI, round(KioskSection.screen_dpi * density))
    return (
        f"# written by run_demo.py: the kiosk's window is the store's screen at {density:.0%}\n"
        f"[kiosk]\nscreen_dpi = {dpi}\n"
    )
