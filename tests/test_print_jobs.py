"""The print job table: each rule tested by passing numbers for the time."""

from __future__ import annotations

from core.print_jobs import JobState, PrintJobs


def test_a_ticket_goes_queued_sending_printed_and_is_never_queued_again() -> None:
    jobs = PrintJobs()
    assert jobs.queue("r1", now=0.0)
    assert jobs.get("r1").state is JobState.QUEUED and jobs.get("r1").state.printing  # type: ignore[union-attr]
    assert not jobs.queue("r1", now=0.1), "a doubled tap queues nothing"
    assert jobs.send("r1", now=1.0) is None
    assert not jobs.queue("r1", now=1.1), "nor while it is being sent"
    jobs.finish("r1", None)
    assert jobs.get("r1").state is JobState.PRINTED  # type: ignore[union-attr]
    assert not jobs.queue("r1", now=2.0), "a printed ticket is never printed again"


def test_a_failed_ticket_may_be_queued_again_and_says_why_it_failed() -> None:
    jobs = PrintJobs()
    jobs.queue("r1", now=0.0)
    jobs.send("r1", now=0.5)
    jobs.finish("r1", "printer out of paper")
    job = jobs.get("r1")
    assert job is not None and job.state is JobState.FAILED and job.error == "printer out of paper"
    assert jobs.last_error == "printer out of paper"
    assert jobs.queue("r1", now=10.0), "Print again"
    assert jobs.get("r1").error is None  # type: ignore[union-attr]


def test_a_ticket_whose_turn_comes_too_late_is_not_sent() -> None:
    jobs = PrintJobs(max_age=60.0)
    jobs.queue("r1", now=0.0)
    jobs.queue("r2", now=30.0)
    assert jobs.send("r1", now=61.0) == "not printed: the printer was busy for 61 s"
    assert jobs.get("r1").state is JobState.FAILED  # type: ignore[union-attr]
    assert jobs.send("r2", now=61.0) is None, "r2 waited only 31 s"


def test_a_forgotten_job_is_not_sent_and_its_late_answer_changes_nothing() -> None:
    jobs = PrintJobs()
    jobs.queue("r1", now=0.0)
    jobs.forget("r1")
    assert jobs.send("r1", now=1.0) == "not printed: the request has ended"
    jobs.finish("r1", None)
    assert jobs.get("r1") is None
