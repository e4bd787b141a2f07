"""The X screen windows may use, asked of xrandr, xdpyinfo and xprop (each run
once, with a timeout). The only file that runs those X tools; used by the
apps (a window started alone, adapters/kivy_runtime.py) and the demo (two
windows side by side, demo/screen.py).
"""

from __future__ import annotations

import re
import subprocess

from shell.display import UNKNOWN_SCREEN, Area


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
