"""The headless launcher: what `./run demo --headless` runs where it was typed.
It opens a tmux session (outside tmux) or window (inside it) whose pane runs
the supervisor (`run_demo.py --headless --supervise`), attaches to it or
waits for it, and passes a signal on to it. Runs tmux; reads DIR/demo.log.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
from pathlib import Path

from demo.folder import ROOT, shown, take_lock
from demo.processes import DemoError, Proc, Signals, wait_ended
from demo.tmux import tmux, tmux_env

SESSION = "store-assist-demo"  # the tmux session (outside tmux) or window (inside) of --headless
LAUNCHER_WAIT = 40.0  # the launcher waits this long for a supervisor it asked to stop


def launch_headless(demo_dir: Path) -> int:
    """Start the supervisor in tmux and wait for it; a signal here stops it."""
    lock = take_lock(demo_dir)
    if lock is None:
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
