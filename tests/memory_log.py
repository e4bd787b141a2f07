"""An in-memory event log for service tests that are not about storage."""

from __future__ import annotations

from datetime import date

from core.model import Feedback, LogEntry, Search


class MemoryLog:
    def __init__(self) -> None:
        self.entries: list[LogEntry] = []
        self.feedback: list[Feedback] = []
        self.searches: list[Search] = []

    def append_entry(self, entry: LogEntry) -> None:
        self.entries.append(entry)

    def append_feedback(self, feedback: Feedback) -> None:
        self.feedback.append(feedback)

    def append_search(self, search: Search) -> None:
        self.searches.append(search)

    def entries_between(self, first: date, last: date) -> list[LogEntry]:
        return [e for e in self.entries if first <= e.at.date() <= last]

    def feedback_between(self, first: date, last: date) -> list[Feedback]:
        return [f for f in self.feedback if first <= f.given_at.date() <= last]

    def close(self) -> None:
        pass

    def scrub_free_text_before(self, first_kept: date) -> int:
        self.scrubbed_before = first_kept
        return 0
