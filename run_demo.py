"""`./run demo`: the whole product on one machine, no hardware needed.

Starts a development Mosquitto on loopback, a virtual printer on a
pseudo-terminal (tickets saved as bytes and PNG previews), the kiosk window and
a staff pager window. `--headless` runs the text fronts side by side in tmux.
Everything it writes goes under var/demo/.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

from shell.display import has_display

ROOT = Path(__file__).resolve().parent
VAR = ROOT / "var" / "demo"

NO_DISPLAY = """\
No display found (DISPLAY is not set), so the kiosk and pager windows cannot open.
Run the same demo with the text fronts instead (kiosk and pager side by side in tmux):
    ./run demo --headless
or give it a virtual screen:
    xvfb-run -a ./run demo"""


def pick_port(preferred: int = 1883) -> int:
    for port in (preferred, 0):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise RuntimeError("no free port on 127.0.0.1")


def start_broker(port: int) -> subprocess.Popen[bytes]:
    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    conf = (ROOT / "broker_config" / "dev.conf").read_text()
    conf = conf.replace("listener 1883 127.0.0.1", f"listener {port} 127.0.0.1")
    # stderr, opened here: Mosquitto started as root drops to its own user,
    # which could not open a log file in var/ itself (and it buffers stdout).
    conf = conf.replace("log_dest stdout", "log_dest stderr")
    path = VAR / "mosquitto.conf"
    path.write_text(conf)
    with open(VAR / "mosquitto.log", "ab") as log_file:
        return subprocess.Popen([binary, "-c", str(path)], stderr=log_file)


def start_printer() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "printer.virtual", "--out", str(VAR / "printer")],
        stdout=subprocess.PIPE,
        stdin=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    first = proc.stdout.readline().split() if proc.stdout else []
    if len(first) != 2 or first[0] != "port":
        raise RuntimeError(f"virtual printer did not start: {first}")
    # It says a line per ticket and per state change: keep reading them (into
    # a log) so its pipe never fills and stops it.
    threading.Thread(target=_copy_lines, args=(proc.stdout, VAR / "printer.log"), daemon=True).start()
    return proc, first[1]


def _copy_lines(source: IO[str], path: Path) -> None:
    with open(path, "a", encoding="utf-8") as log_file:
        for line in source:
            log_file.write(line)
            log_file.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./run demo")
    parser.add_argument("--headless", action="store_true", help="text fronts in tmux instead of windows")
    args = parser.parse_args(argv)
    if not args.headless and not has_display():
        print(NO_DISPLAY, file=sys.stderr)
        return 2
    if args.headless and not shutil.which("tmux"):
        print("The headless demo needs tmux (apt-get install tmux).", file=sys.stderr)
        return 2
    VAR.mkdir(parents=True, exist_ok=True)
    port = pick_port()
    url = f"mqtt://127.0.0.1:{port}"
    broker = start_broker(port)
    printer, printer_port = start_printer()
    kiosk = [
        sys.executable,
        "run_kiosk.py",
        "--broker",
        url,
        "--printer",
        printer_port,
        "--data-dir",
        str(VAR / "kiosk"),
    ]
    pager = [sys.executable, "run_pager.py", "--broker", url]
    print(f"broker {url}  printer {printer_port}  tickets in {VAR / 'printer'}", flush=True)
    children: list[subprocess.Popen[bytes]] = []
    try:
        if args.headless:
            # When the kiosk pane ends, it signals the launcher (tmux wait-for).
            left = shlex.join([*kiosk, "--headless", "--log-level", "WARNING"]) + "; tmux wait-for -S demo-done"
            right = shlex.join([*pager, "--console", "--staff", "Anna"])
            session = "store-assist-demo"
            subprocess.run(["tmux", "kill-session", "-t", session], stderr=subprocess.DEVNULL)
            subprocess.run(["tmux", "new-session", "-d", "-s", session, "-c", str(ROOT), left], check=True)
            subprocess.run(["tmux", "split-window", "-h", "-t", session, "-c", str(ROOT), right], check=True)
            print(
                "Left: the kiosk (try: help question Where is the paint?).  "
                "Right: Anna's pager (try: claim H-001, resolve H-001 done).  Detach: Ctrl-b d",
                flush=True,
            )
            if sys.stdin.isatty():
                subprocess.run(["tmux", "attach", "-t", session])
            else:
                print(f"attach with: tmux attach -t {session}", flush=True)
                subprocess.run(["tmux", "wait-for", "demo-done"], check=False)
            subprocess.run(["tmux", "kill-session", "-t", session], stderr=subprocess.DEVNULL)
        else:
            children.append(subprocess.Popen(pager, cwd=ROOT))
            kiosk_proc = subprocess.Popen(kiosk, cwd=ROOT)
            children.append(kiosk_proc)
            kiosk_proc.wait()
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            child.send_signal(signal.SIGTERM)
        for proc in (printer, broker):
            proc.terminate()
        for proc in (*children, printer, broker):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
