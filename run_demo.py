"""`./run demo`: the whole product on one machine, no hardware needed.

    ./run demo [--wide] [--dir DIR]     the kiosk and a staff pager as windows
    ./run demo --headless [--dir DIR]   the text kiosk, a console pager and the printer in tmux

Starts a development Mosquitto on loopback, a virtual printer on a
pseudo-terminal (tickets saved as bytes and PNG previews), the kiosk and a
staff pager. Everything it writes goes under var/demo/ (or DIR).

How it holds together:

- One *supervisor* starts every process and stops every one of them, whatever
  stops it: SIGTERM, SIGINT and SIGHUP, `stop` typed to it, the kiosk ending.
  The broker and the printer are its children in process groups of their own,
  so a Ctrl-C or a hang-up reaches the supervisor alone and it stops the rest
  in order (apps, printer, broker). What it started is listed in
  DIR/pids.json; a supervisor killed outright (SIGKILL) leaves that file
  behind, and the next demo stops whatever of it still runs.
- Lines typed to the supervisor go to the virtual printer's standard input
  (`paper out`, `cover open`, `offline`, ... printer/virtual.py) and its answers
  come back: the printer's faults can be tried from the demo.
- Windows: the supervisor is this process, in the terminal `./run demo` was
  typed in. The kiosk and the pager windows are placed side by side through
  Kivy's own settings (KCFG_GRAPHICS_* variables, read by kivy.config at
  import) and scaled with KIVY_METRICS_DENSITY: the apps draw in dp and sp
  only, so a density of 0.55 shows the full 1080x1920 layout at 55 %. The
  kiosk's `screen_dpi` (millimetres for its keyboard keys) is scaled with it
  through a generated DIR/kiosk.toml, so the keyboard keeps its proportions.
- Headless: the supervisor runs in the bottom pane of a tmux window (a new
  session outside tmux, a new window in the current session inside it), the
  kiosk and the pager in the panes above it. This process only launches that
  and waits; detaching (Ctrl-b d) leaves the demo running in tmux.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import re
import select
import selectors
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from shell.config import KioskSection
from shell.display import has_display

ROOT = Path(__file__).resolve().parent
DEFAULT_DIR = ROOT / "var" / "demo"
SESSION = "store-assist-demo"  # the tmux session (outside tmux) or window (inside) of --headless

KIOSK_UPRIGHT = (1080, 1920)  # the kiosk's screen, in the pixels its layout is made for
KIOSK_WIDE = (1920, 1080)
PAGER = (480, 800)  # a handheld, upright
GAP = 16  # pixels around and between the windows
TITLE_BAR = 32  # room left above each window when a window manager draws title bars
UNKNOWN_SCREEN = (1280, 720)  # when nothing says how big the screen is: small enough for most
MIN_DPI = 50  # kiosk.screen_dpi's lowest allowed value (shell/config.py)

START_WAIT = 15.0  # seconds for the broker and the printer to come up
APP_STOP_WAIT = 6.0  # seconds an app gets to stop cleanly before it is killed
STOP_WAIT = 5.0  # the printer and the broker
LAUNCHER_WAIT = 40.0  # the launcher waits this long for a supervisor it asked to stop

PRINTER_HELP = "paper ok|low|out, cover open|closed, offline|online, mute|answer"
STOP_WORDS = {"stop", "quit", "exit"}
# Not handed to tmux panes: tmux sets its own, and a size or terminal type from
# outside would be wrong in a pane.
NOT_PASSED = {"TMUX", "TMUX_PANE", "TERM", "TERM_PROGRAM", "TERM_PROGRAM_VERSION", "COLUMNS", "LINES"}

NO_DISPLAY = """\
No display found (DISPLAY is not set), so the kiosk and pager windows cannot open.
Run the same demo with the text fronts instead (kiosk, pager and printer side by side in tmux):
    ./run demo --headless
or give it a virtual screen:
    xvfb-run -a ./run demo"""


class DemoError(Exception):
    """Something the demo needs did not start: said in one line, then everything stops."""


class Stop(Exception):
    """A signal or a command asked the demo to stop."""


# -- the screen, and where the windows go -------------------------------------


@dataclass(frozen=True)
class Area:
    x: int
    y: int
    width: int
    height: int
    decorated: bool = False  # a window manager runs: windows get title bars


@dataclass(frozen=True)
class Placement:
    left: int
    top: int
    width: int
    height: int
    density: float  # Kivy's dp and sp: the share of the full-size layout

    def env(self) -> dict[str, str]:
        """Kivy's settings for a window here (kivy.config reads KCFG_<SECTION>_<KEY>)."""
        return {
            "KCFG_GRAPHICS_POSITION": "custom",
            "KCFG_GRAPHICS_LEFT": str(self.left),
            "KCFG_GRAPHICS_TOP": str(self.top),
            "KCFG_GRAPHICS_WIDTH": str(self.width),
            "KCFG_GRAPHICS_HEIGHT": str(self.height),
            "KCFG_GRAPHICS_FULLSCREEN": "0",
            "KIVY_METRICS_DENSITY": f"{self.density:.4f}",
        }

    def overlaps(self, other: Placement) -> bool:
        return not (
            self.left + self.width <= other.left
            or other.left + other.width <= self.left
            or self.top + self.height <= other.top
            or other.top + other.height <= self.top
        )


