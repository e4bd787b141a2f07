"""The self test's rules (core/self_test.py): who must answer, the deadline, what the result says;
its payloads round-trip and a bad one is refused; its topics are known (core/topics.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core import self_test, wire
from core.self_test import Check
from tests.test_wire import documented_commands, option

T0 = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
PAGERS = {"pager-anna": "Anna", "pager-ben": "Ben"}


def test_a_pager_that_does_not_acknowledge_in_time_is_named_and_one_that_does_is_not() -> None:
    test = self_test.start("t1", "kiosk-1", T0, PAGERS, answer_seconds=30)
    assert test.get_timer() == T0 + timedelta(seconds=30)
    test = test.acknowledged("pager-anna", "t1", T0 + timedelta(seconds=5))
    test = test.printer_answered(True, "test ticket printed")
    assert not test.finished(T0 + timedelta(seconds=29)), "Ben still has time"
    test = test.acknowledged("pager-ben", "t1", T0 + timedelta(seconds=31))  # too late
    assert test.finished(T0 + timedelta(seconds=30))
    result = test.result(T0 + timedelta(seconds=30))
    assert (result.answered, result.silent, result.ok) == (("Anna",), ("Ben",), False)
    assert result.problems() == ["pager of Ben did not answer"]


def test_acknowledgements_of_another_test_or_from_a_pager_not_asked_change_nothing() -> None:
    test = self_test.start("t1", "kiosk-1", T0, PAGERS)
    assert test.acknowledged("pager-anna", "t0", T0) == test
    assert test.acknowledged("pager-zoe", "t1", T0) == test


def test_it_ends_early_once_everyone_and_the_printer_answered_and_says_what_is_wrong() -> None:
    test = self_test.start("t1", "kiosk-1", T0, PAGERS)
    for device in PAGERS:
        test = test.acknowledged(device, "t1", T0 + timedelta(seconds=2))
    assert not test.finished(T0 + timedelta(seconds=2)), "the printer has not answered yet"
    test = test.printer_answered(False, "test ticket NOT printed: printer out of paper")
    test = test.checked(Check("disk", False, "90 MB free (low)"))
    assert test.finished(T0 + timedelta(seconds=3))
    result = test.result(T0 + timedelta(seconds=3))
    assert not result.ok and result.silent == ()
    assert result.problems() == ["printer: test ticket NOT printed: printer out of paper", "disk: 90 MB free (low)"]
    assert self_test.result_words(result)[:3] == ["failed", "answered=Anna,Ben", "silent=-"]


def test_with_no_pager_signed_in_the_test_does_not_pass() -> None:
    test = self_test.start("t1", "kiosk-1", T0, {}).printer_answered(True, "printed")
    result = test.result(T0)
    assert not result.ok and result.problems() == ["no pager signed in"]


def test_answer_seconds_out_of_range_is_refused() -> None:
    for bad in (0, 601):
        with pytest.raises(ValueError, match="answer_seconds"):
            self_test.start("t1", "kiosk-1", T0, PAGERS, answer_seconds=bad)


def test_payloads_round_trip_and_bad_ones_are_refused() -> None:
    test = self_test.start("t1", "kiosk-1", T0, PAGERS)
    alert = self_test.decode_test_alert(self_test.encode_test_alert(test))
    assert (alert.test_id, alert.kiosk, alert.deadline) == ("t1", "kiosk-1", test.deadline)
    assert self_test.decode_ack(self_test.encode_ack("t1", "pager-anna", "Anna", T0)) == "t1"
    result = test.printer_answered(True, "printed").result(T0 + timedelta(seconds=30))
    assert self_test.decode_result(self_test.encode_result(result)) == result
    for bad in (b"", b"[]", b'{"kiosk": "kiosk-1"}', b"\xff"):
        with pytest.raises(wire.WireError):
            self_test.decode_test_alert(bad)
    with pytest.raises(wire.WireError):
        self_test.decode_result(b'{"test": "t1"}')


def test_the_self_test_topics_are_known_and_others_under_selftest_are_not() -> None:
    assert wire.parse_topic("s1", wire.selftest_topic("s1", "kiosk-1")) == ("selftest", {"kiosk": "kiosk-1"})
    assert wire.parse_topic("s1", wire.selftest_ack_topic("s1", "kiosk-1", "pager-anna")) == (
        "selftest_ack",
        {"kiosk": "kiosk-1", "device": "pager-anna"},
    )
    assert wire.parse_topic("s1", wire.selftest_result_topic("s1", "kiosk-1")) == (
        "selftest_result",
        {"kiosk": "kiosk-1"},
    )
    for bad in ("store/s1/selftest/kiosk-1/other", "store/s1/selftest/kiosk-1/ack/a b", "store/s1/selftest"):
        with pytest.raises(wire.WireError):
            wire.parse_topic("s1", bad)


def test_the_documented_self_test_examples_are_understood() -> None:
    commands = documented_commands()
    kinds = {}
    for args in commands:
        kind, ids = wire.parse_topic("demo-store", option(args, "-t"))
        kinds[kind] = (ids, option(args, "-m").encode(), "-r" in args)
    ids, payload, retained = kinds["selftest"]
    assert self_test.decode_test_alert(payload).kiosk == ids["kiosk"] and not retained
    ids, payload, retained = kinds["selftest_ack"]
    assert self_test.decode_ack(payload) == "5f0c2a9e41d3b7a8" and not retained
    ids, payload, retained = kinds["selftest_result"]
    result = self_test.decode_result(payload)
    assert result.kiosk == ids["kiosk"] and result.silent == ("Ben",) and retained
