"""The demo's supervisor: starts the broker, the virtual printer and the two
apps (as windows, or as tmux panes when headless), passes lines typed to it
on to the printer, and stops everything it started whatever stops it (a
signal, `stop`, the kiosk ending). Writes under DIR: demo.log, pids.json,
mosquitto.conf and mosquitto.log, printer.log; starts and signals processes,
binds a loopback port to find a free one.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

from demo.commands import PRINTER_HELP, STOP_WORDS
from demo.folder import ROOT, shown, take_lock
from demo.processes import DemoError, Lines, Proc, Signals, Stop, cmdline, running, select_fds, stop_procs
from demo.tmux import kill_pane, start_panes, tmux
from demo.web import kiosk_config, start_web
from demo.windows import start_windows

START_WAIT = 15.0  # seconds for the broker and the printer to come up
APP_STOP_WAIT = 6.0  # seconds an app gets to stop cleanly before it is killed
STOP_WAIT = 5.0  # the printer and the broker


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
            if isinstance(pid, int) and running(pid) and cmdline(pid) == argv:  # not a new process on an old pid
                left.append(Proc(entry["name"], pid, argv, pane=entry.get("pane")))
        if left:
            self.say(
                "An earlier demo was killed and left these running; stopping them: "
                + ", ".join(f"{p.name} (pid {p.pid})" for p in left)
            )
            still = stop_procs(left, STOP_WAIT)
            for proc in left:
                kill_pane(proc)
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

    def start_recorder(self, broker: str) -> None:
        """The store's recorder (docs/recorder.md), its record in DIR/record and its
        log in DIR/recorder.log; it needs no window or pane."""
        argv = [sys.executable, "-m", "store_server.main", "--broker", broker, "--data-dir", str(self.dir / "record")]
        with open(self.dir / "recorder.log", "ab") as log_file:
            popen = subprocess.Popen(argv, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file,
                                     process_group=0)  # fmt: skip
        self._add(Proc("recorder", popen.pid, argv, popen))

    def app_commands(self, broker: str, printer_port: str, web_port: int) -> tuple[list[str], list[str]]:
        kiosk = [
            sys.executable,
            "run_kiosk.py",
            "--config",
            str(kiosk_config(self.dir, web_port)),
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

    # -- running --------------------------------------------------------------

    def run(self) -> int:
        code = 0
        try:
            self.stop_leftovers()
            broker = self.start_broker()
            printer_port = self.start_printer()
            self.start_recorder(broker)
            web_port = pick_port(8080)
            web_hints = start_web(self.dir, broker, web_port, self._add)
            kiosk, pager = self.app_commands(broker, printer_port, web_port)
            hints = (
                start_panes(kiosk, pager, self._add)
                if self.headless
                else start_windows(self.dir, self.wide, kiosk, pager, self._add)
            )
            self.say(
                f"Store Assist demo: broker {broker}, printer {printer_port}, tickets in {shown(self.dir / 'printer')}/"
            )
            record, log = shown(self.dir / "record"), shown(self.dir / "recorder.log")
            self.say(f"The store's record: {record}/ (the recorder's log: {log})")
            for hint in [*web_hints, *hints]:
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
        # Control bytes a terminal let through (a NUL before the first key) are no part of a command.
        words = "".join(ch for ch in line if ch.isprintable() or ch.isspace()).split()
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

    def shutdown(self) -> None:
        """Stop everything started, in order: apps, printer and recorder, broker."""
        reason = self.stopping or "the end"
        self.say(f"Stopping ({reason}): the kiosk, the pager, the printer, the store server and the broker.")
        apps = [p for p in self.procs if p.name in ("kiosk", "pager")]
        rest = [p for p in self.procs if p not in apps]
        still = stop_procs(apps, APP_STOP_WAIT)
        for proc in apps:
            kill_pane(proc)
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
            # As the broker binds it: the last demo's connections lingering in TIME_WAIT
            # do not make the port taken.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise DemoError("no free port on 127.0.0.1")


def supervise(demo_dir: Path, headless: bool, wide: bool) -> int:
    lock = take_lock(demo_dir)  # held while the demo runs
    if lock is None:
        return 1
    return Supervisor(demo_dir, headless, wide).run()
