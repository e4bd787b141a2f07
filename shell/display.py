"""Whether a window can open here. Reads the environment only."""

from __future__ import annotations

import os


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
