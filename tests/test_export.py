"""`python -m manager.export` run as a real process on real TinyDB files."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.tinydb_store import TinyDBEventLog
from core.model import Feedback, Kind, LogEntry
from manager.export import neutralise

ROOT = Path(__file__).resolve().parents[1]
T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
DAY_BEFORE = T0 - timedelta(days=1)
DAY_AFTER = T0 + timedelta(days=1)
HOSTILE = ['=HYPERLINK("http://evil.example","click")', "+1", "-2", "@x", "\tTAB", "\rCR"]


def step(rid: str, event: str, at: datetime, **kw: object) -> LogEntry:
    values: dict[str, Any] = {"ticket": "F-001", "kind": Kind.FIND}
    values.update(kw)
    return LogEntry(rid, values.pop("ticket"), values.pop("kind"), "door-1", event, at, **values)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    with TinyDBEventLog(folder) as log:
        for item in [
            step("before", "created", DAY_BEFORE),
            step("r1", "created", T0, details={"item": "洗发水", "aisle": "7"}),
            step("r1", "claimed", T0 + timedelta(seconds=90), staff="Anna"),
            step("r1", "released", T0 + timedelta(seconds=120), staff="Anna"),
            step("r1", "claimed", T0 + timedelta(seconds=150), staff="Ben"),
            step("r1", "resolved", T0 + timedelta(minutes=6), staff="Ben", outcome="found it"),
            step("r2", "created", T0 + timedelta(hours=1), ticket="H-001", kind=Kind.HELP,
                 details={"note": "=1+1"}),
            step("r2", "cancelled", T0 + timedelta(hours=1, minutes=20), outcome="-went home"),
            step("after", "created", DAY_AFTER),
        ]:  # fmt: skip
            log.append_entry(item)
        log.append_feedback(Feedback("fb-before", "door-1", 4, DAY_BEFORE))
        log.append_feedback(Feedback("fb1", "door-1", 1, T0, reasons=("slow", "rude"), comment="等了很久，店员很好"))
        for n, text in enumerate(HOSTILE):
            at = T0 + timedelta(minutes=n + 1)
            log.append_feedback(Feedback(f"fb-h{n}", "door-1", 3, at, (text,), comment=text))
        log.append_feedback(Feedback("fb-after", "door-1", 2, DAY_AFTER))
    return folder


def export(*args: str) -> subprocess.CompletedProcess[str]:
    # config/store.toml: the store's time zone is Europe/Amsterdam (UTC+1 in November)
    return subprocess.run(
        [sys.executable, "-m", "manager.export", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def export_one_day(data_dir: Path, out: Path) -> tuple[Path, Path]:
    done = export("--data-dir", str(data_dir), "--from", "2026-11-24", "--out", str(out))
    assert done.returncode == 0, done.stderr
    requests = out / "requests-2026-11-24_2026-11-24.csv"
    feedback = out / "feedback-2026-11-24_2026-11-24.csv"
    assert done.stdout.splitlines() == [f"wrote {requests} (2 rows)", f"wrote {feedback} (7 rows)"]
    return requests, feedback


def test_the_export_writes_both_files_the_way_excel_opens_them(data_dir: Path, tmp_path: Path) -> None:
    for path in export_one_day(data_dir, tmp_path / "out"):
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark
        assert raw.count(b"\r\n") >= 3
        assert b"\n" not in raw.replace(b"\r\n", b"")  # every line ends CRLF
    assert not list((tmp_path / "out").glob(".*"))  # no temp files left behind


def test_the_request_log_has_claim_and_resolve_times_per_request(data_dir: Path, tmp_path: Path) -> None:
    requests, _ = export_one_day(data_dir, tmp_path / "out")
    r1, r2 = read_rows(requests)
    assert r1["request_id"] == "r1" and r1["kind"] == "find"
    assert (r1["item"], r1["aisle"]) == ("洗发水", "7") and "details" not in r1
    assert (r1["created_utc"], r1["created_local"]) == ("2026-11-24T09:00:00Z", "2026-11-24 10:00:00")
    assert (r1["claimed_by"], r1["claimed_utc"]) == ("Ben", "2026-11-24T09:01:30Z")
    assert (r1["minutes_to_claim"], r1["released"], r1["status"]) == ("1.5", "1", "resolved")
    assert (r1["resolved_by"], r1["resolved_utc"]) == ("Ben", "2026-11-24T09:06:00Z")
    assert (r1["minutes_to_resolve"], r1["outcome"]) == ("6.0", "found it")
    assert (r1["escalation"], r1["service_desk"], r1["abandoned"]) == ("0", "no", "no")
    assert (r2["ticket"], r2["cancelled_utc"], r2["status"]) == ("H-001", "2026-11-24T10:20:00Z", "cancelled")
    assert (r2["claimed_by"], r2["minutes_to_claim"], r2["resolved_utc"], r2["abandoned"]) == ("", "", "", "yes")
    assert (r2["note"], r2["outcome"]) == ("'=1+1", "'-went home")


def test_only_what_happened_inside_the_range_is_exported(data_dir: Path, tmp_path: Path) -> None:
    requests, feedback = export_one_day(data_dir, tmp_path / "out")
    assert [r["request_id"] for r in read_rows(requests)] == ["r1", "r2"]
    given = [r["given_utc"] for r in read_rows(feedback)]
    assert all(g.startswith("2026-11-24T") for g in given) and len(given) == 7


def test_a_range_of_days_takes_in_each_of_them(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["--data-dir", str(data_dir), "--from", "2026-11-23", "--to", "2026-11-25"]
    assert export(*args, "--out", str(out)).returncode == 0
    rows = read_rows(out / "requests-2026-11-23_2026-11-25.csv")
    assert [r["request_id"] for r in rows] == ["before", "r1", "r2", "after"]


def test_chinese_feedback_and_faces_round_trip(data_dir: Path, tmp_path: Path) -> None:
    _, feedback = export_one_day(data_dir, tmp_path / "out")
    first = read_rows(feedback)[0]
    assert first == {
        "feedback_id": "fb1",
        "given_local": "2026-11-24 10:00:00",
        "given_utc": "2026-11-24T09:00:00Z",
        "kiosk": "door-1",
        "rating": "1",
        "face": "very unhappy",
        "reasons": "slow; rude",
        "comment": "等了很久，店员很好",
        "request_id": "",
        "ticket": "",
    }


def test_cells_that_excel_would_run_as_formulas_get_a_leading_apostrophe(data_dir: Path, tmp_path: Path) -> None:
    _, feedback = export_one_day(data_dir, tmp_path / "out")
    rows = read_rows(feedback)[1:]
    assert [r["comment"] for r in rows] == ["'" + text for text in HOSTILE]
    assert [r["reasons"] for r in rows] == ["'" + text for text in HOSTILE]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("@cmd", "'@cmd"),
        ("R-017", "R-017"),
        ("very happy", "very happy"),
        ("", ""),
        (-3.5, -3.5),  # numbers we computed stay numbers
        (2, 2),
    ],
)
def test_neutralise_touches_only_text_that_starts_a_formula(cell: object, expected: object) -> None:
    assert neutralise(cell) == expected


# --- bad arguments ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-13-01"], "argument --from: expected a date YYYY-MM-DD, got '2026-13-01'"),
        (["--from", "24/11/2026"], "argument --from: expected a date YYYY-MM-DD"),
        (["--from", "2026-11-24", "--to", "20261125"], "argument --to: expected a date"),
        (["--from", "2026-11-25", "--to", "2026-11-24"], "--from 2026-11-25 is after --to"),
        (["--format", "xls"], "argument --format: invalid choice"),
    ],
)
def test_a_bad_argument_is_named_and_nothing_is_written(
    data_dir: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "out"
    done = export("--data-dir", str(data_dir), "--out", str(out), *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert done.stdout == "" and not out.exists()


def test_a_missing_data_dir_is_named_and_nothing_is_written(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = export("--data-dir", str(tmp_path / "nowhere"), "--from", "2026-11-24", "--out", str(out))
    assert done.returncode == 2
    assert f"--data-dir {tmp_path / 'nowhere'}: no such directory" in done.stderr
    assert not out.exists() and not (tmp_path / "nowhere").exists()


def test_a_folder_that_holds_no_record_is_refused_rather_than_reported_as_a_quiet_day(tmp_path: Path) -> None:
    (tmp_path / "demo" / "record" / "requests").mkdir(parents=True)  # the record is one folder further down
    out = tmp_path / "out"
    done = export("--record", str(tmp_path / "demo"), "--from", "2026-11-24", "--out", str(out))
    assert done.returncode == 2
    assert f"--record {tmp_path / 'demo'}: not the store's record (no requests/ or feedback/" in done.stderr
    assert not out.exists()


def test_a_corrupt_day_fails_the_export_without_writing_half_of_it(data_dir: Path, tmp_path: Path) -> None:
    (data_dir / "feedback" / "2026-11-24.json").write_text('{"feedback": {"1": ')
    out = tmp_path / "out"
    done = export("--data-dir", str(data_dir), "--from", "2026-11-24", "--out", str(out))
    assert done.returncode == 1
    assert "feedback/2026-11-24.json" in done.stderr
    assert not out.exists()


def test_the_export_runs_beside_a_kiosk_that_holds_the_data_dir(data_dir: Path, tmp_path: Path) -> None:
    with TinyDBEventLog(data_dir):  # the kiosk's writer lock
        export_one_day(data_dir, tmp_path / "out")


def test_json_lines_carry_the_same_columns_with_numbers_and_nulls(data_dir: Path, tmp_path: Path) -> None:
    import json

    out = tmp_path / "out"
    done = export("--data-dir", str(data_dir), "--from", "2026-11-24", "--out", str(out), "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    lines = (out / "requests-2026-11-24_2026-11-24.jsonl").read_text(encoding="utf-8").splitlines()
    r1 = json.loads(lines[0])
    assert (r1["minutes_to_claim"], r1["service_desk"], r1["note"], r1["item"]) == (1.5, False, None, "洗发水")


@pytest.mark.parametrize(
    "cells",
    [
        ["plain", None, 3, 1.5, 0.1 + 0.2, "", "yes"],
        ["a, b", "x"],
        ['say "hi"', "x"],
        ["two\nlines", "x"],
        ["carriage\rreturn", "x"],
        ["  spaced  ", "'=1+1", "洗发水", "\ud800"],
        [""],
        [None],
        ["only"],
        [],
        [True, float("nan"), -0.0, 10**20],
    ],
)
def test_a_csv_line_is_what_the_csv_module_writes(cells: list[object]) -> None:
    import io

    from manager.export import csv_line_maker

    written = io.StringIO(newline="")
    csv.writer(written, lineterminator="\r\n").writerow(cells)
    assert csv_line_maker()(cells) == written.getvalue()


@pytest.fixture
def weeks_dir(tmp_path: Path) -> Path:
    """Twelve requests over eight days, noted with text the CSV quotes, and feedback naming some of them."""
    folder = tmp_path / "weeks"
    with TinyDBEventLog(folder) as log:
        for n in range(12):
            at = T0 + timedelta(days=n * 2 // 3, minutes=n)
            rid = f"r{n:02d}"
            log.append_entry(step(rid, "created", at, ticket=f"F-{n:03d}", details={"note": f'n{n}, "quoted"\nline'}))
            log.append_entry(step(rid, "claimed", at + timedelta(seconds=30), staff="Anna"))
            log.append_feedback(Feedback(f"fb{n}", "door-1", 1 + n % 4, at + timedelta(minutes=5), request_id=rid))
            log.append_feedback(Feedback(f"fb{n}-alone", "door-1", 4, at + timedelta(minutes=6), comment="=1"))
    return folder


def test_a_range_of_weeks_is_written_by_two_processes_into_whole_files(weeks_dir: Path, tmp_path: Path) -> None:
    import json

    out = tmp_path / "out"
    # Over a week: the requests are folded and their first rows written by a second process, the last
    # rows by this one after the feedback (manager/export_rows.py), and put together in one file.
    done = export("--data-dir", str(weeks_dir), "--from", "2026-11-24", "--to", "2026-12-01", "--out", str(out),
                  "--format", "csv,jsonl")  # fmt: skip
    assert done.returncode == 0, done.stderr
    stem = "2026-11-24_2026-12-01"
    assert f"wrote {out / f'requests-{stem}.csv'} (12 rows)" in done.stdout.splitlines()
    assert f"wrote {out / f'feedback-{stem}.jsonl'} (24 rows)" in done.stdout.splitlines()
    raw = (out / f"requests-{stem}.csv").read_bytes()
    assert raw.count(b"\xef\xbb\xbf") == 1 and raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"request_id,ticket") == 1
    rows = read_rows(out / f"requests-{stem}.csv")
    assert [r["request_id"] for r in rows] == [f"r{n:02d}" for n in range(12)]
    assert [r["note"] for r in rows] == [f'n{n}, "quoted"\nline' for n in range(12)]
    lines = (out / f"requests-{stem}.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["request_id"] for line in lines] == [r["request_id"] for r in rows]
    feedback = read_rows(out / f"feedback-{stem}.csv")
    assert [(f["feedback_id"], f["ticket"]) for f in feedback[:4]] == [
        ("fb0", "F-000"), ("fb0-alone", ""), ("fb1", "F-001"), ("fb1-alone", ""),
    ]  # fmt: skip
    assert {f["comment"] for f in feedback if f["feedback_id"].endswith("alone")} == {"'=1"}
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{kind}-{stem}.{fmt}" for kind in ("requests", "feedback") for fmt in ("csv", "jsonl")
    )  # no temporary or part files left


def test_a_corrupt_file_in_a_range_of_weeks_leaves_nothing(weeks_dir: Path, tmp_path: Path) -> None:
    last = sorted((weeks_dir / "feedback").iterdir())[-1]
    last.write_text('{"feedback": {"1": ')
    out = tmp_path / "out"
    done = export("--data-dir", str(weeks_dir), "--from", "2026-11-24", "--to", "2026-12-01", "--out", str(out))
    assert done.returncode == 1
    assert last.name in done.stderr
    assert not out.exists()
