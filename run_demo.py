"""`./run demo`: the whole product on one machine, no hardware needed.

    ./run demo [--wide] [--dir DIR]     the kiosk and a staff pager as windows
    ./run demo --headless [--dir DIR]   the text kiosk, a console pager and the printer in tmux

Starts a development Mosquitto on loopback, a virtual printer on a
pseudo-terminal (tickets saved as bytes and PNG previews), the kiosk and a
staff pager. Everything it writes goes under var/demo/ (or DIR).

This file reads the command line and hands over to the demo package (how it
holds together: demo/__init__.py): the supervisor in this process, or, for
--headless typed by a person, the launcher that starts the supervisor in tmux
(as `run_demo.py --headless --supervise`).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from demo.folder import DEFAULT_DIR
from demo.headless import launch_headless
from demo.supervisor import supervise
from shell.display import has_display

NO_DISPLAY = """\
No display found (DISPLAY is not set), so the kiosk and pager windows cannot open.
Run the same demo with the text fronts instead (kiosk, pager and printer side by side in tmux):
    ./run demo --headless
or give it a virtual screen:
    xvfb-run -a ./run demo"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="./run demo", description="the kiosk, a staff pager, a broker and a virtual printer"
    )
    parser.add_argument("--headless", action="store_true", help="text fronts in tmux instead of windows")
    parser.add_argument(
        "--wide", action="store_true", help="the kiosk as a wide 1920x1080 screen (default: upright 1080x1920)"
    )
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="where everything goes (default: var/demo)")
    parser.add_argument("--supervise", action="store_true", help=argparse.SUPPRESS)  # the headless demo's own pane
    args = parser.parse_args(argv)
    demo_dir = args.dir.resolve()
    if args.headless:
        if not shutil.which("tmux"):
            print("The headless demo needs tmux (apt-get install tmux).", file=sys.stderr)
            return 2
        return supervise(demo_dir, True, args.wide) if args.supervise else launch_headless(demo_dir)
    if not has_display():
        print(NO_DISPLAY, file=sys.stderr)
        return 2
    return supervise(demo_dir, False, args.wide)


if __name__ == "__main__":
    sys.exit(main())
