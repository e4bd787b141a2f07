"""`python -m manager.report` run as a real process on a data dir written through TinyDB."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.tinydb_store import TinyDBEventLog
from core.model import Feedback, Kind, LogEntry

ROOT = Path(__file__).resolve().parents[1]
T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # 10:00 in the store (config/store.toml: Europe/Amsterdam)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "record"
    with TinyDBEventLog(folder) as log:
        for seq, (event, offset, staff) in enumerate((("created", 0, None), ("claimed", 40, "Anna")), 1):
            step = LogEntry(
                "r1", "F-001", Kind.FIND, "k1", event, T0 + timedelta(seconds=offset), staff=staff,
                details={"language": "nl"} if seq == 1 else {}, seq=seq,
            )  # fmt: skip
            for _copy in range(2):  # each step stored twice (a copy, as QoS 1 can deliver): counted once
                log.append_entry(step)
        for _copy in range(2):
            log.append_feedback(Feedback("fb1", "k1", 2, T0 + timedelta(minutes=5), request_id="r1", contact="a@b.nl"))
    return folder


def report(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "manager.report", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_csv_of_a_day_has_each_request_and_feedback_once(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = report("--record", str(data_dir), "--from", "2026-11-24", "--format", "csv", "--out", str(out))
    assert done.returncode == 0, done.stderr
    requests = out / "requests-2026-11-24_2026-11-24.csv"
    assert f"wrote {requests} (1 row)" in done.stdout
    with open(requests, encoding="utf-8-sig", newline="") as handle:
        [row] = list(csv.DictReader(handle))
    assert (row["status"], row["language"], row["minutes_to_claim"]) == ("claimed", "nl", "0.7")
    with open(out / "feedback-2026-11-24_2026-11-24.csv", encoding="utf-8-sig", newline="") as handle:
        [feedback] = list(csv.DictReader(handle))
    assert feedback["ticket"] == "F-001" and "contact" not in feedback


def test_contacts_only_when_asked(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["--data-dir", str(data_dir), "--from", "2026-11-24", "--format", "jsonl", "--out", str(out)]
    done = report(*args, "--contacts")
    assert done.returncode == 0, done.stderr
    assert '"contact": "a@b.nl"' in (out / "feedback-2026-11-24_2026-11-24.jsonl").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "pdf"], "argument --format: invalid choice"),
        (["--from", "2026-11-25", "--to", "2026-11-24"], "--from 2026-11-25 is after --to 2026-11-24"),
        (["--lang", "de"], "argument --lang: invalid choice"),
    ],
)
def test_usage_errors_exit_2_and_write_nothing(data_dir: Path, tmp_path: Path, args: list[str], message: str) -> None:
    out = tmp_path / "out"
    done = report("--record", str(data_dir), "--out", str(out), *args)
    assert done.returncode == 2 and message in done.stderr
    assert not out.exists()


def test_a_broken_partition_exits_1_and_writes_nothing(data_dir: Path, tmp_path: Path) -> None:
    (data_dir / "feedback" / "2026-11-24T09.json").write_text('{"feedback": {"1": ')
    out = tmp_path / "out"
    done = report("--record", str(data_dir), "--from", "2026-11-24", "--format", "csv", "--out", str(out))
    assert done.returncode == 1 and "2026-11-24T09.json" in done.stderr
    assert not out.exists()