def _output(argv: list[str]) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=5, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


# ` 0: +*DP-1 1920/527x1080/296+0+0  DP-1`: `*` marks the primary monitor
MONITOR = re.compile(r"^\s*\d+:\s+([+*]*)\S+\s+(\d+)/\d+x(\d+)/\d+([+-]\d+)([+-]\d+)", re.M)


def find_screen() -> tuple[Area, str]:
    """The part of the screen windows may use, and how that was found.

    The primary monitor from `xrandr --listmonitors` (one monitor of several,
    not the whole desktop), else the X screen from `xdpyinfo`; then cut to the
    window manager's work area (`_NET_WORKAREA`: without panels and docks).
    Both tools work the same under Xvfb and a real X server (XWayland too)."""
    monitors = [
        ("*" in flags, Area(int(x), int(y), int(w), int(h)))
        for flags, w, h, x, y in MONITOR.findall(_output(["xrandr", "--listmonitors"]))
    ]
    if monitors:
        area = next((a for primary, a in monitors if primary), monitors[0][1])
        how = "xrandr"
    elif found := re.search(r"dimensions:\s+(\d+)x(\d+) pixels", _output(["xdpyinfo"])):
        area, how = Area(0, 0, int(found[1]), int(found[2])), "xdpyinfo"
    else:
        width, height = UNKNOWN_SCREEN
        return Area(0, 0, width, height), f"not found (xrandr and xdpyinfo said nothing): assumed {width}x{height}"
    work = re.search(
        r"=\s*(-?\d+),\s*(-?\d+),\s*(\d+),\s*(\d+)", _output(["xprop", "-root", "-notype", "_NET_WORKAREA"])
    )
    if work:
        wx, wy, ww, wh = (int(n) for n in work.groups())
        left, top = max(area.x, wx), max(area.y, wy)
        right, bottom = min(area.x + area.width, wx + ww), min(area.y + area.height, wy + wh)
        if right - left > 0 and bottom - top > 0:
            area, how = Area(left, top, right - left, bottom - top), how + " and the work area"
    decorated = bool(re.search(r"0x[0-9a-f]+", _output(["xprop", "-root", "-notype", "_NET_SUPPORTING_WM_CHECK"])))
    return Area(area.x, area.y, area.width, area.height, decorated), how


def place(area: Area, wide: bool = False) -> tuple[Placement, Placement]:
    """The kiosk (left) and the pager (right), side by side within `area`,
    each as large as fits up to its full size, never overlapping: first the
    height decides, then the kiosk gives up width to the pager, which is never
    the wider of the two. A window manager puts a window's frame where it is
    asked and the content below its title bar: that much height is kept free."""
    bar = TITLE_BAR if area.decorated else 0
    room_w, room_h = area.width - 3 * GAP, area.height - 2 * GAP - bar
    kiosk_w, kiosk_h = KIOSK_WIDE if wide else KIOSK_UPRIGHT
    pager_w, pager_h = PAGER
    pager_scale = min(1.0, room_h / pager_h, room_w / 2 / pager_w)
    kiosk_scale = min(1.0, room_h / kiosk_h, (room_w - pager_w * pager_scale) / kiosk_w)
    pager_scale = min(pager_scale, kiosk_w * kiosk_scale / pager_w)
    kiosk_size = (int(kiosk_w * kiosk_scale), int(kiosk_h * kiosk_scale))
    pager_size = (int(pager_w * pager_scale), int(pager_h * pager_scale))
    left = area.x + max(GAP, (area.width - kiosk_size[0] - GAP - pager_size[0]) // 2)
    top = area.y + GAP
    kiosk = Placement(left, top, *kiosk_size, round(kiosk_scale, 4))
    pager = Placement(left + kiosk_size[0] + GAP, top, *pager_size, round(pager_scale, 4))
    return kiosk, pager


def kiosk_toml(density: float) -> str:
    """The demo kiosk's config: the defaults, with `kiosk.screen_dpi` scaled
    like the window. On the store's screen 16 mm keys are 60 px at 96 dpi; in a
    window at 55 % they are 33 px, which is 16 mm of the scaled-down screen
    (config allows no less than 50 dpi: on smaller screens keys come out a
    little larger than to scale)."""
    dpi = max(MIN_DPI, round(KioskSection.screen_dpi * density))
    return (
        f"# written by run_demo.py: the kiosk's window is the store's screen at {density:.0%}\n"
        f"[kiosk]\nscreen_dpi = {dpi}\n"
    )


# -- processes ------------------------------------------------------------------


def _running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie has ended)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rpartition(b")")[2].split()[0] != b"Z"
    except (OSError, IndexError):
        return False


