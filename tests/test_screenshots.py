"""Real pixels: every kiosk screen in every language drawn under Xvfb, saved
in tests/artifacts/kiosk/ for people to look at.

A script drives the app's screens in one process (tests/shoot_kiosk.py). Each
picture is checked to be a real picture, not a blank window, and Chinese to be
drawn as glyphs. The README's pictures come from the apps as a store starts
them (tests/test_windows.py).
"""

from __future__ import annotations

import json

from kiosk.language import LANGUAGES
from tests.xvfb import ARTIFACTS, distinct_colours, run_under_xvfb

SCREENS = ("welcome", "help", "ticket", "feedback", "feedback_details", "thanks", "find", "return")


def test_every_kiosk_screen_is_drawn_in_every_language_with_real_glyphs(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = ARTIFACTS / "kiosk"
    run_under_xvfb("tests/shoot_kiosk.py", str(out), broker.url, str(tmp_path / "kiosk"), timeout=240)
    for code, _name in LANGUAGES:
        for name in SCREENS:
            picture = out / code / f"{name}.png"
            assert picture.is_file(), f"{code}/{name}.png was not saved"
            # Text, buttons and background: a drawn screen has hundreds of colours
            # (anti-aliased text); a blank or black window has one.
            assert distinct_colours(picture) > 50, f"{code}/{name}.png looks blank"
    for name in ("welcome-large-contrast", "help-large-contrast", "welcome-portrait", "help-keyboard-portrait"):
        assert distinct_colours(out / "access" / f"{name}.png") > 50, f"access/{name}.png looks blank"
    glyphs = json.loads((out / "glyphs.json").read_text())
    kiosk_font = next(font for font in glyphs if font != "Roboto")
    assert glyphs[kiosk_font] == [True, True], "the kiosk's font draws Chinese as boxes"
    assert glyphs["Roboto"] == [False, False], "the check must see boxes where a font has no Chinese"

