"""The store server's reports on time (store_server/schedule.py): the report
command as a real process, what was made in a real file, the clock passed in.

A stand-in report command (a script here that notes its arguments and fails
when told to) shows the order, the retries and the catching up; the last test
runs the real `python -m manager.report` on a real record.
"""

from __future__ import annotations

import json
import queue
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.tinydb_store import TinyDBEventLog
from core.model import Feedback, Kind, LogEntry
from shell.store_config import load_store
from store_server.schedule import DONE_FILE, ReportSchedule

STAND_IN = """\
import json, sys
from pathlib import Path
folder = Path(sys.argv[1])
calls = folder / "calls.jsonl"
with calls.open("a") as out:
    out.write(json.dumps(sys.argv[2:]) + "\\n")
fail = folder / "fail"
left = int(fail.read_text()) if fail.exists() else 0
if left:
    fail.write_text(str(left - 1))
    print("report: error: the record cannot be read: disk on fire", file=sys.stderr)
    sys.exit(1)
"""


class Clock:
    def __init__(self, now: datetime) -> None:
        self.moment = now

    def now(self) -> datetime:
        return self.moment


class Thread:
    """The recorder's thread: calls handed over with call_soon, run when the test says."""

    def __init__(self) -> None:
        self.calls: queue.Queue[tuple[Any, tuple[Any, ...]]] = queue.Queue()

    def call_soon(self, fn: Any, *args: Any) -> None:
        self.calls.put((fn, args))

    def run_next(self, timeout: float = 30) -> None:
        fn, args = self.calls.get(timeout=timeout)
        fn(*args)


def schedule(
    tmp_path: Path, now: datetime, done: dict[str, str] | None, **config: Any
) -> tuple[ReportSchedule, Clock, Thread]:
    record = tmp_path / "record"
    record.mkdir(parents=True, exist_ok=True)
    if done is not None:
        (record / DONE_FILE).write_text(json.dumps(done))
    script = tmp_path / "stand_in_report.py"
    script.write_text(STAND_IN)
    store = load_store(None, recorder_data_dir=str(record), reports_out_dir=str(tmp_path / "reports"), **config)
    clock, thread = Clock(now), Thread()
    made = ReportSchedule(config=store, clock=clock, call_soon=thread.call_soon,
                          command=(sys.executable, str(script), str(tmp_path)))  # fmt: skip
    return made, clock, thread


def calls(tmp_path: Path) -> list[list[str]]:
    path = tmp_path / "calls.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def local(day: str, hour: int, minute: int = 0) -> datetime:
    from zoneinfo import ZoneInfo

    moment = datetime.combine(date.fromisoformat(day), datetime.min.time().replace(hour=hour, minute=minute))
    return moment.replace(tzinfo=ZoneInfo("Europe/Amsterdam")).astimezone(UTC)


def test_a_first_start_makes_nothing_old_and_remembers_so(tmp_path: Path) -> None:
    made, _clock, thread = schedule(tmp_path, local("2026-11-04", 10), done=None)
    made.tick()
    assert made.running is None and calls(tmp_path) == [] and thread.calls.empty()
    assert json.loads((tmp_path / "record" / DONE_FILE).read_text()) == {"daily": "2026-11-03", "weekly": "2026-11-01"}


def test_a_first_start_says_which_report_comes_first(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="store_server.schedule")
    made, clock, thread = schedule(tmp_path / "morning", local("2026-12-01", 10), done=None)
    assert "reports: none made yet; the first is the day's report of 2026-12-01, at 2026-12-01 21:30 store time" in (
        caplog.text
    )
    clock.moment = local("2026-12-01", 21, 30)  # today's close: today's report
    made.tick()
    thread.run_next()
    assert [c[c.index("--from") + 1] for c in calls(tmp_path / "morning")] == ["2026-12-01"]
    caplog.clear()
    night, clock, thread = schedule(tmp_path / "night", local("2026-12-01", 23, 51), done=None)
    assert json.loads((tmp_path / "night" / "record" / DONE_FILE).read_text())["daily"] == "2026-12-01"
    [said] = [r for r in caplog.records if "none made yet" in r.getMessage()]
    record, out = tmp_path / "night" / "record", tmp_path / "night" / "reports"
    assert said.levelname == "WARNING" and said.getMessage() == (
        "reports: none made yet, and this first start is after today's close (2026-12-01 21:30 store time): "
        "the day's report of 2026-12-01 is not made (make it by hand: "
        f"{' '.join(night.command)} --record {record} --from 2026-12-01 --to 2026-12-01 --out {out}); "
        "the first made is the day's report of 2026-12-02, at 2026-12-02 21:30 store time"
    )
    night.tick()
    assert night.running is None  # today's is not made by itself
    clock.moment = local("2026-12-02", 21, 30)
    night.tick()
    thread.run_next()
    assert [c[c.index("--from") + 1] for c in calls(tmp_path / "night")] == ["2026-12-02"]


