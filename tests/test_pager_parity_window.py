"""The pager window as a store starts it (`run_pager.py`), on a virtual screen at
480x800, with a headless kiosk and a colleague on a console pager: who is on
shift, resolve's choice of outcomes, a hand over, and the two sounds heard.

SDL's `disk` audio driver writes what the window plays to a file, so the test
hears it: the escalation comes out louder than the new request. The README's
picture of the outcome choice and the on-shift strip is saved on the way
(docs/screenshots/pager-handover.png).
"""

from __future__ import annotations

import shutil
import time
from array import array
from pathlib import Path

from shell.tone_wav import FULL_SCALE
from tests.kiosk_fixture import new_store
from tests.pager_fixture import console_pager, headless_kiosk
from tests.windows import AppWindow, Text
from tests.xvfb import ARTIFACTS, ROOT

QUICK_FIND = "[escalation]\nfind = [2, 100, 200]\n"  # a find request waits 2 s before everyone is called again
BUTTON = 20  # sp, bold: pager.kv's PagerButton
CHIP = 15  # sp: sheets.kv's on-shift chips


def loudest(raw: Path, start: int = 0) -> int:
    """The peak of what the window played (SDL's disk driver: signed 16-bit samples), from byte `start` on."""
    data = raw.read_bytes()[start:]
    samples = array("h", data[: len(data) // 2 * 2])
    return max(map(abs, samples), default=0)


def until_heard(raw: Path, at_least: float, start: int = 0, timeout: float = 15.0) -> int:
    """Until the played sound reaches `at_least` of full scale; its peak."""
    deadline = time.monotonic() + timeout
    while True:
        peak = loudest(raw, start) if raw.exists() else 0
        if peak >= at_least * FULL_SCALE:
            return peak
        if time.monotonic() > deadline:
            raise AssertionError(f"nothing that loud played within {timeout}s: peak {peak}")
        time.sleep(0.05)  # the driver writes as the sound plays: look again shortly


def test_the_pager_window_offers_outcomes_hands_over_shows_the_shift_and_sounds(  # type: ignore[no-untyped-def]
    broker, screen, pictures, tmp_path, monkeypatch
) -> None:
    raw = tmp_path / "played.raw"
    # Read by the window's process (AppWindow takes the environment of this one).
    monkeypatch.setenv("SDL_AUDIODRIVER", "disk")
    monkeypatch.setenv("SDL_DISKAUDIOFILE", str(raw))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    config = tmp_path / "kiosk.toml"
    config.write_text(QUICK_FIND, encoding="utf-8")
    store = new_store()
    kiosk = headless_kiosk(broker, store, tmp_path / "kiosk", "--config", str(config))
    ben = console_pager(broker, store, "Ben")
    try:
        pager = AppWindow(
            screen, pictures, "run_pager.py", "--broker", broker.url, "--store", store, "--staff", "Anna",
            "--device", "pager-anna", "--log-level", "INFO", size=(480, 800), at=(0, 0),
        )  # fmt: skip
        try:
            pager.wait_for(Text("Anna · floor", 20, bold=True))
            pager.wait_for(Text("Connected", 16))
            pager.wait_for(Text("Ben · floor · pager", CHIP))
            pager.once(Text("On shift: 2 online", 15, bold=True))
            pager.proc.logged("sounds loaded")
            kiosk.send("help question Where is the tile glue?")
            pager.wait_for(Text("H-001", 26, bold=True))
            pager.proc.logged("sound new H-001")
            new_peak = until_heard(raw, 0.3)
            assert new_peak < 0.45 * FULL_SCALE, "a new request's beeps are soft"
            pager.tap_text(Text("Claim", BUTTON, bold=True))
            pager.wait_for(Text("You have it", 17))
            for words in ("Resolve", "Hand over", "Release"):
                pager.once(Text(words, BUTTON, bold=True))  # the holder's three, each drawn whole
            pager.save(ARTIFACTS / "windows" / "pager-held.png")
            pager.tap_text(Text("Resolve", BUTTON, bold=True))
            pager.wait_for(Text("Resolve H-001: how did it end?", 20, bold=True))
            for words in ("Question answered", "Complaint noted", "Sent to the service desk", "Shopper had gone"):
                pager.once(Text(words, BUTTON, bold=True))
            pager.once(Text("Anna (you) · floor · pager", CHIP, bold=True))
            shot = pager.save(ARTIFACTS / "windows" / "pager-handover.png")
            shutil.copyfile(shot, ROOT / "docs" / "screenshots" / "pager-handover.png")
            pager.tap_text(Text("Back", BUTTON, bold=True))
            pager.tap_text(Text("Hand over", BUTTON, bold=True))
            pager.wait_for(Text("Hand H-001 over to", 20, bold=True))
            pager.tap_text(Text("Ben", BUTTON, bold=True))
            assert ben.expect("handed") == "handed H-001 from=Anna to=Ben yours"
            pager.wait_for(Text("Anna handed H-001 to Ben", 18, bold=True))
            ben.send("resolve H-001 answered")
            pager.wait_for(Text("H-001 resolved by Ben", 18, bold=True))
            assert kiosk.expect("status H-001 resolved") == "status H-001 resolved Ben"

            heard = raw.stat().st_size
            kiosk.send("find hammer")
            pager.proc.logged("sound new F-001")
            pager.proc.logged("sound escalated F-001")
            escalated_peak = until_heard(raw, 0.9, start=heard)
            assert escalated_peak > 2.5 * new_peak, "the escalation is louder"
            pager.wait_for(Text("Still waiting: F-001 · Find an item — can you go?", 18, bold=True))
        finally:
            assert pager.close() == 0, pager.log()[-3000:]
        log = pager.log()
        sounds = [line.rsplit(": ", 1)[1].strip() for line in log.splitlines() if ": sound " in line]
        assert sounds == ["sound new H-001", "sound new F-001", "sound escalated F-001"]
        assert "sound unavailable" not in log
    finally:
        ben.close()
        kiosk.close()
