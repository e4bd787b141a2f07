"""`./run demo` starts the store's web service too: a demo account signs in on
/staff and sees what the demo kiosk takes, the kiosk's ticket carries the
link of the shopper's page, which opens, and the service stops with the demo."""

from __future__ import annotations

import re
import signal
import subprocess
from pathlib import Path

import httpx

from demo.web import DEMO_PIN
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


def test_the_demo_serves_staff_phones_and_the_shoppers_ticket_page_and_stops_its_web_service(
    tmux_env: dict[str, str],  # noqa: F811 (the fixture imported above)
    tmp_path: Path,
) -> None:
    demo_dir = tmp_path / "demo"
    demo = start_demo(demo_dir, tmux_env, "--headless", stdin=subprocess.DEVNULL)
    out = Output(demo.stdout)
    try:
        out.expect(f"tmux attach -t {SESSION}")
        pids = all_pids(wait_ready(demo_dir, demo))
        # What the demo says, in its own pane, is in its log too.
        said = (demo_dir / "demo.log").read_text()
        url = re.search(r"Staff on phones: (http://127\.0\.0\.1:\d+)/staff", said)
        assert url, said
        base = url.group(1)
        assert "web" in pids
        wait_for(lambda: "serving" in (demo_dir / "web.log").read_text(), 30, "the web service serves")
        kiosk = panes(tmux_env, f"={SESSION}")[pids["kiosk"]]
        wait_for(lambda: "connection up" in pane_text(tmux_env, kiosk), 20, "the kiosk connected")
        with httpx.Client(base_url=base, timeout=10) as staff:
            signed_in = staff.post("/api/login", json={"name": "Anna", "pin": DEMO_PIN})
            assert signed_in.status_code == 200, signed_in.text
            assert signed_in.json()["role"] == "floor"
            tmux(tmux_env, "send-keys", "-t", kiosk, "help question Where is the paint?", "Enter")
            line = wait_for(
                lambda: re.search(r"ticket (H-\d+) .*link=(\S+)", pane_text(tmux_env, kiosk)), 20, "a ticket link"
            )
            ticket, link = line.group(1), line.group(2)  # type: ignore[union-attr]
            assert link.startswith(f"{base}/t/")

            def shown() -> bool:
                state = staff.get("/api/staff/state").json()
                return any(r["ticket"] == ticket for r in state["requests"])

            wait_for(shown, 20, "Anna's web pager shows the request")
            page = httpx.get(link, timeout=10)
            assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
            view = httpx.get(f"{link}/state", timeout=10).json()
            assert view["ticket"] == ticket and view["stands"] == "waiting"
        demo.send_signal(signal.SIGTERM)
        assert demo.wait(STOP) == 0
        assert_all_gone(pids)
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
