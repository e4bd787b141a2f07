"""Real pixels: run a screenshot script under Xvfb and check the picture.

Touches subprocesses and PNG files. Kivy's window is one per process and the
behaviour tests use the mock GL backend, so every screenshot is taken by a
separate process under `xvfb-run` (Mesa's software GL).
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


def distinct_colours(path: Path) -> int:
    """How many colours a picture has: 1 means blank (all black or all white)."""
    from PIL import Image

    with Image.open(path) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 24)
    return len(colours or [])
