"""The demo's web service: staff on phones, the shopper's ticket, the entrance board.

Starts `python -m store_server.web_main` on loopback (8080, or a free port),
its data in DIR/web and its log in DIR/web.log, with three demo accounts
made once; and writes DIR/kiosk.toml, config/kiosk.toml with the printed QR
pointing at the ticket pages. Touches DIR, processes and a loopback port.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from demo.folder import ROOT, shown
from demo.processes import DemoError, Proc

# Who can sign in on /staff in the demo (name, role); every PIN is DEMO_PIN.
DEMO_ACCOUNTS = (("Anna", "floor"), ("Ben", "floor"), ("Mia", "manager"))
DEMO_PIN = "1234"
ACCOUNT_WAIT = 60.0  # seconds for one `accounts add` (hashing a PIN takes a moment)


def web_command(demo_dir: Path, broker: str, port: int) -> list[str]:
    """The service as the demo runs it; `accounts …` arguments go after it."""
    return [
        sys.executable, "-m", "store_server.web_main", "--broker", broker, "--data-dir", str(demo_dir / "web"),
        "--listen", "127.0.0.1", "--port", str(port), "--public-url", f"http://127.0.0.1:{port}",
    ]  # fmt: skip


def make_accounts(demo_dir: Path, broker: str, port: int) -> None:
    """The demo's staff accounts, once: a later demo keeps them (and their PINs)."""
    if (demo_dir / "web" / "accounts.json").exists():
        return
    for name, role in DEMO_ACCOUNTS:
        argv = [*web_command(demo_dir, broker, port), "accounts", "add", name, "--role", role, "--pin-stdin"]
        done = subprocess.run(
            argv, cwd=ROOT, input=DEMO_PIN + "\n", text=True, capture_output=True, timeout=ACCOUNT_WAIT
        )
        if done.returncode != 0:
            raise DemoError(f"could not make the demo account {name}: {done.stderr.strip() or done.stdout.strip()}")


def kiosk_config(demo_dir: Path, port: int) -> Path:
    """config/kiosk.toml with the printed QR opening the shopper's ticket page."""
    text = (ROOT / "config" / "kiosk.toml").read_text(encoding="utf-8")
    text, found = re.subn(r'(?m)^qr_url = ""', f'qr_url = "http://127.0.0.1:{port}/t/{{token}}"', text)
    if found != 1:
        raise DemoError("config/kiosk.toml has no empty qr_url line to point at the ticket pages")
    path = demo_dir / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def start_web(demo_dir: Path, broker: str, port: int, add: Callable[[Proc], Proc]) -> list[str]:
    """Start the web service; the lines that tell a person where to look."""
    make_accounts(demo_dir, broker, port)
    argv = web_command(demo_dir, broker, port)
    with open(demo_dir / "web.log", "ab") as log_file:
        popen = subprocess.Popen(
            argv, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file, process_group=0
        )
    add(Proc("web", popen.pid, argv, popen))
    names = ", ".join(name for name, _ in DEMO_ACCOUNTS[:-1]) + f" or {DEMO_ACCOUNTS[-1][0]} (manager)"
    url = f"http://127.0.0.1:{port}"
    return [
        f"Staff on phones: {url}/staff (sign in as {names}, PIN {DEMO_PIN}); the entrance board: {url}/board",
        f"Each printed ticket's QR opens the shopper's page ({url}/t/…); the web service's log: "
        f"{shown(demo_dir / 'web.log')}",
    ]
