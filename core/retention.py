"""What is forgotten after the retention period, and what is kept.

Pure: no I/O. Shoppers' free text (notes, comments), contact details and
receipt numbers, and staff's free-text outcomes are personal data: after the
configured period they are removed from the stored logs. Everything counted in
reports stays: ticket, type, times, staff name, rating, the reasons chosen.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from core.model import Feedback, LogEntry

FREE_TEXT_DETAILS = frozenset({"note", "receipt", "contact", "comment"})


def cutoff(today: date, days: int) -> date:
    """Records from days before this one lose their free text."""
    return today - timedelta(days=days)


def entry_without_free_text(entry: LogEntry) -> LogEntry:
    details = {k: v for k, v in entry.details.items() if k not in FREE_TEXT_DETAILS}
    return replace(entry, details=details, outcome=None)


def feedback_without_free_text(feedback: Feedback) -> Feedback:
    return replace(feedback, comment="", contact="")
