"""Where the demo's windows go: the kiosk and the pager side by side in the
part of the screen windows may use (measured by adapters/x_screen.py), and
the kiosk's config scaled like its window. Pure.
"""

from __future__ import annotations

from shell.config import KioskSection
from shell.display import GAP, KIOSK_SHAPES, PAGER, TITLE_BAR, Area, Placement, scaled_dpi


def place(area: Area, wide: bool = False) -> tuple[Placement, Placement]:
    """The kiosk (left) and the pager (right), side by side within `area`,
    each as large as fits up to its full size, never overlapping: first the
    height decides, then the kiosk gives up width to the pager, which is never
    the wider of the two. A window manager puts a window's frame where it is
    asked and the content below its title bar: that much height is kept free."""
    bar = TITLE_BAR if area.decorated else 0
    room_w, room_h = area.width - 3 * GAP, area.height - 2 * GAP - bar
    kiosk_w, kiosk_h = KIOSK_SHAPES["wide" if wide else "upright"]
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
    window at 55 % they are 33 px, which is 16 mm of the scaled-down screen."""
    dpi = scaled_dpi(KioskSection.screen_dpi, density)
    return (
        f"# written by run_demo.py: the kiosk's window is the store's screen at {density:.0%}\n"
        f"[kiosk]\nscreen_dpi = {dpi}\n"
    )
