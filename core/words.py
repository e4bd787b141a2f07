"""The words people see for the contract's values, in English: one table each.

Pure: no I/O. The kiosk shows these translated (the English words are the
message ids of kiosk/locale's catalogs); pagers, staff maintenance, the
print spool's messages and the export show them as they are.
"""

from __future__ import annotations

from core.model import FACES, Kind, PrinterState

# What the shopper taps on Welcome, and what the ticket and screens call it.
KIND_WORDS = {Kind.FIND: "Find an item", Kind.RETURN: "Return an item", Kind.HELP: "Ask for help"}
# The same, short, on a staff pager's row.
STAFF_KIND_WORDS = {Kind.FIND: "Find an item", Kind.RETURN: "Return", Kind.HELP: "Help"}

# `details.topic` of a help request (docs/mqtt-api.md), and what it is called.
HELP_TOPICS = {"question": "Product question", "complaint": "Complaint", "other": "Something else"}

# The four faces, as the feedback screen labels them (core/model.py FACES: the contract's words).
FACE_WORDS = {rating: face.capitalize() for rating, face in FACES.items()}

# What the ticket printer's state means, for staff.
PRINTER_WORDS = {
    PrinterState.OK: "ready",
    PrinterState.PAPER_LOW: "paper is running low",
    PrinterState.PAPER_OUT: "out of paper",
    PrinterState.COVER_OPEN: "cover open",
    PrinterState.OFFLINE: "offline",
    PrinterState.NOT_ANSWERING: "not answering",
    PrinterState.FAILED: "could not print",
}
