"""Real pixels: every kiosk screen drawn under Xvfb, saved for people to look at.

The pictures go to tests/artifacts/ (and the README's selection to
docs/screenshots/). Each is checked to be a real picture, not a blank window.
"""

from __future__ import annotations

import shutil

from tests.kiosk_fixture import new_store
from tests.pager_fixture import console_pager, headless_kiosk
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
        bob.send("claim R-001")
        bob.expect("claimed R-001")
        picture = ARTIFACTS / "pager.png"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        run_under_xvfb("tests/shoot_pager.py", str(picture), broker.url, store, "3")
    finally:
        bob.close()
        kiosk.close()
    assert distinct_colours(picture) > 50, "pager.png looks blank"
    shutil.copyfile(picture, ROOT / "docs" / "screenshots" / "pager.png")
