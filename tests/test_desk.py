"""The kiosk's desk, the pure core: numbers passed in, effects checked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.desk import TRANSITIONS, Desk
from core.events import (
    CancelRequested,
    FeedbackGiven,
    HelpRequested,
    Ignored,
    PrintTicket,
    Publish,
    StaffActed,
    StatusChanged,
    Store,
)
from core.model import Kind, LocalError, LogEntry, Status

AMS = ZoneInfo("Europe/Amsterdam")
T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def take(desk: Desk, request_id: str, kind: Kind = Kind.HELP, when: float = 0, **details: str) -> list:
    return desk.handle(HelpRequested(request_id, kind, details), at(when))


def act(
    desk: Desk, request_id: str, action: str, staff: str, action_id: str, when: float = 10, outcome: str | None = None
) -> list:
    return desk.handle(StaffActed(request_id, action, staff, action_id, outcome), at(when))


def only(effects: list, kind: type) -> list:
    return [e for e in effects if isinstance(e, kind)]


def test_a_request_is_stored_published_printed_and_shown_in_that_order() -> None:
    desk = Desk("kiosk-1", AMS)
    effects = take(desk, "r1", Kind.HELP, topic="question")
    assert [type(e) for e in effects] == [Store, Publish, PrintTicket, StatusChanged]
    ticket = effects[2].ticket
    assert ticket.number == "H-001" and ticket.place_in_line == 1
    assert effects[0].record.event == "created"
    assert effects[1].message.status is Status.OPEN


def test_ticket_numbers_run_per_type_and_restart_each_local_day() -> None:
    desk = Desk("kiosk-1", AMS)
    numbers = [
        only(take(desk, f"r{i}", kind, when=i), PrintTicket)[0].ticket.number
        for i, kind in enumerate([Kind.FIND, Kind.RETURN, Kind.FIND, Kind.HELP])
    ]
    assert numbers == ["F-001", "R-001", "F-002", "H-001"]
    for i in range(4):
        act(desk, f"r{i}", "resolve", "Anna", f"a{i}")
    # 23:30 UTC on the 24th is already the 25th in Amsterdam.
    late = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)
    effects = desk.handle(HelpRequested("r9", Kind.FIND, {}), late)
    assert only(effects, PrintTicket)[0].ticket.number == "F-001"


def test_a_new_day_skips_numbers_still_held_by_requests_left_open() -> None:
    desk = Desk("kiosk-1", AMS)
    take(desk, "r1", Kind.FIND)  # F-001, still claimed at midnight
    act(desk, "r1", "claim", "Anna", "a1")
    take(desk, "r2", Kind.FIND, when=1)  # F-002, resolved
    act(desk, "r2", "resolve", "Anna", "a2")
    take(desk, "r3", Kind.FIND, when=2)  # F-003, still open (sent to the service desk, say)
    next_day = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)
    numbers = [
        only(desk.handle(HelpRequested(f"n{i}", Kind.FIND, {}), next_day + timedelta(seconds=i)), PrintTicket)[
            0
        ].ticket.number
        for i in range(3)
    ]
    assert numbers == ["F-002", "F-004", "F-005"]
    open_numbers = [r.ticket for r in desk.open_requests()]
    assert len(open_numbers) == len(set(open_numbers))


def test_numbers_continue_after_a_restart_from_the_stored_log() -> None:
    desk = Desk("kiosk-1", AMS)
    stored = []
    for i in range(3):
        stored += [e.record for e in take(desk, f"r{i}", Kind.RETURN, when=i) if isinstance(e, Store)]
    stored += [e.record for e in act(desk, "r0", "claim", "Anna", "a1") if isinstance(e, Store)]
    again = Desk.restore("kiosk-1", AMS, stored)
    effects = take(again, "r3", Kind.RETURN, when=20)
    assert only(effects, PrintTicket)[0].ticket.number == "R-004"
    assert again.request("r0").claimed_by == "Anna"
    assert again.place_in_line("r3") == 3  # r1 and r2 are still waiting, r0 is claimed


def test_restore_skips_other_kiosks_entries() -> None:
    foreign = LogEntry("x", "H-050", Kind.HELP, "kiosk-2", "created", T0)
    desk = Desk.restore("kiosk-1", AMS, [foreign])
    assert desk.request("x") is None
    assert only(take(desk, "r1"), PrintTicket)[0].ticket.number == "H-001"


def test_place_in_line_counts_waiting_requests_of_the_same_type() -> None:
    desk = Desk("kiosk-1", AMS)
    take(desk, "a", Kind.HELP, when=0)
    take(desk, "b", Kind.FIND, when=1)
    take(desk, "c", Kind.HELP, when=2)
    assert desk.place_in_line("c") == 2
    effects = act(desk, "a", "claim", "Anna", "x1")
    assert desk.place_in_line("c") == 1
    assert desk.place_in_line("a") == 0
    # The shopper behind is told that the line moved.
    assert [e.request.id for e in only(effects, StatusChanged)] == ["a", "c"]


def test_first_claim_wins_and_the_loser_is_sent_the_state_that_names_the_winner() -> None:
    desk = Desk("kiosk-1", AMS)
    take(desk, "r1")
    first = act(desk, "r1", "claim", "Anna", "a1")
    second = act(desk, "r1", "claim", "Bob", "b1", when=10.001)
    won = only(first, Publish)[0].message
    assert won.claimed_by == "Anna"
    # The same state again (same seq): Bob learns who won even if he missed it.
    assert second == [Ignored("H-001 already claimed by Anna", second[0].event), Publish(won)]
    assert desk.request("r1").claimed_by == "Anna"


def test_tickets_follow_the_kiosks_own_format_and_carry_its_entrance() -> None:
    desk = Desk("kiosk-2", AMS, ticket_format="N{type}-{number:03d}", entrance="North entrance")
    effects = take(desk, "r1", Kind.RETURN)
    assert only(effects, PrintTicket)[0].ticket.number == "NR-001"
    assert only(effects, Publish)[0].message.entrance == "North entrance"
    stored = [e.record for e in effects if isinstance(e, Store)]
    again = Desk.restore("kiosk-2", AMS, stored, ticket_format="N{type}-{number:03d}", entrance="North entrance")
    assert only(take(again, "r2", Kind.RETURN, when=5), PrintTicket)[0].ticket.number == "NR-002"


def test_a_duplicated_claim_is_ignored_even_after_a_release() -> None:
    desk = Desk("kiosk-1", AMS)
    take(desk, "r1")
    act(desk, "r1", "claim", "Anna", "a1")
    act(desk, "r1", "release", "Anna", "a2", when=20)
    late_copy = act(desk, "r1", "claim", "Anna", "a1", when=30)
    assert isinstance(late_copy[0], Ignored) and "duplicate" in late_copy[0].reason
    assert desk.request("r1").status is Status.OPEN


def test_only_the_holder_may_release_or_resolve() -> None:
    desk = Desk("kiosk-1", AMS)
    take(desk, "r1")
    act(desk, "r1", "claim", "Anna", "a1")
    for action in ("release", "resolve"):
        effects = act(desk, "r1", action, "Bob", f"b-{action}")
        assert isinstance(effects[0], Ignored) and "held by Anna" in effects[0].reason
    done = act(desk, "r1", "resolve", "Anna", "a2", when=60, outcome="found it")
    state = only(done, Publish)[0].message
    assert (state.status, state.outcome, state.resolved_at) == (Status.RESOLVED, "found it", at(60))
    assert only(done, Store)[0].record.event == "resolved"


def test_an_unclaimed_request_can_be_resolved_directly() -> None:
    desk = Desk("kiosk-1", AMS)
    take(desk, "r1")
    effects = act(desk, "r1", "resolve", "Chen", "c1", when=5)
    state = only(effects, Publish)[0].message
    assert state.claimed_by == "Chen" and state.status is Status.RESOLVED


def test_messages_about_finished_or_unknown_requests_change_nothing() -> None:
    desk = Desk("kiosk-1", AMS)
    take(desk, "r1")
    act(desk, "r1", "resolve", "Anna", "a1")
    for effects in (
        act(desk, "r1", "claim", "Bob", "b1"),
        act(desk, "nope", "claim", "Bob", "b2"),
        act(desk, "r1", "dance", "Bob", "b3"),
        act(desk, "r1", "claim", "\x1b\x00", "b4"),
    ):
        assert len(effects) == 1 and isinstance(effects[0], Ignored)
    assert desk.request("r1").status is Status.RESOLVED
    assert desk.request("r1").seq == 2


def test_every_state_change_raises_seq_by_one() -> None:
    desk = Desk("kiosk-1", AMS)
    take(desk, "r1")
    act(desk, "r1", "claim", "Anna", "a1")
    act(desk, "r1", "release", "Anna", "a2")
    act(desk, "r1", "claim", "Bob", "b1")
    assert desk.request("r1").seq == 4


def test_cancel_from_the_screen_and_a_late_cancel_after_resolve() -> None:
    desk = Desk("kiosk-1", AMS)
    take(desk, "r1")
    effects = desk.handle(CancelRequested("r1"), at(5))
    assert only(effects, Publish)[0].message.status is Status.CANCELLED
    take(desk, "r2", when=6)
    act(desk, "r2", "resolve", "Anna", "a1")
    late = desk.handle(CancelRequested("r2"), at(20))
    assert isinstance(late[0], Ignored)


def test_illegal_calls_from_our_own_screen_raise() -> None:
    desk = Desk("kiosk-1", AMS)
    take(desk, "r1")
    with pytest.raises(LocalError):
        take(desk, "r1")
    with pytest.raises(LocalError):
        take(desk, "bad/id")
    with pytest.raises(LocalError):
        desk.handle(CancelRequested("missing"), at(1))
    with pytest.raises(LocalError):
        desk.handle(FeedbackGiven("f1", 5), at(1))
    with pytest.raises(LocalError):
        desk.handle(HelpRequested("r2", Kind.HELP, {}), datetime(2026, 1, 1))


def test_shopper_text_is_cleaned_and_limited() -> None:
    desk = Desk("kiosk-1", AMS)
    effects = take(desk, "r1", note="hi\x1b@\x1dV\x00 there\u202e" + "x" * 900)
    note = only(effects, PrintTicket)[0].ticket.details["note"]
    # The control bytes go; the printable letters that followed them are plain text.
    assert note.startswith("hi@V there") and len(note) == 500
    assert all(ord(c) >= 32 for c in note)


def test_feedback_is_stored_and_published_with_cleaned_text() -> None:
    desk = Desk("kiosk-1", AMS)
    effects = desk.handle(FeedbackGiven("f1", 1, ("waiting", " "), "too slow\n\x07!"), at(3))
    assert [type(e) for e in effects] == [Store, Publish]
    feedback = effects[0].record
    assert (feedback.rating, feedback.reasons, feedback.comment) == (1, ("waiting",), "too slow !")
    assert feedback.unhappy


def test_the_transition_table_never_leaves_a_final_state() -> None:
    assert all(not source.is_final for source, _action in TRANSITIONS)


def test_feedback_names_the_request_its_ticket_showed_and_a_bad_id_is_a_bug() -> None:
    desk = Desk("kiosk-2", AMS)
    # Another kiosk's request: the desk takes the id as the screen read it (core/joining.py).
    effects = desk.handle(FeedbackGiven("f1", 4, request_id="0123456789abcdef"), at(3))
    stored, published = effects[0].record, effects[1].message
    assert stored.request_id == published.request_id == "0123456789abcdef"
    assert desk.handle(FeedbackGiven("f2", 4), at(4))[0].record.request_id == "", "unjoined stays the default"
    with pytest.raises(LocalError, match="bad request id"):
        desk.handle(FeedbackGiven("f3", 4, request_id="store/#"), at(5))


TOKEN = "q8Fz0XyL3vN_tR6wK2mPjA"


def test_a_requests_phone_token_is_kept_in_its_created_step_only_and_survives_a_restart() -> None:
    desk = Desk("kiosk-1", AMS)
    effects = desk.handle(HelpRequested("r1", Kind.HELP, {"topic": "other"}, TOKEN), at(0))
    created = only(effects, Store)[0].record
    assert created.token == TOKEN and only(effects, Publish)[0].message.token == TOKEN
    claimed = only(act(desk, "r1", "claim", "Anna", "a1"), Store)[0].record
    assert claimed.token == "", "only the created step keeps it"
    restored = Desk.restore("kiosk-1", AMS, [created, claimed])
    assert restored.request("r1") == desk.request("r1") and restored.request("r1").token == TOKEN  # type: ignore[union-attr]


@pytest.mark.parametrize("token", ["short", "x" * 21, "has/slash-and-22-chars!", "a b" * 8])
def test_a_phone_token_that_is_not_128_random_bits_is_a_bug(token: str) -> None:
    desk = Desk("kiosk-1", AMS)
    with pytest.raises(LocalError, match="at least 22 URL-safe characters"):
        desk.handle(HelpRequested("r1", Kind.HELP, {}, token), at(0))
    assert desk.requests() == []


def test_a_cancel_from_the_network_needs_the_requests_own_token() -> None:
    desk = Desk("kiosk-1", AMS)
    desk.handle(HelpRequested("r1", Kind.HELP, {}, TOKEN), at(0))
    desk.handle(HelpRequested("r2", Kind.HELP, {}), at(1))  # taken without a token: never cancelled from a phone
    for request_id, token in (("r1", "A" * 22), ("r1", ""), ("r2", ""), ("r2", TOKEN), ("r9", TOKEN)):
        [ignored] = desk.handle(CancelRequested(request_id, token), at(5))
        assert isinstance(ignored, Ignored) and "from a phone without its token" in ignored.reason
        assert TOKEN not in ignored.reason and TOKEN not in repr(ignored)
    assert [r.status for r in desk.requests()] == [Status.OPEN, Status.OPEN]
    effects = desk.handle(CancelRequested("r1", TOKEN), at(6))
    assert only(effects, Publish)[0].message.status is Status.CANCELLED
    assert only(effects, Store)[0].record.event == "cancelled"
    [late] = desk.handle(CancelRequested("r1", TOKEN), at(7))
    assert isinstance(late, Ignored) and "already cancelled" in late.reason
    screen = desk.handle(CancelRequested("r2"), at(8))  # the kiosk's own screen needs none
    assert only(screen, Publish)[0].message.status is Status.CANCELLED
