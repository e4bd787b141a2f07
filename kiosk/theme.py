"""The kiosk's colours and text sizes: normal, high contrast, large text.

Pure data. The shopper's visit picks one palette and one scale
(kiosk/visit.py); the .kv files read the colours from `app.palette` and
multiply every text size by `app.text_scale`, so switching a mode changes
every screen.
"""

from __future__ import annotations

Colour = tuple[float, float, float, float]

NORMAL: dict[str, Colour] = {
    "bg": (0.97, 0.96, 0.93, 1),
    "card": (1, 1, 1, 1),
    "ink": (0.11, 0.13, 0.16, 1),
    "muted": (0.36, 0.38, 0.42, 1),
    "primary": (0.04, 0.38, 0.42, 1),
    "on_primary": (1, 1, 1, 1),
    "secondary": (0.85, 0.86, 0.84, 1),
    "warn": (0.72, 0.25, 0.05, 1),
    "leave": (0.16, 0.45, 0.22, 1),
    # Exit feedback's faces, very unhappy (red) … very happy (green), and their eyes and mouths.
    "face1": (0.80, 0.20, 0.17, 1),
    "face2": (0.95, 0.55, 0.15, 1),
    "face3": (0.62, 0.78, 0.22, 1),
    "face4": (0.18, 0.62, 0.30, 1),
    "features": (0.11, 0.13, 0.16, 1),
}

# Black, white and yellow: contrast ratios above 15:1 (WCAG AAA asks 7:1).
HIGH_CONTRAST: dict[str, Colour] = {
    "bg": (0, 0, 0, 1),
    "card": (0.12, 0.12, 0.12, 1),
    "ink": (1, 1, 1, 1),
    "muted": (0.9, 0.9, 0.9, 1),
    "primary": (1, 0.86, 0, 1),
    "on_primary": (0, 0, 0, 1),
    "secondary": (0.25, 0.25, 0.25, 1),
    "warn": (1, 0.55, 0.3, 1),
    "leave": (0.55, 1, 0.55, 1),
    "face1": (1, 0.45, 0.42, 1),
    "face2": (1, 0.70, 0.25, 1),
    "face3": (0.85, 1, 0.35, 1),
    "face4": (0.40, 1, 0.50, 1),
    "features": (0, 0, 0, 1),
}

LARGE_TEXT = 1.3  # text sizes times this in large-text mode
