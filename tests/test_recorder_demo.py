"""`./run demo` starts the store's recorder too: what the demo kiosk takes is
in the demo's record (DIR/record), and the recorder stops with the demo."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

from tests.recorder_process import steps
from tests.test_demo import (  # noqa: F401 (tmux_env is a fixture)
    SESSION,
    STOP,
    Output,
    all_pids,
    assert_all_gone,
    pane_text,
    panes,
    start_demo,
    tmux,
    tmux_env,
    wait_for,
    wait_ready,
)


def test_the_demo_records_what_its_kiosk_takes_and_stops_its_recorder(
    tmux_env: dict[str, str],  # noqa: F811 (the fixture imported above)
    tmp_path: Path,
) -> None:
    demo_dir = tmp_path / "demo"
    demo = start_demo(demo_dir, tmux_env, "--headless", stdin=subprocess.DEVNULL)
    out = Output(demo.stdout)
    try:
        out.expect(f"tmux attach -t {SESSION}")
        pids = all_pids(wait_ready(demo_dir, demo))
        assert "recorder" in pids
        kiosk = panes(tmux_env, f"={SESSION}")[pids["kiosk"]]
        wait_for(lambda: "connection up" in pane_text(tmux_env, kiosk), 20, "the kiosk connected")
        wait_for(lambda: "subscribed" in (demo_dir / "recorder.log").read_text(), 20, "the recorder subscribed")
        tmux(tmux_env, "send-keys", "-t", kiosk, "help question Where is the paint?", "Enter")
        wait_for(lambda: "kept requests" in (demo_dir / "recorder.log").read_text(), 20, "the recorder kept it")
        demo.send_signal(signal.SIGTERM)
        assert demo.wait(STOP) == 0
        assert_all_gone(pids)
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
    assert [(seq, event) for _rid, seq, event in steps(demo_dir / "record")] == [(1, "created")]
    assert "stopped: 1 kept" in (demo_dir / "recorder.log").read_text(), "stopped cleanly (SIGTERM), not killed"
