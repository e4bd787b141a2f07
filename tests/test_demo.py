"""`./run demo` as a person starts it: `run_demo.py` as a process, with its
windows on a virtual X screen and its headless form in tmux (outside tmux,
inside tmux, attached from a terminal and detached).

Each test has a demo folder of its own (`--dir`), its own X display and its
own tmux server (TMUX_TMPDIR), so it never meets a demo someone is running;
the demo's broker takes 1883 or, when that is taken, a free port. Waits are
on lines, files and process ends, each with a deadline. Touches subprocesses,
Xvfb, tmux, a pty and files under tmp_path and tests/artifacts/.
"""

from __future__ import annotations

import json
import os
import pty
import queue
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from demo.headless import SESSION
from demo.screen import place
from shell.display import Area, Placement

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
SCREEN = (1920, 1080)
KIOSK_TITLE = "Store Assist — "
PAGER_TITLE = "Store Assist pager — "
START = 60.0  # seconds for the demo to be up (two Kivy windows on software GL, two shared cores)
STOP = 30.0


def wait_for(condition: Callable[[], object], timeout: float, what: str) -> object:
    """Check `condition()` until it is truthy (its value) or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"not within {timeout:.0f} s: {what}")
        time.sleep(0.05)  # between checks of the condition, not instead of one


def gone(pid: int) -> bool:
    """Not running: no such process, or one that has ended (a zombie)."""
    try:
        return Path(f"/proc/{pid}/stat").read_bytes().rpartition(b")")[2].split()[0] == b"Z"
    except (OSError, IndexError):
        return True


def wait_gone(pid: int, timeout: float) -> None:
    """Wait for a process that is not our child to end (pidfd: woken by its end)."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    try:
        assert select.select([fd], [], [], timeout)[0] or gone(pid), f"pid {pid} still running after {timeout} s"
    finally:
        os.close(fd)


def recorded(demo_dir: Path) -> dict | None:
    try:
        return json.loads((demo_dir / "pids.json").read_text())
    except (OSError, ValueError):
        return None


def start_demo(demo_dir: Path, env: dict[str, str], *args: str, stdin: int = subprocess.PIPE) -> subprocess.Popen:
    """`run_demo.py` as the README starts it, its output read as text."""
    return subprocess.Popen(
        [sys.executable, "run_demo.py", *args, "--dir", str(demo_dir)],
        cwd=ROOT,
        env=env,
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )


def wait_ready(demo_dir: Path, proc: subprocess.Popen | None = None) -> dict:
    """pids.json once the demo has started everything."""

    def ready() -> dict | None:
        if proc is not None and proc.poll() is not None:
            log = (demo_dir / "demo.log").read_text() if (demo_dir / "demo.log").exists() else ""
            raise AssertionError(f"the demo ended (exit {proc.returncode}) before it was ready:\n{log}")
        data = recorded(demo_dir)
        return data if data and data["ready"] else None

    return wait_for(ready, START, f"{demo_dir}/pids.json says ready")  # type: ignore[return-value]


def all_pids(data: dict) -> dict[str, int]:
    return {"supervisor": data["supervisor"], **{p["name"]: p["pid"] for p in data["processes"]}}


def assert_all_gone(pids: dict[str, int]) -> None:
    running = {name: pid for name, pid in pids.items() if not gone(pid)}
    assert not running, f"still running after the demo stopped: {running}"


class Output:
    """A process's stdout, line by line, waited for with a deadline."""

    def __init__(self, stream) -> None:  # type: ignore[no-untyped-def]
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream) -> None:  # type: ignore[no-untyped-def]
        for line in stream:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def expect(self, text: str, timeout: float = 15.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(deadline - time.monotonic(), 0.001))
            except queue.Empty:
                raise TimeoutError(f"no line with {text!r} within {timeout} s; seen {self.seen[-15:]}") from None
            if line is None:
                raise EOFError(f"output ended before {text!r}; seen {self.seen[-15:]}")
            self.seen.append(line)
            if text in line:
                return line

    def rest(self, timeout: float = 5.0) -> list[str]:
        """The lines up to the end of the output."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(deadline - time.monotonic(), 0.001))
            except queue.Empty:
                break
            if line is None:
                break
            self.seen.append(line)
        return self.seen


def demo_env(**extra: str) -> dict[str, str]:
    """The test run's environment as a person's shell would have it: no mock
    GL, no display and no tmux unless a test gives one."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KIVY_GL", "TMUX"))}
    env.pop("DISPLAY", None)
    env.update(extra)
    return env


