"""Real pixels: every kiosk screen drawn under Xvfb, saved for people to look at.

The pictures go to tests/artifacts/ (and the README's selection to
docs/screenshots/). Each is checked to be a real picture, not a blank window.
"""

from __future__ import annotations

import shutil

from tests.xvfb import ARTIFACTS, ROOT, distinct_colours, run_under_xvfb

SCREENS = ("welcome", "help", "ticket", "feedback")
IN_README = {"welcome": "kiosk-welcome.png", "ticket": "kiosk-ticket.png"}


def test_every_kiosk_screen_is_drawn_with_real_pixels(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = ARTIFACTS / "kiosk"
    run_under_xvfb("tests/shoot_kiosk.py", str(out), broker.url, str(tmp_path / "kiosk"))
    for name in SCREENS:
        picture = out / f"{name}.png"
        assert picture.is_file(), f"{name}.png was not saved"
        # Text, buttons and background: a drawn screen has hundreds of colours
        # (anti-aliased text); a blank or black window has one.
        assert distinct_colours(picture) > 50, f"{name}.png looks blank"
    for name, target in IN_README.items():
        shutil.copyfile(out / f"{name}.png", ROOT / "docs" / "screenshots" / target)
