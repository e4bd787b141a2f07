"""The pager's board, the pure core: states in, notices out."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from core.board import Board
from core.model import Kind, LocalError, Request, Status

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def request(rid: str, ticket: str, seconds: int = 0, **changes: object) -> Request:
    base = Request(rid, Kind.HELP, ticket, "kiosk-1", T0 + timedelta(seconds=seconds))
    return replace(base, **changes)  # type: ignore[arg-type]


def test_open_requests_are_listed_oldest_first() -> None:
    board = Board("Anna")
    board.apply_state(request("b", "H-002", 5))
    board.apply_state(request("a", "H-001", 1))
    board.apply_state(request("c", "H-003", 9, status=Status.RESOLVED, seq=3))
    assert [r.ticket for r in board.open_requests()] == ["H-001", "H-002"]


def test_a_new_request_gives_a_new_notice_once() -> None:
    board = Board("Anna")
    assert [n.kind for n in board.apply_state(request("a", "H-001"))] == ["new"]
    assert board.apply_state(request("a", "H-001")) == []


def test_an_older_state_arriving_late_is_dropped() -> None:
    board = Board("Anna")
    board.apply_state(request("a", "H-001", seq=3, status=Status.CLAIMED, claimed_by="Bob"))
    assert board.apply_state(request("a", "H-001", seq=2)) == []
    assert board.find("h-001").claimed_by == "Bob"


def test_my_claim_that_wins_says_claimed_and_one_that_loses_names_the_winner() -> None:
    anna, bob = Board("Anna"), Board("Bob")
    for board in (anna, bob):
        board.apply_state(request("a", "H-001"))
    anna.ask("claim", anna.find("H-001"), "x1")
    bob.ask("claim", bob.find("H-001"), "y1")
    state = request("a", "H-001", seq=2, status=Status.CLAIMED, claimed_by="Anna")
    [mine] = anna.apply_state(state)
    [theirs] = bob.apply_state(state)
    assert (mine.kind, theirs.kind, theirs.by) == ("claimed", "taken", "Anna")


def test_a_finished_request_closes_and_leaves_the_list() -> None:
    board = Board("Anna")
    board.apply_state(request("a", "H-001"))
    [notice] = board.apply_state(request("a", "H-001", seq=2, status=Status.RESOLVED, claimed_by="Anna"))
    assert notice.kind == "closed" and board.open_requests() == []


def test_a_pager_needs_a_name_and_known_actions() -> None:
    with pytest.raises(LocalError):
        Board(" \x1b ")
    board = Board("Anna")
    board.apply_state(request("a", "H-001"))
    with pytest.raises(LocalError):
        board.ask("steal", board.find("H-001"), "z")


def test_escalation_calls_everyone_once_then_only_managers() -> None:
    floor, manager = Board("Bob"), Board("Mia", role="manager")
    first = request("r1", "H-001")
    for board in (floor, manager):
        board.apply_state(first)
    level1 = replace(first, seq=2, escalation=1)
    level2 = replace(first, seq=3, escalation=2)
    assert [n.kind for n in floor.apply_state(level1)] == ["escalated"]
    assert [n.kind for n in manager.apply_state(level1)] == ["escalated"]
    assert [n.kind for n in floor.apply_state(level2)] == ["changed"]
    assert [n.kind for n in manager.apply_state(level2)] == ["escalated"]


def test_returns_go_to_returns_staff_and_the_rest_to_the_floor_until_they_wait_too_long() -> None:
    floor, returns, manager = Board("Bob"), Board("Rob", role="returns"), Board("Mia", role="manager")
    back = request("r1", "R-001", kind=Kind.RETURN)
    find = request("f1", "F-001", seconds=10, kind=Kind.FIND)
    for board in (floor, returns, manager):
        board.apply_state(back)
        board.apply_state(find)
    assert [r.ticket for r in floor.open_requests()] == ["F-001"]
    assert [r.ticket for r in returns.open_requests()] == ["R-001"]
    assert [r.ticket for r in manager.open_requests()] == ["R-001", "F-001"]
    # Nobody at the returns desk: past the first limit it is everyone's.
    notices = floor.apply_state(replace(back, seq=2, escalation=1))
    assert [n.kind for n in notices] == ["escalated"]
    assert [r.ticket for r in floor.open_requests()] == ["R-001", "F-001"]
