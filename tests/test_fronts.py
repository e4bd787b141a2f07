"""The headless kiosk and the console pager as real processes, over a real broker."""

from __future__ import annotations

import shlex
import uuid
from pathlib import Path

import pytest

from tests.processes import LineProcess


@pytest.fixture
def store() -> str:
    return f"s{uuid.uuid4().hex[:8]}"


def kiosk(broker, store: str, data_dir: Path, *extra: str) -> LineProcess:  # type: ignore[no-untyped-def]
    proc = LineProcess(
        "run_kiosk.py", "--headless", "--broker", broker.url, "--store", store, "--data-dir", str(data_dir), *extra
    )
    proc.expect("ready")
    proc.expect("connection up")
    return proc


def pager(broker, store: str, name: str) -> LineProcess:  # type: ignore[no-untyped-def]
    proc = LineProcess(
        "run_pager.py",
        "--console",
        "--broker",
        broker.url,
        "--store",
        store,
        "--staff",
        name,
        "--device",
        f"pager-{name.lower()}",
    )
    proc.expect("ready")
    proc.expect("connection up")
    return proc


def test_a_request_typed_at_the_headless_kiosk_is_claimed_and_resolved_from_a_console_pager(
    broker, store, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    k = kiosk(broker, store, tmp_path / "k")
    p = pager(broker, store, "Anna")
    try:
        k.send("help question Where is the bathroom paint?")
        ticket = shlex.split(k.expect("ticket"))
        assert ticket[1] == "H-001" and "place=1" in ticket and "printed=no" in ticket
        new = shlex.split(p.expect("new H-001"))
        assert "note=Where is the bathroom paint?" in new and "topic=question" in new
        p.send("claim H-001")
        p.expect("claimed H-001")
        assert k.expect("status H-001") == "status H-001 claimed Anna"
        p.send("resolve H-001 showed the paint aisle")
        p.expect("closed H-001 resolved Anna")
        assert k.expect("status H-001") == "status H-001 resolved Anna"
    finally:
        assert k.close() == 0
        assert p.close() == 0


def test_ticket_numbers_continue_after_the_kiosk_restarts(broker, store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    k = kiosk(broker, store, tmp_path / "k")
    k.send("find blue paint")
    assert k.expect("ticket").split()[1] == "F-001"
    k.send("return - Wrong size")
    assert k.expect("ticket").split()[1] == "R-001"
    assert k.close() == 0
    again = kiosk(broker, store, tmp_path / "k")
    try:
        again.send("find hammer")
        assert again.expect("ticket").split()[1] == "F-002"
        again.send("list")
        assert again.expect("status F-001") == "status F-001 open place=1"
    finally:
        again.close()


def test_bad_commands_get_a_clear_error_and_change_nothing(broker, store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    k = kiosk(broker, store, tmp_path / "k")
    p = pager(broker, store, "Bob")
    try:
        for line, message in [
            ("dance", "unknown command 'dance'"),
            ("help", "help needs a topic"),
            ("help shouting", "help needs a topic"),
            ("return", "return needs a receipt"),
            ("feedback 7 great", "rating from 1"),
            ("cancel H-999", "no open request"),
        ]:
            k.send(line)
            assert message in k.expect("error")
        for line, message in [
            ("claim", "needs a ticket"),
            ("claim Z-001", "no open request Z-001"),
            ("fly", "unknown command"),
        ]:
            p.send(line)
            assert message in p.expect("error")
        k.send("list")
        k.send("feedback 4 quick,friendly Anna was great")
        line = k.expect("feedback")
        assert "rating=4" in line
        p.send("list")
        assert p.expect("listed") == "listed 0"
    finally:
        k.close()
        p.close()


def test_headless_feedback_reasons_are_the_screens_own_named_by_a_word() -> None:
    from kiosk.headless import offered_reasons

    assert offered_reasons(1, "waited,Staff") == ("I waited too long", "Staff could not help me")
    assert offered_reasons(4, "quick,friendly,quick") == ("Quick help", "Friendly staff")
    with pytest.raises(ValueError, match="reason 'rude' is none of: I waited too long;"):
        offered_reasons(1, "waited,rude")
    with pytest.raises(ValueError, match="names more than one of"):
        offered_reasons(4, "i")
