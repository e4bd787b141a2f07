"""Kiosk start to first frame, and its resident memory, under Xvfb.

    .venv/bin/python -m bench.kiosk_start [--runs 5]

Each run starts a fresh `python` process on a virtual screen that loads the
real kiosk (Kivy, the demo catalog's finder, storage, the MQTT transport to a
real Mosquitto) and stops at its first drawn frame; the clock runs from the
moment the process is launched (so interpreter start and imports count).
Baseline in the same run: a bare Kivy window with one label, to first frame.
Targets: ≤ 3 s to first frame, ≤ 200 MB resident.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.figures import peak_rss_mb, summary_ms
from tests.broker import Mosquitto

ROOT = Path(__file__).resolve().parent.parent


def child(kind: str, broker_url: str, data_dir: str) -> None:
    """Runs in the measured process: build, draw one frame, report, leave."""
    from adapters import kivy_runtime  # noqa: F401  (Kivy's environment first)

    # isort: split
    from kivy.base import EventLoop
    from kivy.core.window import Window

    if kind == "kiosk":
        from kiosk.app import KioskApp
        from kiosk.main import build, load_finder
        from shell.config import load_kiosk

        config = load_kiosk(None, broker_url=broker_url, storage_data_dir=data_dir)
        app = KioskApp(config, build, load_finder(config))
        root = app.build()
    else:
        from kivy.uix.label import Label

        app, root = None, Label(text="Hello")
    drawn: list[float] = []
    Window.bind(on_flip=lambda *_a: drawn.append(time.monotonic()))
    Window.add_widget(root)
    while not drawn:
        EventLoop.idle()
    print(json.dumps({"first_frame": drawn[0], "rss_mb": peak_rss_mb()}), flush=True)
    if app is not None:
        app.shutdown()


def measure(kind: str, broker_url: str, data_dir: str) -> tuple[float, float]:
    launched = time.monotonic()
    out = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24 +extension GLX",
         sys.executable, "-m", "bench.kiosk_start", "--child", kind, broker_url, data_dir],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return result["first_frame"] - launched, result["rss_mb"]


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(*sys.argv[2:5])
        return
    parser = argparse.ArgumentParser(prog="python -m bench.kiosk_start")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        broker = Mosquitto(Path(tmp))
        broker.start()
        try:
            results = {}
            for kind in ("bare", "kiosk"):
                runs = [measure(kind, broker.url, f"{tmp}/{kind}-{n}") for n in range(args.runs)]
                results[kind] = runs
        finally:
            broker.stop()
    print(f"process launch → first frame under Xvfb (Mesa llvmpipe), {args.runs} runs each")
    for kind, label in (
        ("bare", "bare Kivy window, one label (baseline)"),
        ("kiosk", "the kiosk (catalog, storage, MQTT)"),
    ):
        times = [t for t, _rss in results[kind]]
        rss = max(r for _t, r in results[kind])
        print(f"  {label:40s} {summary_ms(times)}   peak RSS {rss:.0f} MB")
    print("  targets: ≤ 3 s to first frame, ≤ 200 MB resident")


if __name__ == "__main__":
    main()
