"""The kiosk's side of the start-of-shift self test (core/self_test.py has the rules).

Sends the test alert to every pager signed in (from the devices' presence),
prints a test ticket, hears the pagers' acknowledgements and its own alert
coming back through the broker (the broker check), probes the data dir
(storage, disk space), and at the end publishes the result for the managers
and tells the front. Touches the transport, the kiosk service's printer and
the data dir (a probe file, its free space). Like the kiosk service, every
call comes from the front's one thread.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from core import self_test, wire
from core.roster import STAFF_ROLES
from core.self_test import Check, SelfTest, SelfTestResult
from shell.watchdog import StorageProbe

if TYPE_CHECKING:
    from shell.kiosk_service import KioskService

log = logging.getLogger(__name__)

DISK_NEEDED = 200_000_000  # bytes free below which the disk check fails: a day's records and logs with room to spare
ResultListener = Callable[[SelfTestResult], None]


class SelfTestRun:
    def __init__(self, service: KioskService, data_dir: Path | None) -> None:
        self.service = service
        self.data_dir = data_dir
        self.pagers: dict[str, str] = {}  # device -> staff member, of the pagers online now
        self.test: SelfTest | None = None
        self.last: SelfTestResult | None = None
        self.listeners: list[ResultListener] = []

    def presence(self, presence: wire.Presence) -> None:
        """A device's presence: a pager online with a staff member signed in must answer the next test."""
        if presence.role in STAFF_ROLES and presence.online and presence.name:
            self.pagers[presence.device] = presence.name
        else:
            self.pagers.pop(presence.device, None)

    def start(self, answer_seconds: int = self_test.ANSWER_SECONDS) -> SelfTest:
        """Start a test (one at a time: a second start while one runs returns the running one)."""
        if self.test is not None:
            return self.test
        service, now = self.service, self.service.clock.now()
        test = self_test.start(service.new_id(), service.kiosk_id, now, dict(self.pagers), answer_seconds)
        self.test = test.checked(Check("broker", False, "the test alert did not come back through the broker"))
        for check in self._box_checks():
            self.test = self.test.checked(check)
        # Expiring with its deadline: a pager that comes back later is not asked a question already closed.
        service.transport.publish(
            wire.selftest_topic(service.store_id, service.kiosk_id),
            self_test.encode_test_alert(test),
            expiry=answer_seconds,
        )
        service.print_test(self._printed)
        log.info("self test %s: %d pagers asked to answer within %ss", test.test_id, len(test.pagers), answer_seconds)
        return self.test

    def _printed(self, words: str) -> None:
        if self.test is not None:
            ok = words.startswith("test ticket printed")
            self.test = self.test.printer_answered(ok, words)
            self.tick()

    def _box_checks(self) -> list[Check]:
        if self.data_dir is None:
            return [Check("storage", False, "no data dir known")]
        trouble = StorageProbe([self.data_dir]).trouble()
        checks = [Check("storage", trouble is None, trouble or "takes writes")]
        try:
            checks.append(self_test.disk_check(shutil.disk_usage(self.data_dir).free, DISK_NEEDED))
        except OSError as exc:
            checks.append(Check("disk", False, f"free space unknown: {exc.strerror or exc}"))
        return checks

    def heard(self, kind: str, ids: dict[str, str], payload: bytes) -> None:
        """Its own test alert back from the broker, or a pager's acknowledgement."""
        if self.test is None or ids.get("kiosk") != self.service.kiosk_id:
            return
        now = self.service.clock.now()
        if kind == "selftest":
            if self_test.decode_test_alert(payload).test_id == self.test.test_id:
                self.test = self.test.checked(Check("broker", True, "the test alert went round the broker"))
        elif kind == "selftest_ack":
            self.test = self.test.acknowledged(ids["device"], self_test.decode_ack(payload), now)
        self.tick()

    def tick(self) -> None:
        """About once a second (and on every answer): finish the test at its deadline, or once all answered."""
        test, now = self.test, self.service.clock.now()
        if test is None or not test.finished(now):
            return
        broker_back = any(c.name == "broker" and c.ok for c in test.checks)
        if not broker_back and now < test.deadline:
            return  # everyone answered but the alert's own copy is still on its way
        self.test, self.last = None, test.result(now)
        service = self.service
        topic = wire.selftest_result_topic(service.store_id, service.kiosk_id)
        service.transport.publish(topic, self_test.encode_result(self.last), retain=True)
        for listener in list(self.listeners):
            listener(self.last)
