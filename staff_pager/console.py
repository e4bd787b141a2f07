"""The console pager: a terminal front for staff (tmux, pipes, scripts).

Commands on stdin (`claim <ticket>`, `resolve <ticket> [outcome]`,
`handover <ticket> <colleague>`, `release <ticket>`, `outcomes <ticket>`,
`list`, `shift`, `quit`), one keyword-first event per line on stdout: the
board's notices, `handed` when a request is handed over, `sound new|escalated
<ticket>` when the window would sound (core/sounds.py), `shift …` when someone
comes on or goes off shift; a manager's also gets today's figures (`figures …`)
and the rule alerts (`rule-alert …`). The start-of-shift self test prints
`selftest <kiosk> …`: the person answers it with `ack` (`ack <kiosk>` for one
kiosk's) within its time, or the kiosk names them; a manager's pager gets each
kiosk's result (`selftest-result <kiosk> ok|failed …`). A ticket may be `H-001`, `kiosk-1/H-001`
or a request id. Touches stdin/stdout and the pager service.
"""

from __future__ import annotations

import shlex
import sys
import threading
from typing import TextIO

from core.board import Notice
from core.lifecycle import Action
from core.live import LiveFigures, RuleAlert
from core.model import Feedback, Request
from core.outcomes import outcome_words, outcomes_for
from core.roster import OnShift
from core.self_test import SelfTestResult, TestAlert, result_words
from core.sounds import Sound
from shell.loop import Loop
from shell.pager_service import ActionRefused, PagerService
from staff_pager.rows import handed_by

USAGE = (
    "commands: claim <ticket> | resolve <ticket> [outcome] | handover <ticket> <colleague> | release <ticket>"
    " | outcomes <ticket> | list | shift | ack [kiosk] | quit"
)
# The command word for each action sent (`hand_over` is typed as `handover` too).
COMMANDS = {"claim": Action.CLAIM, "resolve": Action.RESOLVE, "release": Action.RELEASE}
HANDOVER_WORDS = ("handover", "hand_over")


def describe(request: Request) -> list[str]:
    """Where the request was made and its details, as `key=value` words quoted for a shell."""
    where = {"kiosk": request.kiosk, "entrance": request.entrance}
    return [f"{key}={shlex.quote(value)}" for key, value in [*where.items(), *sorted(request.details.items())] if value]


