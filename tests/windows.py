"""The apps as a store starts them: `run_kiosk.py` and `run_pager.py` as
processes, each in its own window on a virtual screen, tapped and typed into
through X (xdotool) and read off screenshots of the window.

Touches subprocesses, the X display and PNG files. Every wait is on the
picture (a text appears and the window stops changing) or on a process, and
is bounded by a deadline.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from tests.picture import Found, find, grey
from tests.processes import LineProcess
from tests.xvfb import VirtualScreen

TIMEOUT = 15.0


@dataclass(frozen=True)
class Text:
    """A text as a screen draws it: its words, size in sp (as the .kv says), weight."""

    words: str
    size: float
    bold: bool = False


class TextPictures:
    """What one copy of each text looks like, drawn by Kivy on the screen's
    display (tests/text_pictures.py, one process for all of them)."""

    def __init__(self, screen: VirtualScreen, folder: Path) -> None:
        self.folder = folder
        self.proc = LineProcess("tests/text_pictures.py", str(folder), env=screen.env())
        self.known: dict[Text, np.ndarray] = {}

    def __getitem__(self, text: Text) -> np.ndarray:
        if text not in self.known:
            key = hashlib.sha1(repr(text).encode()).hexdigest()[:16]
            self.proc.send(f"{key}\t{text.words}\t{text.size}\t{int(text.bold)}")
            self.proc.expect(f"drawn {key}", timeout=30)
            from PIL import Image

            with Image.open(self.folder / f"{key}.png") as picture:
                self.known[text] = np.asarray(picture, dtype=np.float64)
        return self.known[text]

    def close(self) -> None:
        self.proc.close()


KIVY_DEFAULT_SIZE = (800, 600)


class AppWindow:
    """One app process and its window, `size` pixels at `at` on the screen."""

    def __init__(
        self,
        screen: VirtualScreen,
        pictures: TextPictures,
        *args: str,
        size: tuple[int, int] | None,
        at: tuple[int, int] = (0, 0),
    ) -> None:
        """`size` None: the app alone, as a person starts it, finds its own size and place."""
        if not shutil.which("xdotool"):
            pytest.skip("xdotool is not installed (apt-get install xdotool)")
        self.screen = screen
        self.pictures = pictures
        env = screen.env()
        if size is not None:
            # Kivy's own settings from the environment (KCFG_<section>_<key>): the
            # window's size and place, as a store's kiosk is set up on its screen.
            env.update(
                KCFG_GRAPHICS_WIDTH=str(size[0]), KCFG_GRAPHICS_HEIGHT=str(size[1]),
                KCFG_GRAPHICS_POSITION="custom", KCFG_GRAPHICS_LEFT=str(at[0]), KCFG_GRAPHICS_TOP=str(at[1]),
            )  # fmt: skip
        self.proc = LineProcess(*args, env=env)
        try:
            self.id = self.xdotool("search", "--sync", "--onlyvisible", "--pid", str(self.proc.proc.pid)).split()[0]
        except subprocess.TimeoutExpired:
            self.proc.proc.kill()
            raise TimeoutError(f"no window from {args}: {self.log()[-3000:]}") from None

    def xdotool(self, *args: str, timeout: float = 30) -> str:
        result = subprocess.run(
            ["xdotool", *args], env=self.screen.env(), capture_output=True, text=True, timeout=timeout, check=True
        )
        return result.stdout

    def log(self) -> str:
        """What the app wrote to stderr: its log, Kivy's included."""
        return "".join(self.proc.stderr)

    def box(self) -> tuple[int, int, int, int]:
        """(left, top, right, bottom) of the window on the screen."""
        geometry = dict(line.split("=") for line in self.xdotool("getwindowgeometry", "--shell", self.id).split())
        x, y, w, h = (int(geometry[k]) for k in ("X", "Y", "WIDTH", "HEIGHT"))
        return x, y, x + w, y + h

    def sized_box(self, timeout: float = TIMEOUT) -> tuple[int, int, int, int]:
        """The window's box once the app has sized it: SDL maps a window at
        Kivy's default 800x600 first, and the app alone resizes it a moment later."""
        deadline = time.monotonic() + timeout
        while True:
            box = self.box()
            if (box[2] - box[0], box[3] - box[1]) != KIVY_DEFAULT_SIZE:
                return box
            if time.monotonic() > deadline:
                raise TimeoutError(f"the window stayed at Kivy's default size: {self.log()[-2000:]}")
            time.sleep(0.05)  # between checks of the geometry, not instead of one

    def shot(self, timeout: float = TIMEOUT):  # type: ignore[no-untyped-def]
        """The window as it is drawn once it stopped changing (no transition
        half-way): two grabs in a row alike."""
        deadline = time.monotonic() + timeout
        box = self.box()
        before = self.screen.grab(box)
        while True:
            now = self.screen.grab(box)
            if now.tobytes() == before.tobytes():
                return now
            if time.monotonic() > deadline:
                raise TimeoutError("the window kept changing")
            before = now

    def find(self, text: Text, picture=None) -> list[Found]:  # type: ignore[no-untyped-def]
        """Every copy of `text` in the window (or in `picture`, a shot of it)."""
        return find(grey(self.shot() if picture is None else picture), self.pictures[text])

    def once(self, text: Text, picture=None) -> Found:  # type: ignore[no-untyped-def]
        """The one copy of `text` in the window (or in `picture`); fails when
        it is not there, there more than once, or drawn twice over itself."""
        picture = self.shot() if picture is None else picture
        copies = self.find(text, picture)
        assert len(copies) == 1 and not copies[0].overprinted, (
            f"{text.words!r} drawn {len(copies)} times, twice over itself: {[c.overprinted for c in copies]} "
            f"({self.keep(picture)})"
        )
        return copies[0]

    def wait_for(
        self, text: Text, timeout: float = TIMEOUT, where: Callable[[Found], bool] | None = None
    ) -> list[Found]:
        """Until `text` is in the window, drawn and still (and `where` it is
        wanted, when given); every copy of it."""
        deadline = time.monotonic() + timeout
        while True:
            picture = self.shot()
            found = self.find(text, picture)
            if found and (where is None or any(where(f) for f in found)):
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{text} not seen in the window within {timeout}s ({self.keep(picture)})")

    def around(self, found: Found, picture, margin: int = 2) -> set[tuple[int, int, int]]:  # type: ignore[no-untyped-def]
        """The colours `margin` pixels outside a found text's box, all round
        it: one colour when the text sits on one background (its button)."""
        left, top = found.left - margin, found.top - margin
        right, bottom = found.left + found.width + margin, found.top + found.height + margin
        ring = [(x, y) for x in range(left, right + 1) for y in (top, bottom)]
        ring += [(x, y) for y in range(top, bottom + 1) for x in (left, right)]
        width, height = picture.size
        return {picture.getpixel((x, y)) if 0 <= x < width and 0 <= y < height else (-1, -1, -1) for x, y in ring}

    def keep(self, picture) -> str:  # type: ignore[no-untyped-def]
        """Keep a picture that a failure is about; where it is."""
        from tests.xvfb import ARTIFACTS

        path = ARTIFACTS / "windows" / f"failed-{time.strftime('%H%M%S')}-{self.id}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        picture.save(path)
        return f"picture in {path}"

    def tap(self, x: int, y: int) -> None:
        """A finger (the mouse, through X) down and up at a point of the window."""
        self.xdotool("mousemove", "--window", self.id, str(x), str(y), "click", "1")

    def wheel(self, x: int, y: int, button: int, clicks: int = 10) -> None:
        """Turn the mouse wheel over a point of the window (X buttons 4 and 5), as over a list."""
        self.xdotool("mousemove", "--window", self.id, str(x), str(y), "click", "--repeat", str(clicks), str(button))

    def tap_text(self, text: Text, which: int = 0) -> None:
        """Tap the middle of the text, once it is there: the topmost copy, or
        the `which`th from the top."""
        found = sorted(self.wait_for(text), key=lambda f: (f.top, f.left))
        self.tap(*found[which].centre)

    def type(self, words: str) -> None:
        """Type as a physical keyboard (or a barcode scanner) does, into what has focus."""
        self.xdotool("windowfocus", "--sync", self.id, "type", "--delay", "20", "--", words)

    def press(self, key: str) -> None:
        # Keys go to the window X has given the focus; with no window manager
        # to give it, the window of a process that ended leaves it nowhere.
        self.xdotool("windowfocus", "--sync", self.id, "key", key)

    def resize(self, width: int, height: int) -> None:
        self.xdotool("windowsize", "--sync", self.id, str(width), str(height))

    def save(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.shot().save(path)
        return path

    def close(self, timeout: float = 15.0) -> int:
        """Escape, as on a windowed kiosk or pager: the app stops; its exit code."""
        if self.proc.proc.poll() is None:
            try:
                self.press("Escape")
                return self.proc.proc.wait(timeout)
            except (subprocess.SubprocessError, OSError):
                self.proc.proc.kill()
        return self.proc.proc.wait(timeout)
