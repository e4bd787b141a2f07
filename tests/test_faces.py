"""The feedback faces' shapes (kiosk/faces.py): pure numbers, no window.
How they look on the screen is checked in tests/test_windows.py."""

from __future__ import annotations

import pytest

from kiosk.faces import face


def ends_above_middle(rating: int) -> float:
    """How far the mouth's ends lie above its middle (negative: a frown)."""
    mouth = face(rating, 0, 0, 200, 200).mouth
    ys = mouth[1::2]
    return (ys[0] + ys[-1]) / 2 - ys[len(ys) // 2]


def test_unhappy_faces_frown_happy_ones_smile_and_the_strong_ones_more() -> None:
    curves = [ends_above_middle(rating) for rating in (1, 2, 3, 4)]
    assert curves[0] < curves[1] < 0 < curves[2] < curves[3]


def test_only_the_very_unhappy_face_has_brows() -> None:
    assert all(face(1, 0, 0, 100, 100).brows)
    assert not any(any(face(rating, 0, 0, 100, 100).brows) for rating in (2, 3, 4))


@pytest.mark.parametrize("rating", [1, 2, 3, 4])
@pytest.mark.parametrize(("width", "height"), [(300, 120), (120, 300), (0, 0)])
def test_every_part_stays_on_the_disc_and_the_disc_in_its_box(rating: int, width: float, height: float) -> None:
    shape = face(rating, 10, 20, width, height)
    (cx, cy), r = shape.centre, shape.radius
    assert cx - r >= 10 and cx + r <= 10 + width and cy - r >= 20 and cy + r <= 20 + height
    points = [*zip(shape.mouth[::2], shape.mouth[1::2], strict=True)]
    for brow in shape.brows:
        points += zip(brow[::2], brow[1::2], strict=True)
    points += [(x, y) for x, y in shape.eyes]
    assert all((x - cx) ** 2 + (y - cy) ** 2 <= r * r + 1e-9 for x, y in points)
