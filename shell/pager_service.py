"""The staff pager's shell: keeps the board and the roster, sends staff actions.

Touches only the transport and clock ports. Like the kiosk service, every call
must come from the front's one thread. Every front (the Kivy window, the
console) gets the same notices, sounds (core/sounds.py) and roster
(core/roster.py) from here, so they agree with each other and with the web pager.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from core import wire
from core.board import Board, Notice
from core.lifecycle import STAFF_ACTIONS, Action, Refusal, Role, refusal
from core.live import LiveFigures, RuleAlert
from core.live_wire import decode_figures, decode_rule_alert
from core.model import NAME_MAX, Feedback, Request
from core.roster import OnShift, Roster
from core.self_test import SelfTestError, SelfTestResult, TestAlert, decode_result, decode_test_alert, encode_ack
from core.sounds import Sound, sound_for
from core.text import clean_text
from shell.ports import Clock, Transport

log = logging.getLogger(__name__)

NoticeListener = Callable[[Notice], None]
UnhappyListener = Callable[[Feedback], None]
SoundListener = Callable[[Sound, Notice], None]
RosterListener = Callable[[list[OnShift]], None]


class ActionRefused(Exception):
    """A staff command that cannot be sent, with the reason to show."""


class PagerService:
    def __init__(
        self,
        *,
        board: Board,
        store_id: str,
        transport: Transport,
        clock: Clock,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex[:16],
        device_id: str = "",
    ) -> None:
        """`device_id`: this pager's, the level its self test acknowledgements are sent under
        (the transport's client id when not given: the same id)."""
        self.device_id = device_id or str(getattr(transport, "client_id", ""))
        self.board = board
        self.store_id = store_id
        self.transport = transport
        self.clock = clock
        self.new_id = new_id
        self.listeners: list[NoticeListener] = []
        self.unhappy_listeners: list[UnhappyListener] = []  # managers only
        self.printers: dict[str, wire.PrinterReport] = {}  # each kiosk's printer, as it last said
        self.printer_listeners: list[Callable[[wire.PrinterReport], None]] = []
        self.figures: LiveFigures | None = None  # today's, as the store server last published them: managers only
        self.figures_listeners: list[Callable[[LiveFigures | None], None]] = []
        self.rule_alert_listeners: list[Callable[[RuleAlert], None]] = []
        # A notice that sounds (core/sounds.py): a new request, an escalation.
        self.sound_listeners: list[SoundListener] = []
        # Who is on shift, from the devices' retained presence; told the whole list on every change.
        self.roster = Roster()
        self.roster_listeners: list[RosterListener] = []
        self.rejected: Counter[str] = Counter()
        # Self tests (core/self_test.py) waiting for this pager's person to acknowledge, by kiosk.
        self.self_tests: dict[str, TestAlert] = {}
        self.self_test_listeners: list[Callable[[TestAlert], None]] = []
        self.self_test_result_listeners: list[Callable[[SelfTestResult], None]] = []  # managers only
        # (kiosk, writable, detail, at): a kiosk whose storage cannot be written sends shoppers to the desk.
        self.storage_listeners: list[Callable[[str, bool, str, datetime], None]] = []

    def subscriptions(self) -> list[str]:
        return self.topics(self.store_id, self.board.role)

    @staticmethod
    def topics(store_id: str, role: str) -> list[str]:
        """Every pager follows request states, kiosk printers and the devices'
        presence (who is on shift); managers also unhappy shoppers who want a
        call (their contact details: managers only), and today's figures and
        the rule alerts from the store server."""
        topics = [wire.all_states(store_id), wire.all_printers(store_id), wire.all_devices(store_id)]
        topics.append(wire.all_selftests(store_id))  # the start-of-shift test alerts
        topics.append(wire.alert_topic(store_id, "+"))  # a kiosk whose storage cannot be written
        if role == Role.MANAGER:
            topics += [wire.all_unhappy(store_id), wire.all_for_managers(store_id)]
            topics.append(wire.all_selftest_results(store_id))
        return topics

    def waiting_seconds(self, request: Request, now: datetime | None = None) -> int:
        moment = now or self.clock.now()
        return max(0, int((moment - request.created_at).total_seconds()))

    # -- staff commands -----------------------------------------------------

    def act(self, action: str, ticket: str, outcome: str | None = None, to: str | None = None) -> Request:
        """Ask the owning kiosk to claim, release, resolve or hand over (to the
        colleague `to`) the request a ticket number, kiosk/ticket or id names;
        raise ActionRefused."""
        if action not in STAFF_ACTIONS:
            raise ActionRefused(f"unknown action {action!r}")
        found = [r for r in self.board.matching(ticket) if not r.status.is_final]
        if not found:
            raise ActionRefused(f"no open request {ticket}")
        if len(found) > 1:
            where = " and ".join(f"{r.kiosk}/{r.ticket}" for r in found)
            raise ActionRefused(f"{ticket} is open at more than one kiosk ({where}): say which")
        request = found[0]
        me = self.board.staff
        colleague = self.colleague(to) if action == Action.HANDOVER else None
        # The desk's own rule (core/lifecycle.py), asked before sending, in words for the person.
        refused = refusal(request, Action(action), me, colleague)
        if refused is Refusal.TAKEN:
            mine = request.claimed_by == me
            raise ActionRefused(
                f"you already have {request.ticket}" if mine else f"{request.ticket} is taken by {request.claimed_by}"
            )
        if refused is Refusal.NOT_HOLDER:
            raise ActionRefused(f"{request.ticket} is held by {request.claimed_by}")
        if refused is Refusal.NO_COLLEAGUE:
            yourself = bool(colleague) and colleague.strip().casefold() == me.casefold()
            raise ActionRefused(
                f"{request.ticket} is yours already: hand it over to a colleague"
                if yourself
                else f"hand {request.ticket} over to a named colleague"
            )
        if refused is not None:
            raise ActionRefused(f"{request.ticket} is not claimed")
        if colleague is not None:
            self._check_on_shift(colleague, request)
        message = self.board.ask(action, request, self.new_id(), outcome)
        if colleague is not None:
            message = replace(message, to=colleague)
        topic = wire.action_topic(self.store_id, request.kiosk, request.id)
        self.transport.publish(topic, wire.encode_action(message))
        return request

    def acknowledge_self_test(self, kiosk: str = "") -> list[str]:
        """The person acknowledges the self test alert of `kiosk` ("": every one waiting);
        the kiosks told, or ActionRefused when none waits."""
        now = self.clock.now()
        for late in [k for k, alert in self.self_tests.items() if alert.deadline < now]:
            del self.self_tests[late]  # its kiosk has its result already
        waiting = [k for k in self.self_tests if not kiosk or k == kiosk]
        if not waiting:
            raise ActionRefused(f"no self test waiting{' from ' + kiosk if kiosk else ''}")
        for name in waiting:
            alert = self.self_tests.pop(name)
            topic = wire.selftest_ack_topic(self.store_id, name, self.device_id)
            self.transport.publish(topic, encode_ack(alert.test_id, self.device_id, self.board.staff, now))
        return waiting

    def colleague(self, to: str | None) -> str:
        """The name a hand over goes to, as the roster spells it (`ben` is Ben):
        the colleague's pager knows a request as theirs by its exact name."""
        name = clean_text(to or "", NAME_MAX)
        for person in self.roster.on_shift():
            if person.name.casefold() == name.casefold():
                return person.name
        return name

    def _check_on_shift(self, colleague: str, request: Request) -> None:
        # Hand over only to someone whose pager or phone is on (core/roster.py
        # colleagues): a request handed to a name nobody carries would wait unseen.
        online = self.roster.colleagues(self.board.staff)
        if colleague in online:
            return
        if not online:
            raise ActionRefused(f"{colleague} is not on shift, nor is anyone else: {request.ticket} stays yours")
        raise ActionRefused(f"{colleague} is not on shift: hand {request.ticket} over to {' or '.join(online)}")

    # -- from the broker ----------------------------------------------------

    def on_message(self, topic: str, payload: bytes) -> None:
        try:
            kind, ids = wire.parse_topic(self.store_id, topic)
            if kind == "unhappy":
                self._alert(payload)
                return
            if kind == "printers":
                self._printer(ids["device"], payload)
                return
            if kind in ("figures", "rule_alert"):
                self._for_managers(kind, payload)
                return
            if kind == "devices":
                self._presence(ids["device"], payload)
                return
            if kind in ("selftest", "selftest_result"):
                self._self_test(kind, ids["kiosk"], payload)
                return
            if kind == "alerts":
                # Escalations and printer trouble arrive as states and printer reports too; only a
                # kiosk's storage alert is news here.
                try:
                    said = wire.decode_storage_alert(payload)
                except wire.WireError as exc:
                    if str(exc).startswith("kind:"):
                        return  # another kind of alert
                    raise
                for storage_listener in list(self.storage_listeners):
                    storage_listener(*said)
                return
            if kind != "state":
                raise wire.WireError(f"not a request state: {topic}")
            if not payload:
                # An empty retained message clears a request from the broker.
                self.board.forget(ids["request_id"])
                return
            state = wire.decode_request(payload)
            if state.id != ids["request_id"] or state.kiosk != ids["kiosk"]:
                raise wire.WireError("payload id or kiosk does not match its topic")
        except wire.WireError as exc:
            self.rejected[str(exc).split(":")[0]] += 1
            log.warning("rejected message on %s: %s", topic, exc)
            return
        for notice in self.board.apply_state(state):
            for listener in list(self.listeners):
                listener(notice)
            sound = sound_for(notice.kind)
            if sound is not None:
                for sound_listener in list(self.sound_listeners):
                    sound_listener(sound, notice)

    def _presence(self, device: str, payload: bytes) -> None:
        if not payload:  # the retained presence was cleared: that device is gone
            changed = self.roster.forget(device)
        else:
            presence = wire.decode_presence(device, payload)
            changed = self.roster.apply(
                presence.device, presence.role, presence.online, presence.at, presence.name, presence.staff
            )
        if changed:
            on_shift = self.roster.on_shift()
            for listener in list(self.roster_listeners):
                listener(on_shift)

    def _self_test(self, kind: str, kiosk: str, payload: bytes) -> None:
        try:
            if kind == "selftest":
                alert = decode_test_alert(payload)
                if alert.kiosk != kiosk:
                    raise wire.WireError("payload kiosk does not match its topic")
                self.self_tests[kiosk] = alert
                for listener in list(self.self_test_listeners):
                    listener(alert)
            elif payload and self.board.role is Role.MANAGER:
                result = decode_result(payload)
                for result_listener in list(self.self_test_result_listeners):
                    result_listener(result)
        except SelfTestError as exc:
            raise wire.WireError(f"bad self test message: {exc}") from None

    def _printer(self, kiosk: str, payload: bytes) -> None:
        if not payload:  # the retained status was cleared: that kiosk is gone
            self.printers.pop(kiosk, None)
            return
        report = wire.decode_printer(payload)
        if report.kiosk != kiosk:
            raise wire.WireError("payload kiosk does not match its topic")
        self.printers[kiosk] = report
        for listener in list(self.printer_listeners):
            listener(report)

    def _for_managers(self, kind: str, payload: bytes) -> None:
        if self.board.role is not Role.MANAGER:
            return  # the broker does not send these to others; a stray copy is not shown
        if kind == "rule_alert":
            alert = decode_rule_alert(payload)
            for listener in list(self.rule_alert_listeners):
                listener(alert)
            return
        # An empty retained message: the store server cleared today's figures.
        self.figures = decode_figures(payload) if payload else None
        for figures_listener in list(self.figures_listeners):
            figures_listener(self.figures)

    def _alert(self, payload: bytes) -> None:
        # Escalations arrive as request states too; only the unhappy-shopper
        # alert carries something the board does not already know.
        feedback = wire.decode_unhappy(payload)
        if feedback is not None and self.board.role is Role.MANAGER:
            for listener in list(self.unhappy_listeners):
                listener(feedback)
