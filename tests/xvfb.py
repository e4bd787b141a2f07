"""Real pixels: programs on a virtual screen (Xvfb), and their pictures.

Touches subprocesses, the X display and PNG files. Kivy's window is one per
process and the behaviour tests use the mock GL backend, so every screenshot
is taken of a separate process: a script under `xvfb-run` (Mesa's software
GL), or the apps themselves on a `VirtualScreen` shared by several processes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
SCREEN = "-screen 0 1920x1920x24 +extension GLX"  # room for 1280x800 and an upright 1080x1920


def run_under_xvfb(*args: str, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
    """Run `python *args` on a virtual screen; fail with its output if it fails."""
    if not shutil.which("xvfb-run"):
        pytest.skip("xvfb-run is not installed (apt-get install xvfb xauth)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIVY_GL")}
    env.pop("DISPLAY", None)
    result = subprocess.run(
        ["xvfb-run", "-a", "-s", SCREEN, sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, (
        f"exit {result.returncode}\nstdout {result.stdout[-3000:]}\nstderr {result.stderr[-3000:]}"
    )
    return result


class VirtualScreen:
    """An Xvfb server of our own; its display number comes back on a pipe
    (`-displayfd`) once it accepts clients, so nothing waits by guessing."""

    def __init__(self, screen: str = SCREEN) -> None:
        if not shutil.which("Xvfb"):
            pytest.skip("Xvfb is not installed (apt-get install xvfb)")
        read, write = os.pipe()
        self.proc = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write), "-nolisten", "tcp", *screen.split()],
            pass_fds=(write,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write)
        with os.fdopen(read) as answer:
            number = answer.readline().strip()  # at EOF: Xvfb died
        if not number:
            raise RuntimeError(f"Xvfb did not start (exit {self.proc.wait(10)})")
        self.display = f":{number}"

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a program shown on this screen: real GL, not
        the behaviour tests' mock one."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("KIVY_GL")}
        env.pop("WAYLAND_DISPLAY", None)
        return {**env, "DISPLAY": self.display, **extra}

    def grab(self, box: tuple[int, int, int, int]):  # type: ignore[no-untyped-def]
        """The pixels of (left, top, right, bottom) as a PIL image, RGB."""
        from PIL import ImageGrab

        return ImageGrab.grab(bbox=box, xdisplay=self.display).convert("RGB")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def distinct_colours(path: Path) -> int:
    """How many colours a picture has: 1 means blank (all black or all white)."""
    from PIL import Image

    with Image.open(path) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 24)
    return len(colours or [])