# -- a tmux server of the test's own ---------------------------------------------


@pytest.fixture
def tmux_env() -> Iterator[dict[str, str]]:
    """The environment for a private tmux server (its socket in a fresh folder,
    short enough for a socket path); the server is stopped afterwards."""
    if not shutil.which("tmux"):
        pytest.skip("tmux is not installed (apt-get install tmux)")
    folder = tempfile.mkdtemp(prefix="tmux-demo-")
    env = demo_env(TMUX_TMPDIR=folder, TERM="xterm")
    yield env
    subprocess.run(["tmux", "kill-server"], env=env, capture_output=True, check=False)
    shutil.rmtree(folder, ignore_errors=True)


def tmux(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(["tmux", *args], env=env, capture_output=True, text=True, timeout=10, check=False)
    assert result.returncode == 0, f"tmux {' '.join(args)}: {result.stderr}"
    return result.stdout


def pane_text(env: dict[str, str], pane: str) -> str:
    return tmux(env, "capture-pane", "-p", "-J", "-t", pane)


# -- windows on a virtual screen --------------------------------------------------


@pytest.fixture
def display() -> Iterator[str]:
    """An X display of its own (Xvfb picks a free number and says it when ready)."""
    if not shutil.which("Xvfb"):
        pytest.skip("Xvfb is not installed (apt-get install xvfb)")
    read, write = os.pipe()
    screen = f"{SCREEN[0]}x{SCREEN[1]}x24"
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", screen, "+extension", "GLX", "-nolisten", "tcp"],
        pass_fds=[write],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        assert select.select([read], [], [], 20)[0], "Xvfb did not say its display number within 20 s"
        number = os.read(read, 64).decode().strip()
        assert number.isdigit(), f"Xvfb said {number!r}"
        yield f":{number}"
    finally:
        os.close(read)
        xvfb.terminate()
        xvfb.wait(10)


def window_geometry(env: dict[str, str]) -> dict[str, Placement]:
    """The demo's two windows on the screen, by xwininfo (absolute positions)."""
    tree = subprocess.run(["xwininfo", "-root", "-tree"], env=env, capture_output=True, text=True, check=True).stdout
    found = {}
    for title, key in ((PAGER_TITLE, "pager"), (KIOSK_TITLE, "kiosk")):
        for line in tree.splitlines():
            match = re.search(r'"([^"]*)".*?(\d+)x(\d+)[+-]-?\d+[+-]-?\d+\s+\+(-?\d+)\+(-?\d+)', line)
            if match and match[1].startswith(title) and key not in found:
                width, height, left, top = (int(match[i]) for i in range(2, 6))
                found[key] = Placement(left, top, width, height, 0)
    return found


def test_windows_side_by_side_printer_commands_and_sigterm(display: str, tmp_path: Path) -> None:
    if not shutil.which("xwininfo"):
        pytest.skip("xwininfo is not installed (apt-get install x11-utils)")
    env = demo_env(DISPLAY=display)
    demo_dir = tmp_path / "demo"
    demo = start_demo(demo_dir, env)
    out = Output(demo.stdout)
    try:
        pids = all_pids(wait_ready(demo_dir, demo))
        for app in ("kiosk", "pager"):
            log = demo_dir / f"{app}.log"

            def window_up(log: Path = log) -> bool:
                return "Start application main loop" in log.read_text()

            wait_for(window_up, START, f"{app} window up")

        # Side by side, at the intended sizes, not overlapping, all on the screen.
        want_kiosk, want_pager = place(Area(0, 0, *SCREEN))
        windows = wait_for(lambda: len(found := window_geometry(env)) == 2 and found, 15, "both windows mapped")
        kiosk, pager = windows["kiosk"], windows["pager"]  # type: ignore[index]
        assert (kiosk.width, kiosk.height, kiosk.left, kiosk.top) == (
            want_kiosk.width,
            want_kiosk.height,
            want_kiosk.left,
            want_kiosk.top,
        ), kiosk
        assert (pager.width, pager.height, pager.left, pager.top) == (
            want_pager.width,
            want_pager.height,
            want_pager.left,
            want_pager.top,
        ), pager
        assert abs(kiosk.width / kiosk.height - 1080 / 1920) < 0.01, "the kiosk is an upright 1080x1920 screen, scaled"
        assert kiosk.height >= 0.9 * SCREEN[1], "the kiosk is scaled to the screen's height"
        assert abs(pager.width / pager.height - 480 / 800) < 0.01 and pager.height <= kiosk.height, "a handheld"
        assert not kiosk.overlaps(pager) and kiosk.left + kiosk.width <= pager.left, "kiosk left, pager right"
        for window in (kiosk, pager):
            assert window.left >= 0 and window.top >= 0, window
            assert window.left + window.width <= SCREEN[0] and window.top + window.height <= SCREEN[1], window

        # Both are drawn (a picture for people to look at, too).
        from PIL import Image, ImageGrab

        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTIFACTS / "demo-windows.png"

        def drawn() -> bool:
            picture = ImageGrab.grab(xdisplay=display)
            picture.save(shot)
            return all(
                len(picture.crop((w.left, w.top, w.left + w.width, w.top + w.height)).getcolors(1 << 16) or []) > 20
                for w in (kiosk, pager)
            )

        wait_for(drawn, 20, f"both windows drawn (see {shot})")
        with Image.open(shot) as picture:
            assert picture.size == SCREEN

        # A printer command typed to the demo reaches the virtual printer.
        assert demo.stdin is not None
        demo.stdin.write("paper out\n")
        demo.stdin.flush()
        out.expect("printer: state paper=out")
        assert "state paper=out" in (demo_dir / "printer.log").read_text()

        # SIGTERM stops every process the demo started.
        demo.send_signal(signal.SIGTERM)
        assert demo.wait(STOP) == 0
        assert_all_gone(pids)
        assert any("nothing it started is left running" in line for line in out.rest())
        assert not (demo_dir / "pids.json").exists()
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()


# -- headless, in tmux --------------------------------------------------------------


def panes(env: dict[str, str], target: str) -> dict[int, str]:
    """pid -> pane id, for the panes of a session or window."""
    whole_session = [] if ":" in target else ["-s"]
    listing = tmux(env, "list-panes", *whole_session, "-t", target, "-F", "#{pane_pid} #{pane_id}")
    return {int(pid): pane for pid, pane in (line.split() for line in listing.splitlines())}


def test_headless_from_outside_tmux_printer_reaches_kiosk_and_pager(tmux_env: dict[str, str], tmp_path: Path) -> None:
    demo_dir = tmp_path / "demo"
    demo = start_demo(demo_dir, tmux_env, "--headless", stdin=subprocess.DEVNULL)
    out = Output(demo.stdout)
    try:
        out.expect(f"tmux attach -t {SESSION}")
        pids = all_pids(wait_ready(demo_dir, demo))
        by_pid = panes(tmux_env, f"={SESSION}")
        assert set(by_pid) == {pids["supervisor"], pids["kiosk"], pids["pager"]}, "kiosk, pager, printer and demo"
        own, kiosk, pager = (by_pid[pids[name]] for name in ("supervisor", "kiosk", "pager"))
        wait_for(lambda: "connection up" in pane_text(tmux_env, kiosk), 20, "the kiosk connected")
        wait_for(lambda: "connection up" in pane_text(tmux_env, pager), 20, "the pager connected")

        # Typed in the demo's own pane, the printer runs out of paper; the
        # kiosk learns it when it prints, and the pager is told.
        tmux(tmux_env, "send-keys", "-t", own, "paper out", "Enter")
        wait_for(lambda: "state paper=out" in (demo_dir / "printer.log").read_text(), 10, "printer.log: paper=out")
        assert "printer: state paper=out" in pane_text(tmux_env, own)
        tmux(tmux_env, "send-keys", "-t", kiosk, "help question Where is the paint?", "Enter")
        wait_for(lambda: "printer paper_out" in pane_text(tmux_env, kiosk), 20, "the kiosk says paper_out")
        wait_for(lambda: "paper_out" in pane_text(tmux_env, pager), 20, "the pager says paper_out")

        demo.send_signal(signal.SIGTERM)
        assert demo.wait(STOP) == 0
        assert_all_gone(pids)
        assert any("nothing it started is left running" in line for line in out.rest())
        has = subprocess.run(["tmux", "has-session", "-t", f"={SESSION}"], env=tmux_env, capture_output=True)
        assert has.returncode != 0, "the demo's tmux session is gone"
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()


def test_headless_from_inside_tmux_opens_a_window_and_stops_on_sigterm(
    tmux_env: dict[str, str], tmp_path: Path
) -> None:
    demo_dir = tmp_path / "demo"
    demo_dir.mkdir()
    said = demo_dir / "launcher.out"
    # Someone's own session, with something running in it.
    tmux(tmux_env, "new-session", "-d", "-s", "mine", "-x", "200", "-y", "50", "cat")
    command = f"exec {sys.executable} run_demo.py --headless --dir {demo_dir} > {said} 2>&1"
    launcher = int(tmux(tmux_env, "new-window", "-t", "=mine", "-c", str(ROOT), "-P", "-F", "#{pane_pid}", command))
    pids = all_pids(wait_ready(demo_dir))
    windows = tmux(tmux_env, "list-windows", "-t", "=mine", "-F", "#{window_name} #{window_panes}").split("\n")
    assert f"{SESSION} 3" in windows, windows
    assert set(panes(tmux_env, f"=mine:{SESSION}")) == {pids["supervisor"], pids["kiosk"], pids["pager"]}
    assert "runs in the tmux window" in said.read_text()

    os.kill(launcher, signal.SIGTERM)
    wait_gone(launcher, STOP)
    assert_all_gone(pids)
    assert "nothing it started is left running" in said.read_text()
    windows = tmux(tmux_env, "list-windows", "-t", "=mine", "-F", "#{window_name}").split()
    assert SESSION not in windows and windows, "the demo's window closed, the person's session stays"


def test_headless_detached_keeps_running_until_its_session_is_killed(tmux_env: dict[str, str], tmp_path: Path) -> None:
    """From a terminal the demo attaches; Ctrl-b d (here: detach-client)
    leaves it running and says how to come back; killing the session (a
    hang-up to the demo) stops everything."""
    demo_dir = tmp_path / "demo"
    master, terminal = pty.openpty()
    demo = subprocess.Popen(
        [sys.executable, "run_demo.py", "--headless", "--dir", str(demo_dir)],
        cwd=ROOT,
        env=tmux_env,
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        start_new_session=True,
    )
    os.close(terminal)
    screen = bytearray()

    def read_terminal() -> None:  # tmux draws here; an unread pty would stop it
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            screen.extend(chunk)

    reader = threading.Thread(target=read_terminal, daemon=True)
    reader.start()
    try:
        pids = all_pids(wait_ready(demo_dir, demo))
        wait_for(lambda: SESSION in tmux(tmux_env, "list-clients", "-F", "#{client_session}"), 15, "attached")
        tmux(tmux_env, "detach-client", "-s", f"={SESSION}")
        assert demo.wait(STOP) == 0
        reader.join(5)
        text = screen.decode(errors="replace")
        assert "the demo keeps running" in text and f"tmux attach -t {SESSION}" in text, text[-500:]
        running = {name: pid for name, pid in pids.items() if gone(pid)}
        assert not running, f"ended on detach: {running}"

        tmux(tmux_env, "kill-session", "-t", f"={SESSION}")
        wait_gone(pids["supervisor"], STOP)
        assert_all_gone(pids)
        assert "nothing it started is left running" in (demo_dir / "demo.log").read_text()
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
        os.close(master)
