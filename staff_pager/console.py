"""The console pager: a terminal front for staff (tmux, pipes, scripts).

Commands on stdin (`claim <ticket>`, `resolve <ticket> [outcome]`,
`release <ticket>`, `list`, `quit`), one keyword-first event per line on
stdout. Touches stdin/stdout and the pager service.
"""

from __future__ import annotations

import shlex
import sys
import threading
from typing import TextIO

from core.board import Notice
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
