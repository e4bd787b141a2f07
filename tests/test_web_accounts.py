"""Staff accounts, PIN hashes, lockout and sessions of the web pager, on real files with the real Argon2id."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.argon2_hash import PinHasher
from store_server.accounts import AccountError, Accounts, SignInRefused
from store_server.sessions import Sessions, digest
from store_server.web_throttle import Throttle

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
HASHER = PinHasher()


def accounts(folder: Path, failures: int = 3, minutes: int = 15) -> Accounts:
    return Accounts(folder, HASHER, failures, minutes)


def test_pins_are_argon2id_hashes_and_the_file_never_holds_a_pin(tmp_path: Path) -> None:
    book = accounts(tmp_path)
    book.add("Anna", "floor", "482915")
    text = (tmp_path / "accounts.json").read_text()
    assert "482915" not in text
    stored = json.loads(text)["accounts"][0]["pin_hash"]
    assert stored.startswith("$argon2id$")
    assert HASHER.verify(stored, "482915") and not HASHER.verify(stored, "482916")
    assert not HASHER.verify("not a hash", "482915")
    assert (tmp_path / "accounts.json").stat().st_mode & 0o077 == 0  # readable by the service only


def test_names_are_unique_whatever_their_case_and_roles_and_pins_follow_the_rules(tmp_path: Path) -> None:
    book = accounts(tmp_path)
    book.add("Anna", "floor", "1234")
    with pytest.raises(AccountError, match="there is an account Anna already"):
        book.add("ANNA", "manager", "5678")
    with pytest.raises(AccountError, match="role: expected one of floor, returns, manager"):
        book.add("Ben", "boss", "5678")
    for pin in ("123", "abc1234", "١٢٣٤", ""):
        with pytest.raises(AccountError, match="a PIN is 4 to 12 digits, or a password of at least 8 characters"):
            book.add("Ben", "floor", pin)
    with pytest.raises(AccountError, match="a name is 1 to 40 characters"):
        book.add("Ben\x1b[31m", "floor", "1234")
    book.add("Ben", "returns", "correct horse")  # a password of 8+ characters
    assert [(a.name, a.role) for a in book.all()] == [("Anna", "floor"), ("Ben", "returns")]
    assert book.sign_in("anna", "1234", T0).name == "Anna"  # signed in whatever the case typed


def test_wrong_pins_in_a_row_lock_the_account_even_for_the_right_pin_until_unlocked(tmp_path: Path) -> None:
    book = accounts(tmp_path, failures=3, minutes=15)
    book.add("Anna", "floor", "1234")
    for _ in range(2):
        with pytest.raises(SignInRefused) as wrong:
            book.sign_in("Anna", "0000", T0)
        assert (wrong.value.status, wrong.value.words) == (401, "wrong name or PIN")
    with pytest.raises(SignInRefused) as locked:
        book.sign_in("Anna", "0000", T0)
    assert (locked.value.status, locked.value.words) == (429, "locked for 15 minutes after too many wrong PINs")
    with pytest.raises(SignInRefused) as still:
        book.sign_in("Anna", "1234", T0 + timedelta(minutes=10))
    assert (still.value.status, still.value.words) == (429, "locked for 5 minutes after too many wrong PINs")
    assert book.sign_in("Anna", "1234", T0 + timedelta(minutes=15)).failures == 0  # the lock ended by itself
    for _ in range(3):
        with pytest.raises(SignInRefused):
            book.sign_in("Anna", "9999", T0 + timedelta(minutes=16))
    book.unlock("anna")
    assert book.sign_in("Anna", "1234", T0 + timedelta(minutes=16)).name == "Anna"


def test_a_good_pin_resets_the_count_and_an_unknown_name_is_a_wrong_pin(tmp_path: Path) -> None:
    book = accounts(tmp_path, failures=3)
    book.add("Anna", "floor", "1234")
    for _ in range(2):
        with pytest.raises(SignInRefused):
            book.sign_in("Anna", "0000", T0)
    book.sign_in("Anna", "1234", T0)
    for _ in range(2):
        with pytest.raises(SignInRefused, match="wrong name or PIN"):
            book.sign_in("Anna", "0000", T0)  # not locked: the count started again
    with pytest.raises(SignInRefused) as unknown:
        book.sign_in("Nobody", "1234", T0)
    assert (unknown.value.status, unknown.value.words) == (401, "wrong name or PIN")


def test_a_change_by_another_process_is_seen_and_a_new_pin_or_removal_ends_the_stamp(tmp_path: Path) -> None:
    service, manager = accounts(tmp_path), accounts(tmp_path)  # the service, and the `accounts` command
    anna = manager.add("Anna", "floor", "1234")
    assert service.current("Anna", anna.stamp) == anna
    renewed = manager.set_pin("Anna", "5678")
    assert service.current("Anna", anna.stamp) is None  # a session made under the old PIN is over
    assert service.current("Anna", renewed.stamp) is not None
    with pytest.raises(SignInRefused):
        service.sign_in("Anna", "1234", T0)
    manager.remove("Anna")
    assert service.current("Anna", renewed.stamp) is None
    with pytest.raises(AccountError, match="no account 'Anna'"):
        manager.remove("Anna")


def test_sessions_keep_only_the_sha256_and_survive_a_restart(tmp_path: Path) -> None:
    sessions = Sessions(tmp_path, hours=12)
    session_id = sessions.start("Anna", "stamp1", T0)
    assert len(session_id) >= 43  # 256 random bits
    text = (tmp_path / "sessions.json").read_text()
    assert session_id not in text and digest(session_id) in text
    again = Sessions(tmp_path, hours=12)  # the service started again
    found = again.find(session_id, T0 + timedelta(hours=1))
    assert found is not None and (found.name, found.stamp) == ("Anna", "stamp1")
    assert again.find("made-up", T0) is None and again.find(None, T0) is None


def test_a_session_lives_from_its_last_use_and_last_uses_are_written_in_batches(tmp_path: Path) -> None:
    sessions = Sessions(tmp_path, hours=2)
    session_id = sessions.start("Anna", "s", T0)
    written = (tmp_path / "sessions.json").stat().st_mtime_ns
    for minutes in range(0, 110, 10):  # in use every ten minutes: past the two hours from its start
        assert sessions.find(session_id, T0 + timedelta(minutes=minutes)) is not None
    assert (tmp_path / "sessions.json").stat().st_mtime_ns == written  # no write per request
    sessions.flush(T0 + timedelta(minutes=100))
    after_restart = Sessions(tmp_path, hours=2)
    assert after_restart.find(session_id, T0 + timedelta(minutes=215)) is not None  # 2 h after the last use, less
    assert after_restart.find(session_id, T0 + timedelta(minutes=215 + 121)) is None


def test_signing_out_ends_the_session_on_disk_at_once(tmp_path: Path) -> None:
    sessions = Sessions(tmp_path)
    session_id = sessions.start("Anna", "s", T0)
    assert sessions.end(session_id) is not None
    assert Sessions(tmp_path).find(session_id, T0) is None


def test_a_damaged_sessions_file_signs_everyone_out_and_nothing_else(tmp_path: Path) -> None:
    (tmp_path / "sessions.json").write_text("{not json")
    sessions = Sessions(tmp_path)
    assert sessions.live(T0) == []
    assert sessions.find(sessions.start("Anna", "s", T0), T0) is not None


def test_the_throttle_holds_an_address_back_for_a_minute_after_too_many_hits() -> None:
    throttle = Throttle(limit=10, window=60)
    assert not any(throttle.hit("10.0.0.9", 100 + n) for n in range(9))
    assert not throttle.held("10.0.0.9", 109)
    assert throttle.hit("10.0.0.9", 110)  # the tenth within the minute: held back from now on
    assert throttle.held("10.0.0.9", 120) and not throttle.held("10.0.0.8", 120)
    assert not throttle.held("10.0.0.9", 160.5)  # the first hit has left the window
