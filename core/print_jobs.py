"""One ticket's way to paper, per request: queued → sending → printed | failed.

Pure: standard library only, no I/O, no clock: every call that needs the time
takes `now` (seconds on a monotonic clock), so the rules are tested by passing
numbers.

Rules
-----
1. A request's ticket is printed at most once: it cannot be queued again
   while it waits, while it is being sent, or once it printed (a doubled tap
   on *Print again* queues nothing).
2. A ticket that failed may be queued again (the shopper's *Print again*).
3. A ticket whose turn comes more than `max_age` seconds after it was queued
   is not sent: it fails as "busy". After a refill the printer must not pour
   out tickets for shoppers long gone.
4. Once a request has ended, its job is forgotten: nothing is printed for it.
Staff test tickets are not requests and are not kept here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum


class JobState(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    PRINTED = "printed"
    FAILED = "failed"

    @property
    def printing(self) -> bool:
        """On its way: the screen says "Printing your ticket…"."""
        return self in (JobState.QUEUED, JobState.SENDING)


# (from, step) -> to. `None`: no job yet.
TRANSITIONS: dict[tuple[JobState | None, str], JobState] = {
    (None, "queue"): JobState.QUEUED,
    (JobState.FAILED, "queue"): JobState.QUEUED,  # rule 2
    (JobState.QUEUED, "send"): JobState.SENDING,
    (JobState.QUEUED, "expire"): JobState.FAILED,  # rule 3
    (JobState.SENDING, "printed"): JobState.PRINTED,
    (JobState.SENDING, "fail"): JobState.FAILED,
}


@dataclass(frozen=True)
class Job:
    request_id: str
    state: JobState
    queued_at: float  # monotonic seconds
    error: str | None = None  # why it failed, in words for the shopper's screen and staff


class PrintJobs:
    def __init__(self, max_age: float = 60.0) -> None:
        self.max_age = max_age
        self._jobs: dict[str, Job] = {}
        self.last_error: str | None = None  # the latest failure, for staff maintenance

    def get(self, request_id: str) -> Job | None:
        return self._jobs.get(request_id)

    def queue(self, request_id: str, now: float) -> bool:
        """Queue the ticket; False (and nothing changes) if rule 1 says no."""
        job = self._jobs.get(request_id)
        to = TRANSITIONS.get((job.state if job else None, "queue"))
        if to is None:
            return False
        self._jobs[request_id] = Job(request_id, to, now)
        return True

    def send(self, request_id: str, now: float) -> str | None:
        """Its turn came: None to send it now, or why it is not sent (rule 3, or forgotten)."""
        job = self._jobs.get(request_id)
        if job is None or job.state is not JobState.QUEUED:
            return "not printed: the request has ended"
        age = now - job.queued_at
        if age > self.max_age:
            self._step(job, "expire", f"not printed: the printer was busy for {age:.0f} s")
            return self._jobs[request_id].error
        self._step(job, "send")
        return None

    def finish(self, request_id: str, error: str | None) -> None:
        """The printer took it (`error` None) or could not."""
        job = self._jobs.get(request_id)
        if job is not None and job.state is JobState.SENDING:
            self._step(job, "printed" if error is None else "fail", error)

    def forget(self, request_id: str) -> None:
        """Rule 4: the request ended."""
        self._jobs.pop(request_id, None)

    def _step(self, job: Job, step: str, error: str | None = None) -> None:
        to = TRANSITIONS[(job.state, step)]
        self._jobs[job.request_id] = replace(job, state=to, error=error)
        if error is not None:
            self.last_error = error
