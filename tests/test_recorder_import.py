"""`store-assist-recorder import`: a kiosk's history into the store's record,
idempotently, on real TinyDB files and a real recorder process."""

from __future__ import annotations

import shlex
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.tinydb_store import TinyDBEventLog
from core.model import Feedback, Kind, LogEntry
from tests.processes import LineProcess
from tests.recorder_process import (
    feedback_ids,
    once_each,
    recorder,
    run_import,
    steps,
    stop,
    wait_kept,
)
from tests.test_store_kiosks import kiosk, pager, words

PHONE_TOKEN = "Zq3-phone-token_never-in-the-record"


def old_kiosk_dir(folder: Path) -> list[tuple[str, int, str]]:
    """A kiosk's data dir from before log entries carried their seq (seq 0);
    its created steps hold phone tokens, as a kiosk keeps them for itself."""
    t0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    with TinyDBEventLog(folder) as log:
        for n, events in enumerate((["created", "claimed", "resolved"], ["created", "cancelled"])):
            for m, event in enumerate(events):
                token = f"{PHONE_TOKEN}{n}" if event == "created" else ""
                at = t0 + timedelta(minutes=10 * n, seconds=m)
                log.append_entry(LogEntry(f"old{n}", f"H-00{n + 1}", Kind.HELP, "kiosk-old", event,
                                          at, staff="Anna", token=token))  # fmt: skip
        log.append_feedback(Feedback("old-fb", "kiosk-old", 3, t0 + timedelta(minutes=30)))
    return [("old0", 1, "created"), ("old0", 2, "claimed"), ("old0", 3, "resolved"),
            ("old1", 1, "created"), ("old1", 2, "cancelled")]  # fmt: skip


def test_a_kiosk_dir_imported_twice_and_over_what_was_recorded_live_doubles_nothing(
    broker, tmp_path: Path, procs: list[LineProcess]
) -> None:  # type: ignore[no-untyped-def]
    store = f"s{uuid.uuid4().hex[:8]}"
    record, kiosk_dir, old_dir = tmp_path / "record", tmp_path / "kiosk", tmp_path / "old"
    expected_old = old_kiosk_dir(old_dir)
    # A kiosk works before the recorder ever ran, then beside it.
    k = kiosk(broker.url, store, "kiosk-1", kiosk_dir)
    anna = pager(broker.url, store, "Anna")
    procs += [k, anna]
    k.send("help question before the recorder")
    first = words(k.expect("ticket"))["id"]
    live = recorder(broker.url, store, record)
    procs.append(live)
    # The open request's retained state arrives on subscribe: kept, and the
    # steps before it (none here: it is still at seq 1) would be a gap.
    wait_kept(live, {("requests", first, "1")})
    anna.send("claim H-001")
    k.expect("status H-001 claimed")
    k.send("feedback 3 - fine")
    fid = shlex.split(k.expect("feedback"))[1]
    wait_kept(live, {("requests", first, "2"), ("feedback", fid)})

    refused = run_import(str(kiosk_dir), "--data-dir", str(record))
    assert refused.returncode == 1
    assert "in use by another process (a running store-assist-recorder): stop it first" in refused.stderr
    assert "nothing imported" in refused.stderr
    stop(live)

    once = run_import(str(kiosk_dir), str(old_dir), "--data-dir", str(record))
    assert once.returncode == 0, once.stderr
    said = once.stdout
    assert f"imported {kiosk_dir} into {record}: 0 request step(s), 0 feedback, 0 search(es); 3 already in" in said
    assert f"imported {old_dir} into {record}: 5 request step(s), 1 feedback, 0 search(es); 0 already in" in said
    twice = run_import(str(kiosk_dir), str(old_dir), "--data-dir", str(record))
    assert twice.returncode == 0, twice.stderr
    assert f"imported {old_dir} into {record}: 0 request step(s), 0 feedback, 0 search(es); 6 already" in twice.stdout

    recorded = steps(record)
    assert once_each([(rid, seq) for rid, seq, _e in recorded])
    assert set(recorded) == set(steps(kiosk_dir)) | set(expected_old)
    assert sorted(feedback_ids(record)) == sorted([fid, "old-fb"])
    assert PHONE_TOKEN in "".join(p.read_text() for p in old_dir.rglob("*.json")), "the kiosk kept its tokens"
    assert not [p for p in record.rglob("*") if p.is_file() and PHONE_TOKEN.encode() in p.read_bytes()]


def test_an_import_of_what_is_not_a_kiosk_dir_says_so_and_changes_nothing(tmp_path: Path) -> None:
    old_kiosk_dir(tmp_path / "old")
    (tmp_path / "photos").mkdir()
    result = run_import(str(tmp_path / "old"), str(tmp_path / "photos"), "--data-dir", str(tmp_path / "record"))
    assert result.returncode == 1
    assert f"{tmp_path / 'photos'} is not a kiosk's data dir" in result.stderr and "nothing imported" in result.stderr
    assert not (tmp_path / "record").exists()
    missing = run_import(str(tmp_path / "nope"), "--data-dir", str(tmp_path / "record"))
    assert missing.returncode == 1 and f"{tmp_path / 'nope'}: no such directory" in missing.stderr
    broken = tmp_path / "old" / "requests" / "2026-10-01T09.json"
    broken.write_text('{"entries": {"1": ')
    result = run_import(str(tmp_path / "old"), "--data-dir", str(tmp_path / "record"))
    assert result.returncode == 1 and "2026-10-01T09.json" in result.stderr
    assert not (tmp_path / "record").exists()
