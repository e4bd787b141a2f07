"""The kiosk and the pager as windows: placed side by side (screen.py) on the
screen adapters/x_screen.py measures, started as the supervisor's children
with Kivy's settings for where and how large, each logging to DIR/kiosk.log
or DIR/pager.log. Writes DIR/kiosk.toml and those logs; starts the two apps.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

from adapters.x_screen import find_screen
from demo.commands import PRINTER_HELP
from demo.folder import ROOT, shown
from demo.processes import Proc
from demo.screen import kiosk_toml, place
from shell.display import Area, Placement


def start_windows(
    demo_dir: Path, wide: bool, kiosk: list[str], pager: list[str], add: Callable[[Proc], object]
) -> list[str]:
    """The pager and the kiosk started as windows side by side (each handed
    to `add` as it starts); what to tell the person at the terminal."""
    area, how = find_screen()
    kiosk_at, pager_at = place(area, wide)
    config = demo_dir / "kiosk.toml"
    config.write_text(kiosk_toml(kiosk_at.density))
    kiosk = [*kiosk, "--config", str(config)]
    for name, argv, at in (("pager", pager, pager_at), ("kiosk", kiosk, kiosk_at)):
        with open(demo_dir / f"{name}.log", "ab") as log_file:
            popen = subprocess.Popen(
                argv,
                cwd=ROOT,
                env={**os.environ, **at.env()},
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=log_file,
                process_group=0,
            )
        add(Proc(name, popen.pid, argv, popen))
    shape = "wide 1920x1080" if wide else "upright 1080x1920"
    return [
        f"Screen {area.width}x{area.height} at {area.x},{area.y} ({how}): "
        f"the kiosk {kiosk_at.width}x{kiosk_at.height} (its {shape} screen at {kiosk_at.density:.0%}) "
        f"and the pager {pager_at.width}x{pager_at.height} beside it.",
        *other_shape(area, kiosk_at, wide),
        f"Their logs: {shown(demo_dir / 'kiosk.log')}, {shown(demo_dir / 'pager.log')}.",
        "Try it: on the kiosk, Ask for help, a topic, Call a staff member; "
        "on the pager sign in (any name) and Claim it.",
        f"Printer: type {PRINTER_HELP} here.",
        "Stop: type stop here, press Ctrl-C, or close the kiosk window; everything the demo started stops with it.",
    ]


def other_shape(area: Area, kiosk_at: Placement, wide: bool) -> list[str]:
    """A hint when the other shape would show the kiosk much larger here."""
    other, _pager = place(area, not wide)
    if other.density < kiosk_at.density * 1.25:
        return []
    flag, shape = ("", "upright") if wide else (" --wide", "wide")
    return [f"On this screen ./run demo{flag} shows a {shape} kiosk larger, at {other.density:.0%}."]
