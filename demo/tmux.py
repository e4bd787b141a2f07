"""tmux for the headless demo: its commands run with a timeout, our
environment handed to new panes, and the supervisor's window laid out: the
kiosk and the pager in panes above the supervisor's own. Runs `tmux` only.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
from collections.abc import Callable

from demo.commands import PRINTER_HELP
from demo.folder import ROOT
from demo.processes import DemoError, Proc

# Not handed to tmux panes: tmux sets its own, and a size or terminal type from
# outside would be wrong in a pane.
NOT_PASSED = {"TMUX", "TMUX_PANE", "TERM", "TERM_PROGRAM", "TERM_PROGRAM_VERSION", "COLUMNS", "LINES"}


def tmux(*args: str) -> str:
    result = subprocess.run(["tmux", *args], capture_output=True, text=True, timeout=10, check=False)
    if result.returncode != 0:
        raise DemoError(f"tmux {args[0]} failed: {result.stderr.strip() or result.returncode}")
    return result.stdout.strip()


def tmux_env(env: dict[str, str]) -> list[str]:
    """`-e NAME=value` for each variable: a pane gets the tmux server's
    environment otherwise, not ours (a password variable, KIVY_*, PATH)."""
    return [arg for name, value in env.items() if name not in NOT_PASSED for arg in ("-e", f"{name}={value}")]


def start_panes(kiosk: list[str], pager: list[str], add: Callable[[Proc], object]) -> list[str]:
    """The kiosk and the pager in panes above this process's own (each handed
    to `add` as it starts); what to tell the person at this pane."""
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
    add(Proc("kiosk", int(kiosk_pid), kiosk, pane=kiosk_pane, gentle=signal.SIGINT))
    pager_pane, pager_pid = tmux(
        "split-window", "-h", "-t", kiosk_pane, "-c", str(ROOT), "-P", "-F", fmt, *env, "exec " + shlex.join(pager)
    ).split()
    add(Proc("pager", int(pager_pid), pager, pane=pager_pane, gentle=signal.SIGINT))
    tmux("select-pane", "-t", kiosk_pane, "-T", "kiosk: help question Where is the paint?   find drill   list   quit")
    tmux("select-pane", "-t", pager_pane, "-T", "Anna's pager: claim H-001   resolve H-001 done   list")
    tmux("select-pane", "-t", kiosk_pane)
    session = tmux("display-message", "-p", "-t", own, "#{session_name}")
    return [
        "Above: the kiosk (left) and Anna's pager (right); Ctrl-b and an arrow key moves between panes.",
        f"Here: printer commands ({PRINTER_HELP}); stop ends the demo and everything it started.",
        f"Ctrl-b d detaches: the demo keeps running; come back with  tmux attach -t {shlex.quote(session)}",
    ]


def kill_pane(proc: Proc) -> None:
    """Close the pane `proc` ran in, if that pane still holds it."""
    if proc.pane is None:
        return
    with contextlib.suppress(DemoError, subprocess.SubprocessError, OSError):
        if tmux("display-message", "-p", "-t", proc.pane, "#{pane_pid}") == str(proc.pid):
            tmux("kill-pane", "-t", proc.pane)