def test_reports_missed_while_down_are_made_one_after_the_other_and_remembered(tmp_path: Path) -> None:
    made, _clock, thread = schedule(tmp_path, local("2026-10-27", 9), {"daily": "2026-10-23", "weekly": "2026-10-18"},
                                    mail_to="mia@store.example", mail_host="127.0.0.1")  # fmt: skip
    made.tick()
    made.tick()  # one at a time: a second tick while it runs starts nothing
    for _ in range(4):
        thread.run_next()  # each report's end, which starts the next
    assert thread.calls.empty() and made.running is None
    record, out = str(tmp_path / "record"), str(tmp_path / "reports")
    assert calls(tmp_path) == [
        ["--record", record, "--from", "2026-10-24", "--to", "2026-10-24", "--out", out, "--mail"],
        ["--record", record, "--from", "2026-10-25", "--to", "2026-10-25", "--out", out, "--mail"],
        ["--record", record, "--from", "2026-10-19", "--to", "2026-10-25", "--out", out, "--mail"],
        ["--record", record, "--from", "2026-10-26", "--to", "2026-10-26", "--out", out, "--mail"],
    ]
    assert json.loads((tmp_path / "record" / DONE_FILE).read_text()) == {"daily": "2026-10-26", "weekly": "2026-10-25"}
    again, _c, _t = schedule(tmp_path, local("2026-10-27", 9, 5), done=None)  # restarted: the file remembers
    again.tick()
    assert again.running is None and len(calls(tmp_path)) == 4


def test_a_failing_report_is_logged_tried_again_and_then_given_up(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "fail").write_text("1")
    made, clock, thread = schedule(
        tmp_path, local("2026-11-03", 21, 31), {"daily": "2026-11-02", "weekly": "2026-11-01"}
    )
    made.tick()
    thread.run_next()
    assert "the daily report of 2026-11-03 failed (exit 1): report: error: the record cannot be read: disk on fire" in (
        caplog.text
    )
    made.tick()  # before its retry: nothing
    assert len(calls(tmp_path)) == 1
    clock.moment += timedelta(seconds=61)
    made.tick()
    thread.run_next()
    assert len(calls(tmp_path)) == 2 and made.done.daily == date(2026, 11, 3)
    # Now one that never works: tried 4 times (after 1, 5 and 15 minutes), then given up, and the next goes on.
    (tmp_path / "fail").write_text("99")
    clock.moment = local("2026-11-04", 21, 31)
    for wait in (0, 60, 300, 900):
        clock.moment += timedelta(seconds=wait + 1)
        made.tick()
        thread.run_next()
    assert len(calls(tmp_path)) == 6
    [given_up] = [r for r in caplog.records if "given up" in r.getMessage()]
    assert given_up.levelname == "ERROR" and "Make it by hand: " in given_up.getMessage()
    assert made.done.daily == date(2026, 11, 4) and made.failures == 0


def test_the_real_report_command_writes_the_days_report_from_the_record(tmp_path: Path) -> None:
    record = tmp_path / "record"
    day = local("2026-11-03", 10)
    with TinyDBEventLog(record) as log:
        log.append_entry(LogEntry("r1", "H-001", Kind.HELP, "kiosk-1", "created", day, seq=1))
        log.append_entry(LogEntry("r1", "H-001", Kind.HELP, "kiosk-1", "claimed", day + timedelta(seconds=40),
                                  staff="Anna", seq=2))  # fmt: skip
        log.append_feedback(Feedback("f1", "kiosk-1", 4, day + timedelta(minutes=5)))
    store = load_store(None, recorder_data_dir=str(record), reports_out_dir=str(tmp_path / "reports"))
    thread = Thread()
    made = ReportSchedule(config=store, clock=Clock(local("2026-11-03", 21, 30)), call_soon=thread.call_soon)
    made.done = made.done.__class__(daily=date(2026, 11, 2), weekly=date(2026, 11, 1))
    made.tick()
    thread.run_next(timeout=120)
    written = sorted(p.name for p in (tmp_path / "reports").rglob("*") if p.is_file())
    assert any(name.endswith(".html") for name in written), written
    assert made.done.daily == date(2026, 11, 3) and made.failures == 0
