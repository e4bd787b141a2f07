"""The start-of-shift self test: its rules and what its result says.

Pure: standard library only, no I/O, no clock (`now` is passed in). The kiosk
sends every pager signed in a test alert; each must be acknowledged within
`answer_seconds` (30 by default), by a person at the pager. The printer's
answer to a test ticket and the box's own checks (broker, storage, disk) are
given as facts. The result names who did not answer and what is wrong.

The payloads (docs/mqtt-api.md "Self test") are encoded here too: the test
alert, a pager's acknowledgement and the result for the managers.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from core.topics import WireError
from core.wire_codec import _dump, _load, iso, parse_time

ANSWER_SECONDS = 30
MAX_ANSWER_SECONDS = 600


class SelfTestError(WireError):
    """A self test payload that does not follow the contract."""


@dataclass(frozen=True)
class Check:
    """One fact about the box: `name` (broker, storage, disk, printer), whether it is fine, and in words."""

    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class SelfTest:
    test_id: str
    kiosk: str
    started_at: datetime
    deadline: datetime
    pagers: tuple[tuple[str, str], ...]  # (device, staff member) of every pager signed in at the start
    answered: frozenset[str] = frozenset()  # devices that acknowledged in time
    checks: tuple[Check, ...] = ()
    printer: Check | None = None  # None until the test ticket has an answer

    def acknowledged(self, device: str, test_id: str, now: datetime) -> SelfTest:
        """A pager's acknowledgement; one for another test, from a pager not asked, or late changes nothing."""
        if test_id != self.test_id or now > self.deadline or device not in dict(self.pagers):
            return self
        return replace(self, answered=self.answered | {device})

    def printer_answered(self, ok: bool, detail: str) -> SelfTest:
        return replace(self, printer=Check("printer", ok, detail))

    def checked(self, check: Check) -> SelfTest:
        return replace(self, checks=(*(c for c in self.checks if c.name != check.name), check))

    def finished(self, now: datetime) -> bool:
        """Over at the deadline, or sooner once every pager and the printer have answered."""
        everyone = all(device in self.answered for device, _name in self.pagers)
        return now >= self.deadline or (everyone and self.printer is not None)

    def get_timer(self) -> datetime:
        return self.deadline

    def result(self, now: datetime) -> SelfTestResult:
        silent = tuple(name for device, name in self.pagers if device not in self.answered)
        printer = self.printer or Check("printer", False, "no answer to the test ticket")
        checks = (printer, *self.checks)
        return SelfTestResult(
            test_id=self.test_id,
            kiosk=self.kiosk,
            at=now,
            answered=tuple(name for device, name in self.pagers if device in self.answered),
            silent=silent,
            checks=checks,
            ok=not silent and bool(self.pagers) and all(c.ok for c in checks),
        )


@dataclass(frozen=True)
class SelfTestResult:
    test_id: str
    kiosk: str
    at: datetime
    answered: tuple[str, ...]  # staff whose pager acknowledged
    silent: tuple[str, ...]  # staff whose pager did not acknowledge in time
    checks: tuple[Check, ...]
    ok: bool  # every pager answered (and there was one), every check passed

    def problems(self) -> list[str]:
        """What staff must see to, in words, first the pagers."""
        words = [f"pager of {name} did not answer" for name in self.silent]
        if not self.answered and not self.silent:
            words.append("no pager signed in")
        return words + [f"{c.name}: {c.detail}" for c in self.checks if not c.ok]


def result_words(result: SelfTestResult) -> list[str]:
    """The result as a line's words: `ok|failed answered=<names> silent=<names> <check>=ok|'<what is wrong>' …`."""
    words = ["ok" if result.ok else "failed"]
    words += [f"answered={shlex.quote(','.join(result.answered) or '-')}"]
    words += [f"silent={shlex.quote(','.join(result.silent) or '-')}"]
    return words + [f"{c.name}={'ok' if c.ok else shlex.quote(c.detail)}" for c in result.checks]


def start(
    test_id: str,
    kiosk: str,
    now: datetime,
    pagers: dict[str, str],
    answer_seconds: int = ANSWER_SECONDS,
) -> SelfTest:
    """A self test of `pagers` (device -> staff member signed in on it)."""
    if not 1 <= answer_seconds <= MAX_ANSWER_SECONDS:
        raise ValueError(f"answer_seconds: expected 1 to {MAX_ANSWER_SECONDS}, got {answer_seconds}")
    deadline = now + timedelta(seconds=answer_seconds)
    return SelfTest(test_id, kiosk, now, deadline, tuple(sorted(pagers.items())))


def disk_check(free_bytes: int, needed_bytes: int) -> Check:
    mb = free_bytes // 1_000_000
    return Check("disk", free_bytes >= needed_bytes, f"{mb} MB free" + ("" if free_bytes >= needed_bytes else " (low)"))


# -- payloads -------------------------------------------------------------------


def _stamp(at: datetime) -> str:
    return str(iso(at))


def _time(value: Any, key: str) -> datetime:
    return parse_time(value, key)  # type: ignore[return-value]


def encode_test_alert(test: SelfTest) -> bytes:
    body = {"test": test.test_id, "kiosk": test.kiosk, "at": _stamp(test.started_at), "deadline": _stamp(test.deadline)}
    return _dump(body)


@dataclass(frozen=True)
class TestAlert:
    test_id: str
    kiosk: str
    deadline: datetime


def decode_test_alert(payload: bytes) -> TestAlert:
    body = _load(payload)
    if not isinstance(body.get("test"), str) or not isinstance(body.get("kiosk"), str):
        raise SelfTestError("a test alert needs test and kiosk")
    return TestAlert(body["test"], body["kiosk"], _time(body.get("deadline"), "deadline"))


def encode_ack(test_id: str, device: str, staff: str, at: datetime) -> bytes:
    return _dump({"test": test_id, "device": device, "staff": staff, "at": _stamp(at)})


def decode_ack(payload: bytes) -> str:
    """The test id acknowledged."""
    body = _load(payload)
    if not isinstance(body.get("test"), str):
        raise SelfTestError("an acknowledgement needs test")
    return body["test"]


def encode_result(result: SelfTestResult) -> bytes:
    body = {
        "test": result.test_id,
        "kiosk": result.kiosk,
        "at": _stamp(result.at),
        "ok": result.ok,
        "answered": list(result.answered),
        "silent": list(result.silent),
        "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in result.checks],
    }
    return _dump(body)


def decode_result(payload: bytes) -> SelfTestResult:
    body = _load(payload)
    try:
        checks = tuple(Check(str(c["name"]), bool(c["ok"]), str(c["detail"])) for c in body["checks"])
        return SelfTestResult(
            str(body["test"]),
            str(body["kiosk"]),
            _time(body["at"], "at"),
            tuple(map(str, body["answered"])),
            tuple(map(str, body["silent"])),
            checks,
            bool(body["ok"]),
        )
    except (KeyError, TypeError):
        raise SelfTestError("a result needs test, kiosk, at, ok, answered, silent and checks") from None