def _cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")[:-1]
    except OSError:
        return []


def _pidfd(pid: int) -> int | None:
    """A descriptor that becomes readable when `pid` ends (child or not);
    None where Linux has no pidfd (then the demo checks every half second)."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


@dataclass
class Proc:
    name: str
    pid: int
    argv: list[str]
    popen: subprocess.Popen[bytes] | None = None  # our own child; None: a process in a tmux pane
    pane: str | None = None  # the tmux pane it runs in
    gentle: int = signal.SIGTERM  # the signal it stops cleanly on
    fd: int | None = None  # readable once it has ended
    reported: bool = False  # its end has been said

    def __post_init__(self) -> None:
        self.fd = _pidfd(self.pid)

    def ended(self) -> bool:
        if self.popen is not None:
            return self.popen.poll() is not None
        return not _running(self.pid)

    def signal(self, signum: int) -> None:
        if not self.ended():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(self.pid, signum)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def wait_ended(procs: Iterable[Proc], timeout: float, wake: int | None = None) -> bool:
    """Wait until every one has ended (True) or `timeout` passes (False);
    `wake` (a descriptor) cuts the wait short when readable."""
    procs = list(procs)
    deadline = time.monotonic() + timeout
    while True:
        left = [p for p in procs if not p.ended()]
        remaining = deadline - time.monotonic()
        if not left:
            return True
        if remaining <= 0:
            return False
        fds = [p.fd for p in left if p.fd is not None]
        polling = len(fds) < len(left)
        wait_on = fds + ([wake] if wake is not None else [])
        ready, _, _ = select_fds(wait_on, min(remaining, 0.5) if polling else remaining)
        if wake is not None and wake in ready:
            return False


def select_fds(fds: list[int], timeout: float) -> tuple[list[int], list[int], list[int]]:
    return select.select(fds, [], [], timeout)


def stop_procs(procs: list[Proc], timeout: float) -> list[Proc]:
    """Stop them together: the signal each stops cleanly on, then SIGTERM,
    then SIGKILL. Those still running at the end are returned."""
    for proc in procs:
        proc.signal(proc.gentle)
    if not wait_ended(procs, timeout):
        for proc in procs:
            proc.signal(signal.SIGTERM if proc.gentle != signal.SIGTERM else signal.SIGKILL)
        if not wait_ended(procs, timeout / 2):
            for proc in procs:
                proc.signal(signal.SIGKILL)
            wait_ended(procs, 2.0)
    return [p for p in procs if not p.ended()]


class Signals:
    """SIGTERM, SIGINT and SIGHUP all ask for a stop: noted, and a byte on
    `fd` wakes whatever waits (select on it)."""

    def __init__(self) -> None:
        self.fd, self._write = os.pipe()
        for end in (self.fd, self._write):
            os.set_blocking(end, False)
        self.received: str | None = None
        signal.set_wakeup_fd(self._write)
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, self._on_signal)

    def _on_signal(self, signum: int, _frame: object) -> None:
        self.received = self.received or signal.Signals(signum).name

    def drain(self) -> None:
        with contextlib.suppress(BlockingIOError):
            while os.read(self.fd, 512):
                pass

    def check(self) -> None:
        if self.received:
            raise Stop(self.received)


class Lines:
    """Whole lines from a descriptor read without blocking; None at its end."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._partial = b""

    def read(self) -> list[str] | None:
        try:
            chunk = os.read(self.fd, 65536)
        except BlockingIOError:
            return []
        except OSError:  # a terminal that went away
            chunk = b""
        if not chunk:
            return None
        *lines, self._partial = (self._partial + chunk).split(b"\n")
        return [line.decode(errors="replace").rstrip("\r") for line in lines]


# -- the supervisor ---------------------------------------------------------------


