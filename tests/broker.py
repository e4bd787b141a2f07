"""A real Mosquitto on 127.0.0.1 for tests: a free port, a temp config.

Touches processes, sockets and temp files. Used by the `broker` fixture.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """Until `proc` listens on 127.0.0.1:`port`; its stderr if it exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"mosquitto exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            # Waiting for a port to open has no event to wait on; the loop is
            # bounded by the deadline.
            time.sleep(0.02)
    raise TimeoutError(f"mosquitto did not open port {port}")


def persistent(workdir: Path) -> str:
    """Config lines for a broker that keeps sessions and messages across a crash,
    as broker_config/production.conf does (save on every change)."""
    return (
        f"persistence true\npersistence_location {workdir}/\n"
        "autosave_on_changes true\nautosave_interval 1\n" + ("user root\n" if os.geteuid() == 0 else "")
        # Tests run as root; keep root so the broker may write the test's folder.
    )


class Mosquitto:
    def __init__(self, workdir: Path, port: int | None = None, extra: str = "") -> None:
        self.workdir = workdir
        self.port = port or free_port()
        self.extra = extra
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = workdir / "mosquitto.log"
        self.conf_path = workdir / "mosquitto.conf"

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self, timeout: float = 10.0) -> None:
        binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        if not os.path.exists(binary):
            raise FileNotFoundError("mosquitto is not installed (apt-get install mosquitto)")
        # log_dest file: Mosquitto buffers stdout when it is not a terminal.
        self.conf_path.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\n"
            f"log_dest file {self.log_path}\nlog_type all\n{self.extra}\n"
        )
        self.proc = subprocess.Popen(
            [binary, "-c", str(self.conf_path)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        wait_for_port(self.port, self.proc, timeout)

    def kill(self) -> None:
        """SIGKILL: no goodbye, no final save — a crash or a power cut."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
