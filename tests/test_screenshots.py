"""Real pixels: every kiosk screen drawn under Xvfb, saved for people to look at.

The pictures go to tests/artifacts/ (and the README's selection to
docs/screenshots/). Each is checked to be a real picture, not a blank window.
"""

from __future__ import annotations

import json
import shutil

from kiosk.language import LANGUAGES
from tests.kiosk_fixture import new_store
from tests.pager_fixture import console_pager, headless_kiosk
from tests.xvfb import ARTIFACTS, ROOT, distinct_colours, run_under_xvfb

SCREENS = ("welcome", "help", "ticket", "feedback", "feedback_details", "thanks", "find", "return")
IN_README = {
    ("en", "welcome"): "kiosk-welcome.png",
    ("en", "ticket"): "kiosk-ticket.png",
    ("zh_Hans", "ticket"): "kiosk-ticket-zh-hans.png",
    ("nl", "help"): "kiosk-help-nl.png",
    ("access", "welcome-large-contrast"): "kiosk-welcome-large-contrast.png",
    ("en", "find"): "kiosk-find.png",
    ("access", "help-keyboard-portrait"): "kiosk-keyboard-portrait.png",
}


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
    for (code, name), target in IN_README.items():
        shutil.copyfile(out / code / f"{name}.png", ROOT / "docs" / "screenshots" / target)


def test_the_pager_window_is_drawn_with_real_pixels(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = new_store()
    kiosk = headless_kiosk(broker, store, tmp_path / "kiosk")
    bob = console_pager(broker, store, "Bob")
    try:
        for line in (
            "find blue paint 2.5 l",
            "return R2026-1124-42 Wrong size",
            "help question Which drill for concrete?",
        ):
            kiosk.send(line)
            kiosk.expect("ticket")
        bob.expect("new H-001")
        bob.send("claim H-001")
        bob.expect("claimed H-001")
        picture = ARTIFACTS / "pager.png"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        run_under_xvfb("tests/shoot_pager.py", str(picture), broker.url, store, "3")
    finally:
        bob.close()
        kiosk.close()
    assert distinct_colours(picture) > 50, "pager.png looks blank"
    shutil.copyfile(picture, ROOT / "docs" / "screenshots" / "pager.png")