def tmux(*args: str) -> str:
    result = subprocess.run(["tmux", *args], capture_output=True, text=True, timeout=10, check=False)
    if result.returncode != 0:
        raise DemoError(f"tmux {args[0]} failed: {result.stderr.strip() or result.returncode}")
    return result.stdout.strip()


def tmux_env(env: dict[str, str]) -> list[str]:
    """`-e NAME=value` for each variable: a pane gets the tmux server's
    environment otherwise, not ours (a password variable, KIVY_*, PATH)."""
    return [arg for name, value in env.items() if name not in NOT_PASSED for arg in ("-e", f"{name}={value}")]


def shown(path: Path) -> str:
    """A path as a person in the project folder would type it."""
    with contextlib.suppress(ValueError):
        return str(path.relative_to(ROOT))
    return str(path)


class Supervisor:
    def __init__(self, demo_dir: Path, headless: bool, wide: bool) -> None:
        self.dir = demo_dir
        self.headless = headless
        self.wide = wide
        self.procs: list[Proc] = []
        self.signals = Signals()
        self.log: IO[str] = open(demo_dir / "demo.log", "a", encoding="utf-8")  # noqa: SIM115 (closed in run)
        self.printer: Proc | None = None
        self.printer_lines: Lines | None = None
        self.printer_log: IO[str] | None = None
        self.stopping: str | None = None
        self.ready = False

    # -- saying things --------------------------------------------------------

    def say(self, text: str) -> None:
        self.log.write(f"{time.strftime('%H:%M:%S')} {text}\n")
        self.log.flush()
        with contextlib.suppress(OSError, ValueError):  # a pane or terminal that is gone
            print(text, flush=True)

    def _record(self) -> None:
        """DIR/pids.json: what runs now, for the tests and for the next demo
        after a SIGKILL (written whole, then renamed: never half a file)."""
        data = {
            "supervisor": os.getpid(),
            "ready": self.ready,
            "processes": [{"name": p.name, "pid": p.pid, "argv": p.argv, "pane": p.pane} for p in self.procs],
        }
        tmp = self.dir / "pids.json.tmp"
        tmp.write_text(json.dumps(data, indent=1))
        tmp.replace(self.dir / "pids.json")

    def _add(self, proc: Proc) -> Proc:
        self.procs.append(proc)
        self._record()
        return proc

    # -- what an earlier demo left ---------------------------------------------

    def stop_leftovers(self) -> None:
        path = self.dir / "pids.json"
        try:
            earlier = json.loads(path.read_text())["processes"]
        except (OSError, ValueError, KeyError, TypeError):
            return
        left = []
        for entry in earlier:
            pid, argv = entry.get("pid"), entry.get("argv")
            if isinstance(pid, int) and _running(pid) and _cmdline(pid) == argv:  # not a new process on an old pid
                left.append(Proc(entry["name"], pid, argv, pane=entry.get("pane")))
        if left:
            self.say(
                "An earlier demo was killed and left these running; stopping them: "
                + ", ".join(f"{p.name} (pid {p.pid})" for p in left)
            )
            still = stop_procs(left, STOP_WAIT)
            for proc in left:
                self._kill_pane(proc)
                proc.close()
            if still:
                raise DemoError("could not stop " + ", ".join(f"{p.name} (pid {p.pid})" for p in still))
        path.unlink(missing_ok=True)

    # -- starting -------------------------------------------------------------

    def start_broker(self) -> str:
        port = pick_port()
        binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        conf = (ROOT / "broker_config" / "dev.conf").read_text()
        conf = conf.replace("listener 1883 127.0.0.1", f"listener {port} 127.0.0.1")
        # stderr, opened here: Mosquitto started as root drops to its own user,
        # which could not open a log file in var/ itself (and it buffers stdout).
        conf = conf.replace("log_dest stdout", "log_dest stderr")
        path = self.dir / "mosquitto.conf"
        path.write_text(conf)
        argv = [binary, "-c", str(path)]
        with open(self.dir / "mosquitto.log", "ab") as log_file:
            popen = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file, process_group=0)
        broker = self._add(Proc("broker", popen.pid, argv, popen))
        deadline = time.monotonic() + START_WAIT
        while True:  # the apps would retry, but a broker that cannot start should say so now
            self.signals.check()
            if broker.ended():
                raise DemoError(
                    f"Mosquitto stopped at start (exit {popen.returncode}): see {shown(self.dir / 'mosquitto.log')}"
                )
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return f"mqtt://127.0.0.1:{port}"
            if time.monotonic() > deadline:
                raise DemoError(f"Mosquitto did not open port {port} within {START_WAIT:.0f} s")
            select_fds([self.signals.fd], 0.05)

    def start_printer(self) -> str:
        argv = [sys.executable, "-m", "printer.virtual", "--out", str(self.dir / "printer")]
        self.printer_log = open(self.dir / "printer.log", "a", encoding="utf-8")  # noqa: SIM115 (closed in run)
        popen = subprocess.Popen(
            argv,
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.printer_log,
            bufsize=0,
            process_group=0,
        )
        self.printer = self._add(Proc("printer", popen.pid, argv, popen))
        assert popen.stdout is not None
        os.set_blocking(popen.stdout.fileno(), False)
        self.printer_lines = Lines(popen.stdout.fileno())
        deadline = time.monotonic() + START_WAIT
        while time.monotonic() < deadline:
            self.signals.check()
            select_fds([popen.stdout.fileno(), self.signals.fd], 0.5)
            lines = self.printer_lines.read()
            if lines is None:
                break
            for line in lines:
                self._printer_said(line, echo=False)
                words = line.split()
                if len(words) == 2 and words[0] == "port":
                    return words[1]
        raise DemoError(f"the virtual printer did not start: see {shown(self.dir / 'printer.log')}")

    def app_commands(self, broker: str, printer_port: str) -> tuple[list[str], list[str]]:
        kiosk = [
            sys.executable,
            "run_kiosk.py",
            "--broker",
            broker,
            "--printer",
            printer_port,
            "--data-dir",
            str(self.dir / "kiosk"),
        ]
        pager = [sys.executable, "run_pager.py", "--broker", broker]
        if self.headless:
            return [*kiosk, "--headless", "--log-level", "WARNING"], [*pager, "--console", "--staff", "Anna"]
        return kiosk, pager

    def start_windows(self, kiosk: list[str], pager: list[str]) -> list[str]:
        area, how = find_screen()
        kiosk_at, pager_at = place(area, self.wide)
        config = self.dir / "kiosk.toml"
        config.write_text(kiosk_toml(kiosk_at.density))
        kiosk = [*kiosk, "--config", str(config)]
        for name, argv, at in (("pager", pager, pager_at), ("kiosk", kiosk, kiosk_at)):
            with open(self.dir / f"{name}.log", "ab") as log_file:
                popen = subprocess.Popen(
                    argv,
                    cwd=ROOT,
                    env={**os.environ, **at.env()},
                    stdin=subprocess.DEVNULL,
                    stdout=log_file,
                    stderr=log_file,
                    process_group=0,
                )
            self._add(Proc(name, popen.pid, argv, popen))
        shape = "wide 1920x1080" if self.wide else "upright 1080x1920"
        return [
            f"Screen {area.width}x{area.height} at {area.x},{area.y} ({how}): "
            f"the kiosk {kiosk_at.width}x{kiosk_at.height} (its {shape} screen at {kiosk_at.density:.0%}) "
            f"and the pager {pager_at.width}x{pager_at.height} beside it.",
            *self._other_shape(area, kiosk_at),
            f"Their logs: {shown(self.dir / 'kiosk.log')}, {shown(self.dir / 'pager.log')}.",
            "Try it: on the kiosk, Ask for help, a topic, Call a staff member; "
            "on the pager sign in (any name) and Claim it.",
            f"Printer: type {PRINTER_HELP} here.",
            "Stop: type stop here, press Ctrl-C, or close the kiosk window; everything the demo started stops with it.",
        ]

    def _other_shape(self, area: Area, kiosk_at: Placement) -> list[str]:
        """A hint when the other shape would show the kiosk much larger here."""
        other, _pager = place(area, not self.wide)
        if other.density < kiosk_at.density * 1.25:
            return []
        flag, shape = ("", "upright") if self.wide else (" --wide", "wide")
        return [f"On this screen ./run demo{flag} shows a {shape} kiosk larger, at {other.density:.0%}."]

    def start_panes(self, kiosk: list[str], pager: list[str]) -> list[str]:
        own = os.environ.get("TMUX_PANE")
        if not own:
            raise DemoError("the headless demo's supervisor runs in tmux: start it with ./run demo --headless")
        env = tmux_env(dict(os.environ))
        # Panes above this one keep an app's last words when it ends (this
        # pane, once it ends, closes and with it the window).
        tmux("set-option", "-w", "-t", own, "remain-on-exit", "on")
        tmux("set-option", "-p", "-t", own, "remain-on-exit", "off")
        tmux("set-option", "-w", "-t", own, "pane-border-status", "top")
        tmux("set-option", "-w", "-t", own, "pane-border-format", " #{pane_title} ")
        tmux("select-pane", "-t", own, "-T", "printer and demo: printer commands here, stop ends the demo")
        fmt = "#{pane_id} #{pane_pid}"
        kiosk_pane, kiosk_pid = tmux(
            "split-window",
            "-v",
            "-b",
            "-l",
            "75%",
            "-t",
            own,
            "-c",
            str(ROOT),
            "-P",
            "-F",
            fmt,
            *env,
            "exec " + shlex.join(kiosk),
        ).split()
        self._add(Proc("kiosk", int(kiosk_pid), kiosk, pane=kiosk_pane, gentle=signal.SIGINT))
        pager_pane, pager_pid = tmux(
            "split-window", "-h", "-t", kiosk_pane, "-c", str(ROOT), "-P", "-F", fmt, *env, "exec " + shlex.join(pager)
        ).split()
        self._add(Proc("pager", int(pager_pid), pager, pane=pager_pane, gentle=signal.SIGINT))
        tmux(
            "select-pane", "-t", kiosk_pane, "-T", "kiosk: help question Where is the paint?   find drill   list   quit"
        )
        tmux("select-pane", "-t", pager_pane, "-T", "Anna's pager: claim H-001   resolve H-001 done   list")
        tmux("select-pane", "-t", kiosk_pane)
        session = tmux("display-message", "-p", "-t", own, "#{session_name}")
        return [
            "Above: the kiosk (left) and Anna's pager (right); Ctrl-b and an arrow key moves between panes.",
            f"Here: printer commands ({PRINTER_HELP}); stop ends the demo and everything it started.",
            f"Ctrl-b d detaches: the demo keeps running; come back with  tmux attach -t {shlex.quote(session)}",
        ]

    # -- running --------------------------------------------------------------

    def run(self) -> int:
        code = 0
        try:
            self.stop_leftovers()
            broker = self.start_broker()
            printer_port = self.start_printer()
            kiosk, pager = self.app_commands(broker, printer_port)
            hints = self.start_panes(kiosk, pager) if self.headless else self.start_windows(kiosk, pager)
            self.say(
                f"Store Assist demo: broker {broker}, printer {printer_port}, tickets in {shown(self.dir / 'printer')}/"
            )
            for hint in hints:
                self.say(hint)
            self.ready = True
            self._record()
            self.loop()
        except Stop as stop:
            self.stopping = str(stop)
        except DemoError as exc:
            self.say(f"The demo could not start: {exc}")
            self.stopping, code = "an error", 1
        finally:
            self.shutdown()
        return code

    def loop(self) -> None:
        kiosk = next(p for p in self.procs if p.name == "kiosk")
        pager = next(p for p in self.procs if p.name == "pager")
        watched = [p for p in self.procs if p.fd is not None]
        # select(), not epoll: stdin may be /dev/null or a file, which epoll refuses.
        with selectors.SelectSelector() as selector:
            selector.register(self.signals.fd, selectors.EVENT_READ, "signal")
            assert self.printer_lines is not None
            selector.register(self.printer_lines.fd, selectors.EVENT_READ, "printer")
            stdin = self._stdin()
            if stdin is not None:
                selector.register(stdin.fd, selectors.EVENT_READ, stdin)
            for proc in watched:
                selector.register(proc.fd, selectors.EVENT_READ, proc)  # type: ignore[arg-type]
            polling = len(watched) < len(self.procs)
            while True:
                self.signals.check()
                for key, _ in selector.select(0.5 if polling else None):
                    if key.data == "signal":
                        self.signals.drain()
                    elif key.data == "printer":
                        lines = self.printer_lines.read()
                        if lines is None:
                            raise Stop("the virtual printer ended")
                        for line in lines:
                            self._printer_said(line)
                    elif isinstance(key.data, Lines):
                        lines = key.data.read()
                        if lines is None:  # nobody will type more: the demo goes on
                            selector.unregister(key.fd)
                        for line in lines or []:
                            self._command(line)
                    elif isinstance(key.data, Proc):
                        selector.unregister(key.fd)
                self.signals.check()
                if kiosk.ended():
                    raise Stop("the kiosk ended" + self._last_words(kiosk))
                for proc in self.procs:
                    if proc is not kiosk and proc.ended() and not proc.reported:
                        proc.reported = True
                        if proc is pager:
                            self.say("The pager ended" + self._last_words(pager) + "; the demo goes on (stop ends it).")
                        else:
                            raise Stop(f"the {proc.name} ended unexpectedly" + self._last_words(proc))

    def _stdin(self) -> Lines | None:
        try:
            fd = sys.stdin.fileno()
            os.fstat(fd)
        except (AttributeError, OSError, ValueError):
            return None
        # Left blocking: the terminal's flags are shared with the shell it
        # came from; read only when select says there is something.
        return Lines(fd)

    def _command(self, line: str) -> None:
        words = line.split()
        if not words:
            return
        if words[0].lower() in STOP_WORDS:
            raise Stop(f"{words[0]} was typed")
        if words[0].lower() == "help":
            self.say(f"Printer commands: {PRINTER_HELP}; stop ends the demo.")
            return
        assert self.printer is not None and self.printer.popen is not None and self.printer.popen.stdin is not None
        try:
            self.printer.popen.stdin.write((" ".join(words) + "\n").encode())
            self.printer.popen.stdin.flush()
        except OSError:
            raise Stop("the virtual printer ended") from None

    def _printer_said(self, line: str, echo: bool = True) -> None:
        if self.printer_log is not None:
            self.printer_log.write(line + "\n")
            self.printer_log.flush()
        if echo:
            with contextlib.suppress(OSError, ValueError):
                print(f"printer: {line}", flush=True)

    def _last_words(self, proc: Proc) -> str:
        if proc.popen is not None:
            code = proc.popen.returncode
            log = self.dir / f"{proc.name}.log"
            return "" if code == 0 else f" (exit {code}; see {shown(log) if log.exists() else 'above'})"
        if proc.pane is None:
            return ""
        with contextlib.suppress(DemoError, subprocess.SubprocessError):
            text = tmux("capture-pane", "-p", "-t", proc.pane)
            last = [line for line in text.splitlines() if line.strip()][-8:]
            if last:
                self.log.write("".join(f"  {proc.name}| {line}\n" for line in last))
                return f" (its last lines are in {shown(self.dir / 'demo.log')})"
        return ""

    def _kill_pane(self, proc: Proc) -> None:
        if proc.pane is None:
            return
        with contextlib.suppress(DemoError, subprocess.SubprocessError, OSError):
            if tmux("display-message", "-p", "-t", proc.pane, "#{pane_pid}") == str(proc.pid):
                tmux("kill-pane", "-t", proc.pane)

    def shutdown(self) -> None:
        """Stop everything started, in order: apps, printer, broker."""
        reason = self.stopping or "the end"
        self.say(f"Stopping ({reason}): the kiosk, the pager, the printer and the broker.")
        apps = [p for p in self.procs if p.name in ("kiosk", "pager")]
        rest = [p for p in self.procs if p not in apps]
        still = stop_procs(apps, APP_STOP_WAIT)
        for proc in apps:
            self._kill_pane(proc)
        if self.printer is not None and self.printer.popen is not None and self.printer.popen.stdin is not None:
            with contextlib.suppress(OSError):
                self.printer.popen.stdin.close()  # its end of input: it stops
        still += stop_procs([p for p in rest if p.name != "broker"], STOP_WAIT)
        still += stop_procs([p for p in rest if p.name == "broker"], STOP_WAIT)
        if self.printer_lines is not None:  # the printer's last lines (a ticket just printed)
            for line in self.printer_lines.read() or []:
                self._printer_said(line)
        for proc in self.procs:
            proc.close()
        if still:
            self.say("Still running, stop them by hand: " + ", ".join(f"{p.name} (pid {p.pid})" for p in still))
        else:
            (self.dir / "pids.json").unlink(missing_ok=True)
            self.say("Demo stopped: nothing it started is left running.")
        if self.printer_log is not None:
            self.printer_log.close()
        self.log.close()


