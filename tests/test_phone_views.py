"""What the shopper's phone page and the entrance board show (core/phone.py). Pure: numbers in, views out."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.model import Kind, Request, Status
from core.phone import (
    CANCELLED,
    DONE,
    ON_THE_WAY,
    SERVICE_DESK_NOW,
    STILL_LOOKING,
    TOKEN_GRACE,
    WAITING,
    board_view,
    ended_at,
    shopper_view,
    token_opens,
)
from core.waiting import DEFAULT_CLAIM_SECONDS

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)  # 15:00 in the store
TOKEN = "q8Fz0XyL3vN_tR6wK2mPjA"
SECRET_NOTE = "my phone is +31 6 1234 5678, receipt R-99"


def request(
    rid: str = "r1",
    minutes_ago: float = 5,
    status: Status = Status.OPEN,
    kind: Kind = Kind.HELP,
    ticket: str = "H-001",
    **fields: object,
) -> Request:
    created = NOW - timedelta(minutes=minutes_ago)
    values: dict[str, object] = {"token": TOKEN, "changed_at": created, "details": {"note": SECRET_NOTE}}
    if status is not Status.OPEN and status is not Status.CANCELLED:
        values.update(claimed_by="Anna de Vries", claimed_at=created + timedelta(seconds=30))
    if status.is_final:
        values["resolved_at"] = NOW - timedelta(minutes=1)
    values.update(fields)
    return Request(rid, kind, ticket, "kiosk-1", created, status, **values)  # type: ignore[arg-type]


# -- when a token opens its page (rule 1) ----------------------------------------------------------


def test_a_token_opens_while_open_and_for_the_grace_after_the_end_then_never() -> None:
    assert token_opens(request(minutes_ago=600), NOW), "open: however long it waits"
    assert token_opens(request(status=Status.CLAIMED), NOW)
    for status in (Status.RESOLVED, Status.CANCELLED):
        ended = request(status=status, resolved_at=NOW)
        assert ended_at(ended) == NOW
        assert token_opens(ended, NOW + TOKEN_GRACE - timedelta(seconds=1))
        assert not token_opens(ended, NOW + TOKEN_GRACE), f"{status.value}: past the grace"
        assert not token_opens(ended, NOW + timedelta(days=3))


def test_the_grace_may_be_the_stores_own() -> None:
    ended = request(status=Status.RESOLVED, resolved_at=NOW)
    assert token_opens(ended, NOW + timedelta(minutes=4), grace=timedelta(minutes=5))
    assert not token_opens(ended, NOW + timedelta(minutes=5), grace=timedelta(minutes=5))
    assert not token_opens(ended, NOW, grace=timedelta(0)), "no grace: closed as it ends"


def test_a_request_without_a_token_opens_nothing() -> None:
    assert not token_opens(request(token=""), NOW)
    assert not token_opens(request(token="", status=Status.RESOLVED), NOW)


def test_an_ended_state_without_a_resolve_time_ends_when_it_changed() -> None:
    ended = request(status=Status.CANCELLED, resolved_at=None, changed_at=NOW - timedelta(minutes=40))
    assert ended_at(ended) == NOW - timedelta(minutes=40)
    assert not token_opens(ended, NOW)
    assert ended_at(request()) is None


# -- the ticket page (rules 2 and 3) --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "escalation", "stands"),
    [
        (Status.OPEN, 0, WAITING),
        (Status.OPEN, 1, STILL_LOOKING),
        (Status.OPEN, 2, STILL_LOOKING),
        (Status.OPEN, 3, SERVICE_DESK_NOW),
        (Status.CLAIMED, 0, ON_THE_WAY),
        (Status.RESOLVED, 0, DONE),
        (Status.CANCELLED, 0, CANCELLED),
    ],
)
def test_the_page_says_where_the_request_stands_for_every_status_and_level(
    status: Status, escalation: int, stands: str
) -> None:
    me = request(minutes_ago=0.5, status=status, escalation=escalation)
    view = shopper_view(me, [me], [], NOW)
    assert view.stands == stands
    assert view.place_in_line == (1 if status is Status.OPEN else 0)
    assert (view.wait_seconds > 0) == (stands == WAITING), "a wait only while simply waiting"
    assert view.helper == ("Anna" if status in (Status.CLAIMED, Status.RESOLVED) else ""), "the first name only"
    assert view.can_cancel == (not status.is_final)
    assert view.can_rate == (status is Status.RESOLVED)
    assert (view.ticket, view.kind, view.seq) == ("H-001", Kind.HELP, me.seq)


def test_the_page_never_holds_what_the_shopper_typed_nor_the_token() -> None:
    for status in Status:
        me = request(status=status, details={"note": SECRET_NOTE, "receipt": "R-99", "item": "drill"})
        view = shopper_view(me, [me], [], NOW)
        values = [str(v) for v in dataclasses.asdict(view).values()]
        assert not [v for v in values if "R-99" in v or "+31" in v or "drill" in v or TOKEN in v]
        assert "de Vries" not in view.helper
        assert {f.name for f in dataclasses.fields(view)} == {
            "ticket", "kind", "stands", "place_in_line", "wait_seconds", "helper", "language",
            "can_cancel", "can_rate", "seq",
        }  # fmt: skip


def test_place_in_line_counts_the_open_ones_of_its_type_and_kiosk_before_it() -> None:
    me = request("me", minutes_ago=2, ticket="H-004")
    others = [
        request("a", minutes_ago=9, ticket="H-001"),
        request("b", minutes_ago=8, ticket="H-002", status=Status.CLAIMED),  # someone is with them
        request("c", minutes_ago=7, ticket="H-003"),
        request("d", minutes_ago=6, kind=Kind.FIND, ticket="F-001"),  # another line
        dataclasses.replace(request("e", minutes_ago=5, ticket="H-001"), kiosk="kiosk-2"),  # another kiosk
        request("f", minutes_ago=1, ticket="H-005"),  # behind
    ]
    assert shopper_view(me, [me, *others], [], NOW).place_in_line == 3


def test_the_wait_follows_recent_claims_and_what_was_already_waited() -> None:
    me = request(minutes_ago=1)
    first = request("a", minutes_ago=3, ticket="H-000")
    assert shopper_view(me, [me], [], NOW).wait_seconds == DEFAULT_CLAIM_SECONDS - 60
    assert shopper_view(me, [first, me], [100, 120, 200], NOW).wait_seconds == 2 * 120 - 60
    assert shopper_view(request(minutes_ago=30), [], [60], NOW).wait_seconds == 0, "never below zero"


def test_rating_is_offered_once_after_a_resolve_within_the_grace() -> None:
    done = request(status=Status.RESOLVED, resolved_at=NOW)
    assert shopper_view(done, [], [], NOW).can_rate
    assert not shopper_view(done, [], [], NOW, rated=True).can_rate, "once"
    assert not shopper_view(done, [], [], NOW + TOKEN_GRACE).can_rate, "past the grace"
    assert shopper_view(done, [], [], NOW + timedelta(minutes=3), grace=timedelta(minutes=5)).can_rate
    assert not shopper_view(done, [], [], NOW + timedelta(minutes=6), grace=timedelta(minutes=5)).can_rate
    assert not shopper_view(request(status=Status.CANCELLED), [], [], NOW).can_rate, "nothing to rate"


def test_the_page_speaks_the_language_the_shopper_chose() -> None:
    assert shopper_view(request(details={"language": "zh_Hant"}), [], [], NOW).language == "zh_Hant"
    assert shopper_view(request(details={}), [], [], NOW).language == "en"


# -- the entrance board (rule 4) -------------------------------------------------------------------------


def claimed_after(rid: str, seconds: float, minutes_ago: float = 30, status: Status = Status.RESOLVED) -> Request:
    created = NOW - timedelta(minutes=minutes_ago)
    return request(rid, minutes_ago=minutes_ago, status=status, claimed_at=created + timedelta(seconds=seconds))


def test_the_board_shows_who_is_being_helped_oldest_first_and_how_many_wait() -> None:
    board = board_view(
        [
            request("w1"),
            request("w2", escalation=2),
            request("c2", minutes_ago=3, status=Status.CLAIMED, ticket="H-009"),
            request("c1", minutes_ago=8, status=Status.CLAIMED, ticket="F-002", kind=Kind.FIND),
            request("x", status=Status.CANCELLED),
            request("d", status=Status.RESOLVED),
        ],
        NOW,
        AMS,
    )
    assert board.helped_now == ("F-002", "H-009")
    assert board.waiting == 2


def test_help_usually_arrives_in_the_median_of_todays_claims_rounded_up_to_whole_minutes() -> None:
    claims = [claimed_after("a", 30), claimed_after("b", 150), claimed_after("c", 61)]
    assert board_view(claims, NOW, AMS).usual_minutes == 2, "median 61 s -> 2 minutes"
    assert board_view([claimed_after("a", 120)], NOW, AMS).usual_minutes == 2, "exactly 2 minutes stays 2"
    assert board_view([claimed_after("a", 5)], NOW, AMS).usual_minutes == 1, "never 0"
    four = [claimed_after(r, s) for r, s in (("a", 60), ("b", 100), ("c", 200), ("d", 1000))]
    assert board_view(four, NOW, AMS).usual_minutes == 3, "median of four: 150 s"
    assert board_view([claimed_after("h", 45, status=Status.CLAIMED)], NOW, AMS).usual_minutes == 1


def test_only_todays_claims_in_the_store_count_and_none_before_the_first() -> None:
    assert board_view([request("w")], NOW, AMS).usual_minutes is None
    assert board_view([], NOW, AMS).helped_now == () and board_view([], NOW, AMS).waiting == 0
    # 23:30 UTC yesterday is 00:30 today in Amsterdam: today's; 22:30 UTC is yesterday's.
    midnight = datetime(2026, 11, 24, 23, 50, tzinfo=UTC)
    after = dataclasses.replace(claimed_after("a", 600), created_at=datetime(2026, 11, 24, 23, 30, tzinfo=UTC))
    after = dataclasses.replace(after, claimed_at=after.created_at + timedelta(seconds=600))
    before = dataclasses.replace(after, id="b", created_at=datetime(2026, 11, 24, 22, 30, tzinfo=UTC))
    before = dataclasses.replace(before, claimed_at=before.created_at + timedelta(seconds=60))
    assert board_view([after, before], midnight, AMS).usual_minutes == 10
    assert board_view([before], midnight, AMS).usual_minutes is None


def test_the_board_names_no_one() -> None:
    board = board_view([request(status=Status.CLAIMED)], NOW, AMS)
    assert "Anna" not in repr(board) and SECRET_NOTE not in repr(board) and TOKEN not in repr(board)
