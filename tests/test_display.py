"""Where a window started alone goes (shell/display.py): pure, numbers in and out."""

from __future__ import annotations

import pytest

from shell.display import GAP, KIOSK_SHAPES, PAGER, TITLE_BAR, Area, fit, placed_by_environment

SHAPES = [*KIOSK_SHAPES.values(), PAGER]
AREAS = [
    Area(0, 0, 1280, 800),
    Area(0, 0, 1920, 1080),
    Area(0, 0, 1024, 768),
    Area(1920, 27, 1280, 773, decorated=True),  # a second monitor, under a panel, with title bars
]


@pytest.mark.parametrize("area", AREAS, ids=[f"{a.width}x{a.height}{'-wm' if a.decorated else ''}" for a in AREAS])
@pytest.mark.parametrize("shape", SHAPES, ids=[f"{w}x{h}" for w, h in SHAPES])
def test_a_window_keeps_its_shape_and_fits_the_screen_with_room_around_it(area: Area, shape: tuple[int, int]) -> None:
    at = fit(area, shape)
    bar = TITLE_BAR if area.decorated else 0
    assert abs(at.width / at.height - shape[0] / shape[1]) < 0.01
    assert at.density <= 1 and at.width <= shape[0], "never larger than the layout's full size"
    assert at.left >= area.x + GAP and at.left + at.width <= area.x + area.width - GAP
    assert at.top >= area.y + GAP and at.top + bar + at.height <= area.y + area.height - GAP
    assert abs(at.width - shape[0] * at.density) <= 1, "drawn at the density of its size"
    assert at.width >= area.width - 2 * GAP - 1 or at.height >= area.height - 2 * GAP - bar - 1 or at.density == 1, (
        "as large as fits"
    )


def test_kivy_settings_from_the_environment_win() -> None:
    assert not placed_by_environment({"DISPLAY": ":0", "HOME": "/root"})
    for key in ("KCFG_GRAPHICS_WIDTH", "KCFG_GRAPHICS_LEFT", "KCFG_GRAPHICS_FULLSCREEN", "KIVY_METRICS_DENSITY"):
        assert placed_by_environment({key: "1"}), key