def pick_port(preferred: int = 1883) -> int:
    for port in (preferred, 0):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise DemoError("no free port on 127.0.0.1")


class Lock:
    """One demo per folder: the supervisor holds DIR/demo.lock while it runs."""

    def __init__(self, demo_dir: Path) -> None:
        demo_dir.mkdir(parents=True, exist_ok=True)
        self.file = open(demo_dir / "demo.lock", "a+")  # noqa: SIM115 (held while the demo runs)

    def take(self) -> bool:
        try:
            fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        self.file.seek(0)
        self.file.truncate()
        self.file.write(f"{os.getpid()}\n")
        self.file.flush()
        return True

    def holder(self) -> str:
        self.file.seek(0)
        return self.file.read().strip() or "?"

    def release(self) -> None:
        fcntl.flock(self.file, fcntl.LOCK_UN)


def already_running(demo_dir: Path, lock: Lock) -> str:
    return (
        f"A demo is already running with {shown(demo_dir)} (pid {lock.holder()}). "
        f"Stop it first (kill {lock.holder()}), or give this one its own folder: --dir DIR"
    )


def supervise(demo_dir: Path, headless: bool, wide: bool) -> int:
    lock = Lock(demo_dir)
    if not lock.take():
        print(already_running(demo_dir, lock), file=sys.stderr)
        return 1
    return Supervisor(demo_dir, headless, wide).run()


