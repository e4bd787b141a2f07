"""The console pager: a terminal front for staff (tmux, pipes, scripts).

Commands on stdin (`claim <ticket>`, `resolve <ticket> [outcome]`,
`release <ticket>`, `list`, `quit`), one keyword-first event per line on
stdout; a manager's also gets today's figures (`figures …`) and the rule
alerts (`rule-alert …`). Touches stdin/stdout and the pager service.
"""

from __future__ import annotations

import shlex
import sys
import threading
from typing import TextIO

from core.board import Notice
from core.live import LiveFigures, RuleAlert
from core.model import Feedback, Request
from shell.loop import Loop
from shell.pager_service import ActionRefused, PagerService

USAGE = "commands: claim <ticket> | resolve <ticket> [outcome] | release <ticket> | list | quit"


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
        service.figures_listeners.append(self._figures)
        service.rule_alert_listeners.append(self._rule_alert)

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
            elif command in ("claim", "resolve", "release"):
                if len(words) < 2:
                    raise ActionRefused(f"{command} needs a ticket number, e.g. {command} H-001")
                outcome = words[2] if command == "resolve" and len(words) > 2 else None
                request = self.service.act(command, words[1], outcome)
                self.say("sent", command, request.ticket)
            else:
                raise ActionRefused(f"unknown command {command!r}; {USAGE}")
        except ActionRefused as exc:
            self.say("error", str(exc))

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
            self.say("closed", request.ticket, request.status.value, shlex.quote(request.claimed_by or "-"))
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
