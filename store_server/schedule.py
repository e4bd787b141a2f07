"""The daily and weekly reports, made on time by the store server.

Touches subprocesses (the report command), one small file in the record's
folder (what was made, written atomically) and the clock. When each report is
due is core/schedule.py's; this part runs the report command as its own
process, so that a report that fails or hangs never stops the recorder:

    <python> -m manager.report --record <record dir> --from D1 --to D2 --out <reports.out_dir> [--mail] [--config …]

(--mail when mail.to is set: the report mails itself). The command runs on a
worker thread; its end comes back to the recorder's thread with `call_soon`.
A report that fails is logged with what the command said and tried again
(core/schedule.py `retry_at`); one given up is logged as an ERROR, and the next
reports go on.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from adapters.atomic_file import write_atomically
from core.schedule import (
    DAILY,
    Done,
    Due,
    FirstStart,
    ReportTimes,
    done_from_dict,
    done_to_dict,
    due,
    first_start,
    retry_at,
)
from shell.ports import Clock
from shell.store_config import StoreConfig

log = logging.getLogger(__name__)

DONE_FILE = "reports-done.json"  # in the record's folder
REPORT_COMMAND = (sys.executable, "-m", "manager.report")
REPORT_TIMEOUT = 15 * 60  # seconds: a week's report of a busy store takes seconds; this long, it hangs
TICK_SECONDS = 30.0
CallSoon = Callable[..., None]


class ReportSchedule:
    def __init__(
        self,
        *,
        config: StoreConfig,
        clock: Clock,
        call_soon: CallSoon,
        config_path: Path | None = None,
        command: Sequence[str] = REPORT_COMMAND,
    ) -> None:
        self.config = config
        self.clock = clock
        self.call_soon = call_soon
        self.config_path = config_path
        self.command = tuple(command)
        self.times = ReportTimes(config.reports.daily_time, config.reports.weekday, config.tz)
        self.done_path = Path(config.recorder.data_dir) / DONE_FILE
        self.done = self._read_done()
        self.running: Due | None = None
        self.failures = 0
        self.not_before: datetime | None = None  # after a failure: when to try again
        self.made: list[Due] = []  # in this run, in order (what the log also says)

    # -- what was made -----------------------------------------------------

    def _read_done(self) -> Done:
        try:
            return done_from_dict(json.loads(self.done_path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            start = first_start(self.clock.now(), self.times)
            log.log(logging.WARNING if start.not_made else logging.INFO, "reports: %s", self.first_start_words(start))
            self._write_done(start.done)
            return start.done
        except (OSError, ValueError) as exc:  # json's errors are ValueErrors
            first = Done.first(self.clock.now(), self.times)
            log.error("reports: %s cannot be read (%s); counting every report due until now as made", self.done_path,
                      exc)  # fmt: skip
            return first

    def first_start_words(self, start: FirstStart) -> str:
        """What a first start means for the reports, in plain words: the first one made, and what of
        today's is not made (its close passed before the start), with the command to make it by hand."""
        first = f"the day's report of {start.first.first}, at {self._local(start.first.at)}"
        if not start.not_made:
            return f"none made yet; the first is {first}"
        names = " and ".join(_name(report) for report in start.not_made)
        verb, them = ("are", "them") if len(start.not_made) > 1 else ("is", "it")
        hand = "; ".join(" ".join(self.arguments(report)) for report in start.not_made)
        return (
            f"none made yet, and this first start is after today's close "
            f"({self._local(start.not_made[0].at)}): {names} {verb} not made (make {them} by hand: {hand}); "
            f"the first made is {first}"
        )

    def _local(self, moment: datetime) -> str:
        return moment.astimezone(self.times.tz).strftime("%Y-%m-%d %H:%M store time")

    def _write_done(self, done: Done) -> None:
        try:
            write_atomically(self.done_path, json.dumps(done_to_dict(done)).encode())
        except OSError as exc:
            log.error("reports: %s cannot be written (%s): a report may be made twice after a restart",
                      self.done_path, exc)  # fmt: skip

    # -- on the recorder's thread ------------------------------------------

    def tick(self) -> None:
        """Start the oldest report due, unless one is running or a failed one waits for its retry."""
        now = self.clock.now()
        if self.running is not None or (self.not_before is not None and now < self.not_before):
            return
        todo = due(self.done, now, self.times)
        if not todo:
            return
        report = todo[0]
        self.running = report
        args = self.arguments(report)
        log.info("reports: the %s report of %s to %s: %s", report.kind, report.first, report.last, " ".join(args))
        threading.Thread(target=self._run, args=(report, args), name="report", daemon=True).start()

    def arguments(self, report: Due) -> list[str]:
        args = [*self.command, "--record", self.config.recorder.data_dir, "--from", report.first.isoformat(),
                "--to", report.last.isoformat(), "--out", self.config.reports.out_dir]  # fmt: skip
        if self.config.mail.recipients:
            args.append("--mail")
        if self.config_path is not None:
            args += ["--config", str(self.config_path)]
        return args

    def _run(self, report: Due, args: list[str]) -> None:  # on the worker thread
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=REPORT_TIMEOUT, check=False)
            code, said = done.returncode, (done.stderr or done.stdout).strip()
        except subprocess.TimeoutExpired:
            code, said = -1, f"no answer within {REPORT_TIMEOUT} s: stopped"
        except OSError as exc:
            code, said = -1, f"cannot be started: {exc}"
        self.call_soon(self._finished, report, code, said)

    def _finished(self, report: Due, code: int, said: str) -> None:
        self.running = None
        what = f"the {report.kind} report of {report.first}" + (
            "" if report.first == report.last else f" to {report.last}"
        )
        if code == 0:
            log.info("reports: %s is made", what)
            self._made(report)
            self.tick()  # the next one due, if the server was down for more than one
            return
        self.failures += 1
        again = retry_at(self.failures, self.clock.now())
        last_line = said.splitlines()[-1] if said else "(it said nothing)"
        if again is None:
            log.error("reports: %s failed %d times and is given up: %s. Make it by hand: %s", what, self.failures,
                      last_line, " ".join(self.arguments(report)))  # fmt: skip
            self._made(report)
            return
        log.warning("reports: %s failed (exit %d): %s; trying again at %s", what, code, last_line,
                    again.strftime("%H:%M:%S UTC"))  # fmt: skip
        self.not_before = again

    def _made(self, report: Due) -> None:
        self.failures = 0
        self.not_before = None
        self.done = self.done.after(report)
        self.made.append(report)
        self._write_done(self.done)


def _name(report: Due) -> str:
    if report.kind == DAILY:
        return f"the day's report of {report.first}"
    return f"the week's report of {report.first} to {report.last}"


def start_schedule(recorder, loop, config: StoreConfig, config_path: Path | None = None) -> list[Callable[[], None]]:  # type: ignore[no-untyped-def]
    """The reports on the recorder's thread (store_server/main.py plug_in); what stops them.
    `config_path`: the config the recorder read, handed to the report command."""
    schedule = ReportSchedule(config=config, clock=recorder.clock, call_soon=loop.call_soon, config_path=config_path)
    loop.call_soon(schedule.tick)  # what was missed while the server was down: now
    return [loop.every(TICK_SECONDS, schedule.tick)]