# -- the headless launcher ----------------------------------------------------------


def launch_headless(demo_dir: Path) -> int:
    """Start the supervisor in tmux and wait for it; a signal here stops it."""
    lock = Lock(demo_dir)
    if not lock.take():
        print(already_running(demo_dir, lock), file=sys.stderr)
        return 1
    lock.release()  # the supervisor takes it
    signals = Signals()
    log = demo_dir / "demo.log"
    seen = log.stat().st_size if log.exists() else 0  # what the supervisor says from here on is this demo's
    command = "exec " + shlex.join(
        [sys.executable, str(ROOT / "run_demo.py"), "--headless", "--supervise", "--dir", str(demo_dir)]
    )
    env = tmux_env(dict(os.environ))
    inside = bool(os.environ.get("TMUX"))
    try:
        if inside:
            # A new window in the session this was typed in: tmux switches to it.
            pid = tmux("new-window", "-n", SESSION, "-c", str(ROOT), "-P", "-F", "#{pane_pid}", *env, command)
        else:
            if (
                subprocess.run(
                    ["tmux", "has-session", "-t", f"={SESSION}"], capture_output=True, check=False
                ).returncode
                == 0
            ):
                print(
                    f"A demo is already running in tmux: come back to it with  tmux attach -t {SESSION}\n"
                    f"or stop it with  tmux kill-session -t {SESSION}",
                    file=sys.stderr,
                )
                return 1
            pid = tmux(
                "new-session",
                "-d",
                "-s",
                SESSION,
                "-x",
                "200",
                "-y",
                "50",
                "-c",
                str(ROOT),
                "-P",
                "-F",
                "#{pane_pid}",
                *env,
                command,
            )
    except DemoError as exc:
        print(f"The headless demo could not start: {exc}", file=sys.stderr)
        return 1
    supervisor = Proc("supervisor", int(pid), [])
    attach: Proc | None = None
    if inside:
        print(
            f"The demo runs in the tmux window {SESSION} (Ctrl-b w lists windows). "
            "This one waits for it: Ctrl-C here stops it.",
            flush=True,
        )
    elif sys.stdin.isatty() and sys.stdout.isatty():
        client = subprocess.Popen(["tmux", "attach-session", "-t", f"={SESSION}"])
        attach = Proc("tmux client", client.pid, [], client)
    else:
        print(
            f"The demo runs in tmux: watch it with  tmux attach -t {SESSION}  "
            "(this waits for it; a signal here stops it)",
            flush=True,
        )
    try:
        while not supervisor.ended():
            waiting = [supervisor] if attach is None else [attach]
            wait_ended(waiting, 3600, wake=signals.fd)
            signals.drain()
            if signals.received:
                break
            if attach is not None and attach.ended() and not supervisor.ended():
                print(
                    f"Detached: the demo keeps running in tmux.\n"
                    f"Come back:  tmux attach -t {SESSION}\n"
                    f"Stop it:    type stop in its bottom pane, or  tmux kill-session -t {SESSION}",
                    flush=True,
                )
                return 0
        if signals.received and not supervisor.ended():
            supervisor.signal(signal.SIGTERM)  # it stops all it started, then its window closes
            if not wait_ended([supervisor], LAUNCHER_WAIT):
                print(
                    f"The demo's supervisor (pid {supervisor.pid}) did not stop: see {shown(demo_dir / 'demo.log')}",
                    file=sys.stderr,
                )
                return 1
        if attach is not None:
            wait_ended([attach], 5.0)
        words = closing_words(log, seen) or (
            f"The demo's supervisor (pid {supervisor.pid}) was killed before it could stop what it started: "
            "the next ./run demo stops whatever of it still runs."
        )
        print(words, flush=True)
        return 0
    finally:
        supervisor.close()
        if attach is not None:
            attach.close()


def closing_words(log: Path, start: int) -> str:
    """What the supervisor said from its stop on (why, and whether all
    stopped), or why it could not start: its pane has closed with it."""
    try:
        with open(log, "rb") as file:
            file.seek(start)
            lines = [line.partition(" ")[2] for line in file.read().decode(errors="replace").splitlines()]
    except OSError:
        return ""
    first = next(
        (i for i, line in enumerate(lines) if line.startswith(("The demo could not start", "Stopping ("))), len(lines)
    )
    return "\n".join(line for line in lines[first:] if line)


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
