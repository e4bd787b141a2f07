"""The pager's rows and notices, the pure part: board and time in, words out."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from core.board import Board, Notice
from core.model import Kind, Request, Status
from staff_pager.rows import notice_words, rows, waited

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def board_with(*requests: Request, me: str = "Anna") -> Board:
    board = Board(me, role="manager")  # sees every type
    for request in requests:
        board.apply_state(request)
    return board


def test_waiting_time_is_minutes_and_seconds_coloured_against_the_target() -> None:
    board = board_with(
        Request("a", Kind.FIND, "F-001", "k", T0, details={"item": "Claw hammer", "aisle": "3", "shelf": "A"}),
        Request("b", Kind.HELP, "H-001", "k", T0 + timedelta(seconds=150), details={"topic": "complaint"}),
        Request("c", Kind.RETURN, "R-001", "k", T0 + timedelta(seconds=230), details={"reason": "Damaged"}),
    )
    shown = rows(board, T0 + timedelta(seconds=245))
    assert [(r.ticket, r.waited, r.urgency) for r in shown] == [
        ("F-001", "4:05", "late"),
        ("H-001", "1:35", "warn"),
        ("R-001", "0:15", "ok"),
    ]
    assert [r.details for r in shown] == ["Claw hammer · aisle 3, shelf A", "Complaint", "Damaged · no receipt"]
    assert waited(-3) == "0:00"


def test_only_the_holder_may_resolve_or_release_and_nobody_claims_a_held_request() -> None:
    open_one = Request("a", Kind.FIND, "F-001", "k", T0)
    mine = replace(open_one, id="b", ticket="F-002", status=Status.CLAIMED, claimed_by="Anna")
    bobs = replace(open_one, id="c", ticket="F-003", status=Status.CLAIMED, claimed_by="Bob")
    shown = {r.ticket: r for r in rows(board_with(open_one, mine, bobs), T0)}
    assert shown["F-001"].actions == ("claim",) and shown["F-001"].holder == ""
    assert shown["F-002"].actions == ("resolve", "hand_over", "release") and shown["F-002"].holder == "You"
    assert shown["F-003"].actions == () and shown["F-003"].holder == "Bob"


def test_notices_say_what_happened_in_a_few_words() -> None:
    request = Request("a", Kind.HELP, "H-001", "k", T0, details={"topic": "question", "note": "Drill?"})
    taken = replace(request, status=Status.CLAIMED, claimed_by="Bob")
    assert notice_words(Notice("new", request)) == "New: H-001 · Help · Product question: Drill?"
    assert notice_words(Notice("taken", taken, "Bob")) == "H-001 was taken by Bob"
    assert notice_words(Notice("claimed", taken, "Anna")) == "You have H-001 — go to the shopper"
    assert notice_words(Notice("escalated", request)) == "Still waiting: H-001 · Help — can you go?"


def test_a_managers_alert_says_where_why_and_how_to_reach_the_shopper() -> None:
    from core.model import Feedback
    from staff_pager.rows import unhappy_words

    feedback = Feedback("f1", "kiosk-2", 1, T0, ("I waited too long",), "nobody came", "+31 6 1234 5678")
    assert unhappy_words(feedback) == (
        'Unhappy shopper at kiosk-2: I waited too long. "nobody came" Contact: +31 6 1234 5678'
    )


def test_each_row_says_where_the_shopper_asked_and_names_the_request_across_kiosks() -> None:
    north = Request("a", Kind.FIND, "F-001", "kiosk-2", T0, entrance="North entrance")
    unnamed = Request("b", Kind.HELP, "F-001", "kiosk-1", T0)
    shown = {r.ref: r for r in rows(board_with(north, unnamed), T0)}
    assert shown["kiosk-2/F-001"].kind == "Find an item · North entrance"
    assert shown["kiosk-1/F-001"].kind == "Help · kiosk-1"
