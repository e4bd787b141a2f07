"""The four faces of exit feedback, as shapes: a disc, two eyes, a mouth that
frowns (very unhappy, unhappy) or smiles (happy, very happy), and for the very
unhappy face brows raised in the middle.

Pure: numbers in, numbers out (window coordinates, y up). The face button
(kiosk/feedback.py) draws these with Kivy's canvas in the palette's colours.
"""

from __future__ import annotations

from dataclasses import dataclass

# How far the ends of the mouth lie above (+) or below (−) its middle, in radii.
CURVE = {1: -0.32, 2: -0.16, 3: 0.16, 4: 0.32}


@dataclass(frozen=True)
class Face:
    centre: tuple[float, float]
    radius: float
    eyes: tuple[tuple[float, float], tuple[float, float]]
    eye_radius: float
    mouth: tuple[float, ...]  # points x0, y0, x1, y1, … of one line
    brows: tuple[tuple[float, ...], tuple[float, ...]]  # two lines, empty when the face has none
    stroke: float  # line width of mouth and brows


def face(rating: int, x: float, y: float, width: float, height: float) -> Face:
    """The face for `rating` (1 very unhappy … 4 very happy) as large as fits in
    the box at (x, y) of `width` × `height`, centred in it."""
    radius = max(min(width, height) / 2, 0.0)
    cx, cy = x + width / 2, y + height / 2
    eyes = ((cx - 0.35 * radius, cy + 0.22 * radius), (cx + 0.35 * radius, cy + 0.22 * radius))
    curve = CURVE[rating] * radius
    middle = cy - 0.42 * radius - curve / 2  # the mouth's ends and middle stay in the lower half
    mouth: list[float] = []
    half_width = (0.36 + abs(CURVE[rating])) * radius  # the stronger the feeling, the wider the mouth
    for step in range(-8, 9):
        t = step / 8
        mouth += [cx + half_width * t, middle + curve * t * t]
    brows: tuple[tuple[float, ...], tuple[float, ...]] = ((), ())
    if rating == 1:  # sad brows: the inner ends raised
        high, low = cy + 0.58 * radius, cy + 0.44 * radius
        brows = (
            (cx - 0.55 * radius, low, cx - 0.18 * radius, high),
            (cx + 0.18 * radius, high, cx + 0.55 * radius, low),
        )
    return Face(
        centre=(cx, cy),
        radius=radius,
        eyes=eyes,
        eye_radius=0.11 * radius,
        mouth=tuple(mouth),
        brows=brows,
        stroke=max(radius * 0.07, 1.5),
    )
