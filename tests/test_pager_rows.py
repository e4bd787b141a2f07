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


def test_a_hand_over_is_told_to_its_new_holder_as_theirs_and_to_others_as_where_it_went() -> None:
    from core.lifecycle import Action
    from staff_pager.rows import handed_by, sending_words

    request = Request("a", Kind.HELP, "H-001", "k", T0, status=Status.CLAIMED, claimed_by="Ben", changed_by="Anna")
    assert Board("Carla").apply_state(request)[0].kind == "changed"  # first seen: someone has it already
    board = Board("Carla")
    board.apply_state(replace(request, claimed_by="Anna", changed_by="Anna"))
    [handed] = board.apply_state(replace(request, seq=2))  # the board tells a hand over as one
    assert handed.kind == "handed" and handed_by(handed) == "Anna"
    assert notice_words(handed, me="Ben") == "Anna handed you H-001 — go to the shopper"
    assert notice_words(handed, me="Carla") == "Anna handed H-001 to Ben"
    claimed_by_ben = replace(request, changed_by="Ben")
    assert handed_by(Notice("changed", claimed_by_ben, "Ben")) is None
    assert notice_words(Notice("changed", claimed_by_ben, "Ben"), me="Carla") == "H-001: Ben is on it"
    released = replace(request, status=Status.OPEN, claimed_by=None)
    assert handed_by(Notice("changed", released)) is None
    assert sending_words(Action.HANDOVER, "H-001", "Ben") == "Handing H-001 over to Ben…"


def test_the_choices_come_from_the_core_outcomes_and_the_colleagues_online() -> None:
    from core.roster import Roster
    from staff_pager.choices import colleague_choices, handover_title, outcome_choices, resolve_title

    request = Request("a", Kind.RETURN, "R-001", "k", T0)
    assert [(c.value, c.words) for c in outcome_choices(request)] == [
        ("refunded", "Refunded"),
        ("exchanged", "Exchanged"),
        ("refused", "Return refused"),
        ("shopper_gone", "Shopper had gone"),
        ("other", "Other"),
    ]
    assert [c.words for c in outcome_choices(request, "nl")][:2] == ["Terugbetaald", "Geruild"]
    assert resolve_title(request) == "Resolve R-001: how did it end?"
    roster = Roster()
    roster.apply("p1", "floor", True, T0, "Anna")
    roster.apply("p2", "returns", True, T0, "Ben")
    roster.apply("p3", "floor", False, T0, "Carla")
    roster.apply("web", "web", True, T0, "", (("Dan", "floor"),))
    assert [c.value for c in colleague_choices(roster, "anna")] == ["Ben", "Dan"]
    assert handover_title(request, colleague_choices(roster, "Anna")) == "Hand R-001 over to"
    assert handover_title(request, []) == "Nobody else is on shift to take R-001"


def test_the_shift_strip_says_who_is_on_where_online_first() -> None:
    from core.roster import Roster
    from staff_pager.choices import shift_chips, shift_summary

    roster = Roster()
    roster.apply("p1", "floor", True, T0, "Anna")
    roster.apply("p3", "returns", False, T0, "Carla")
    roster.apply("web", "web", True, T0, "", (("Ben", "manager"), ("Anna", "floor")))
    chips = shift_chips(roster.on_shift(), "Anna")
    assert [(c.words, c.online, c.me) for c in chips] == [
        ("Anna (you) · floor · pager + phone", True, True),
        ("Ben · manager · phone", True, False),
        ("Carla · returns · offline", False, False),
    ]
    assert shift_summary(roster.on_shift()) == "On shift: 2 online, 1 offline"
    assert shift_summary([]) == "On shift: 0 online"
