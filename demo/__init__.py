"""The demo behind `./run demo` (run_demo.py is its entry point): the whole
product on one machine, no hardware needed. An app-level launcher beside
run_kiosk.py and run_pager.py: nothing in core, shell or adapters imports it.

How it holds together:

- One *supervisor* (supervisor.py) starts every process and stops every one
  of them, whatever stops it: SIGTERM, SIGINT and SIGHUP, `stop` typed to it,
  the kiosk ending. The broker and the printer are its children in process
  groups of their own, so a Ctrl-C or a hang-up reaches the supervisor alone
  and it stops the rest in order (apps, printer, broker). What it started is
  listed in DIR/pids.json; a supervisor killed outright (SIGKILL) leaves that
  file behind, and the next demo stops whatever of it still runs.
- Lines typed to the supervisor go to the virtual printer's standard input
  (`paper out`, `cover open`, `offline`, ... printer/virtual.py) and its answers
  come back: the printer's faults can be tried from the demo.
- Windows (windows.py, screen.py): the supervisor is the process in the
  terminal `./run demo` was typed in. The kiosk and the pager windows are
  placed side by side through Kivy's own settings (KCFG_GRAPHICS_* variables,
  read by kivy.config at import) and scaled with KIVY_METRICS_DENSITY: the
  apps draw in dp and sp only, so a density of 0.55 shows the full 1080x1920
  layout at 55 %. The kiosk's `screen_dpi` (millimetres for its keyboard keys)
  is scaled with it through a generated DIR/kiosk.toml, so the keyboard keeps
  its proportions. The screen is measured (adapters/x_screen.py) and the
  apps' shapes are taken (shell/display.py) as by an app started alone.
- Headless (headless.py, tmux.py): the supervisor runs in the bottom pane of a
  tmux window (a new session outside tmux, a new window in the current session
  inside it), the kiosk and the pager in the panes above it. The launcher only
  starts that and waits; detaching (Ctrl-b d) leaves the demo running in tmux.

Modules: folder (where things go, one demo per folder), processes (starting,
waiting for and stopping processes; signals), screen (placing the
windows on the measured screen), windows and tmux (the apps as windows or as
panes), supervisor, headless (the launcher in tmux).
"""