class ConsolePager:
    def __init__(self, service: PagerService, loop: Loop, out: TextIO = sys.stdout) -> None:
        self.service = service
        self.loop = loop
        self.out = out
        service.listeners.append(self._notice)
        service.unhappy_listeners.append(self._unhappy)
        service.printer_listeners.append(lambda r: self.say("printer", r.kiosk, r.state.value, shlex.quote(r.detail)))
        service.storage_listeners.append(
            lambda kiosk, ok, why, _at: self.say("storage", kiosk, "resumed" if ok else "unwritable", shlex.quote(why))
        )
        service.figures_listeners.append(self._figures)
        service.rule_alert_listeners.append(self._rule_alert)
        service.sound_listeners.append(self._sound)
        service.roster_listeners.append(self._roster)
        service.self_test_listeners.append(self._self_test)
        service.self_test_result_listeners.append(self._self_test_result)
        self._shift: dict[str, tuple[str, str, bool, str]] = {}  # name -> what the last `shift` line said

    def say(self, *words: str) -> None:
        self.out.write(" ".join(words) + "\n")
        self.out.flush()

    def start_reader(self, stream: TextIO) -> threading.Thread:
        def read() -> None:
            for line in stream:
                self.loop.call_soon(self.handle, line)
            self.loop.call_soon(self.loop.stop)

        thread = threading.Thread(target=read, name="stdin", daemon=True)
        thread.start()
        return thread

    def handle(self, line: str) -> None:
        words = line.strip().split(maxsplit=2)
        if not words:
            return
        command = words[0].lower()
        try:
            if command == "quit":
                self.loop.stop()
            elif command == "list":
                self._list()
            elif command == "shift":
                self._list_shift()
            elif command == "ack":
                for kiosk in self.service.acknowledge_self_test(words[1] if len(words) > 1 else ""):
                    self.say("sent", "ack", kiosk)
            elif command == "outcomes":
                self._outcomes(self._ticket(command, words))
            elif command in COMMANDS:
                outcome = words[2] if COMMANDS[command] is Action.RESOLVE and len(words) > 2 else None
                request = self.service.act(COMMANDS[command], self._ticket(command, words), outcome)
                self.say("sent", command, request.ticket)
            elif command in HANDOVER_WORDS:
                ticket = self._ticket("handover", words)
                if len(words) < 3:
                    raise ActionRefused(f"handover needs a colleague's name, e.g. handover {ticket} Ben")
                colleague = self.service.colleague(words[2])
                request = self.service.act(Action.HANDOVER, ticket, to=colleague)
                self.say("sent", "handover", request.ticket, shlex.quote(colleague))
            else:
                raise ActionRefused(f"unknown command {command!r}; {USAGE}")
        except ActionRefused as exc:
            self.say("error", str(exc))

    @staticmethod
    def _ticket(command: str, words: list[str]) -> str:
        if len(words) < 2:
            raise ActionRefused(f"{command} needs a ticket number, e.g. {command} H-001")
        return words[1]

    def _outcomes(self, ticket: str) -> None:
        """How the request can end (core/outcomes.py): `resolve <ticket> <code>` sends one."""
        request = self.service.board.find(ticket)
        if request is None:
            raise ActionRefused(f"no open request {ticket}")
        for code in outcomes_for(request.kind):
            self.say("outcome", request.ticket, code, shlex.quote(outcome_words(code)))

    def _list_shift(self) -> None:
        on_shift = self.service.roster.on_shift()
        for person in on_shift:
            self.say("onshift", *shift_words(person))
        self.say("onshift-listed", str(len(on_shift)))

    def _roster(self, on_shift: list[OnShift]) -> None:
        """A `shift` line for each person whose line changed; `gone` once their device is forgotten."""
        now = {p.name: (p.name, p.role, p.online, p.on) for p in on_shift}
        for person in on_shift:
            if self._shift.get(person.name) != now[person.name]:
                self.say("shift", *shift_words(person))
        for name, (_, role, _online, on) in self._shift.items():
            if name not in now:
                self.say("shift", shlex.quote(name), role, "gone", on)
        self._shift = now

    def _self_test(self, alert: TestAlert) -> None:
        seconds = max(0, int((alert.deadline - self.service.clock.now()).total_seconds()))
        self.say("selftest", alert.kiosk, f"test={alert.test_id}", f"answer_within={seconds}s", "type: ack")

    def _self_test_result(self, result: SelfTestResult) -> None:
        self.say("selftest-result", result.kiosk, *result_words(result))

    def _sound(self, sound: Sound, notice: Notice) -> None:
        self.say("sound", sound.name, notice.request.ticket)

    def _list(self) -> None:
        requests = self.service.board.open_requests()
        for request in requests:
            holder = request.claimed_by or "-"
            waited = self.service.waiting_seconds(request)
            self.say(
                "request",
                request.ticket,
                request.kind.value,
                request.status.value,
                f"{waited}s",
                shlex.quote(holder),
                *describe(request),
            )
        self.say("listed", str(len(requests)))

    def _notice(self, notice: Notice) -> None:
        request = notice.request
        if notice.kind == "new":
            waited = self.service.waiting_seconds(request)
            self.say("new", request.ticket, request.kind.value, f"{waited}s", *describe(request))
        elif notice.kind == "claimed":
            self.say("claimed", request.ticket)
        elif notice.kind == "taken":
            self.say("taken", request.ticket, shlex.quote(notice.by or "-"))
        elif notice.kind == "escalated":
            waited = self.service.waiting_seconds(request)
            self.say("escalated", request.ticket, f"level={request.escalation}", f"{waited}s", *describe(request))
        elif notice.kind == "closed":
            outcome = [f"outcome={shlex.quote(request.outcome)}"] if request.outcome else []
            self.say("closed", request.ticket, request.status.value, shlex.quote(request.claimed_by or "-"), *outcome)
        elif (giver := handed_by(notice)) is not None:
            mine = ["yours"] if request.claimed_by == self.service.board.staff else []
            self.say("handed", request.ticket, f"from={shlex.quote(giver)}",
                     f"to={shlex.quote(request.claimed_by or '-')}", *mine)  # fmt: skip
        else:
            self.say("changed", request.ticket, request.status.value, shlex.quote(request.claimed_by or "-"))

    def _unhappy(self, feedback: Feedback) -> None:
        self.say(
            "unhappy",
            feedback.kiosk,
            f"rating={feedback.rating}",
            f"contact={shlex.quote(feedback.contact)}",
            f"reasons={shlex.quote(','.join(feedback.reasons))}",
            f"comment={shlex.quote(feedback.comment)}",
        )

    def _figures(self, figures: LiveFigures | None) -> None:
        if figures is None:
            self.say("figures", "none")
            return
        self.say(*figures_words(figures))

    def _rule_alert(self, alert: RuleAlert) -> None:
        self.say(
            "rule-alert", alert.rule, f"hits={alert.hits}", f"total={alert.total}", f"minutes={alert.minutes}",
            f"value={alert.value:g}", f"threshold={alert.threshold:g}",
        )  # fmt: skip


def shift_words(person: OnShift) -> list[str]:
    """`<name> <role> online|offline <pager|phone|pager+phone>`"""
    return [shlex.quote(person.name), person.role, "online" if person.online else "offline", person.on]


def figures_words(figures: LiveFigures) -> list[str]:
    """The `figures` line: today's figures as the store server counted them at `at`; `-` where there are none."""

    def shown(value: float | None) -> str:
        return "-" if value is None else f"{value:g}"

    return [
        "figures", f"day={figures.day.isoformat()}", f"waiting={figures.waiting}",
        f"longest={shown(figures.longest_wait)}", f"service_level={shown(figures.service_level)}",
        f"in_time={figures.within_target}", f"due={figures.due}", f"satisfaction={shown(figures.satisfaction)}",
        f"responses={figures.responses}", f"unclaimed={figures.unclaimed}", f"abandoned={figures.abandoned}",
        f"requests={figures.requests}", f"at={figures.at.strftime('%Y-%m-%dT%H:%M:%SZ')}",
    ]  # fmt: skip
