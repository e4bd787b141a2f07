"""Reading the ticket a shopper shows at exit, and the recent tickets they may tap (core/joining.py), with numbers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.joining import RECENT_MAX, RecentTicket, TicketUnread, read_ticket, recent_tickets
from core.model import Kind, Request

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # 16:00 in Amsterdam


def request(rid: str, ticket: str, minutes_ago: float) -> Request:
    return Request(rid, Kind.HELP, ticket, "kiosk-1", NOW - timedelta(minutes=minutes_ago))


OWN = [
    request("aaaaaaaaaaaaaaa1", "H-001", 170),
    request("aaaaaaaaaaaaaaa2", "F-001", 30),
    request("aaaaaaaaaaaaaaa3", "H-002", 5),
    request("aaaaaaaaaaaaaaa0", "H-009", 60 * 24),  # yesterday
]


def test_recent_tickets_are_todays_of_the_last_three_hours_newest_first() -> None:
    assert recent_tickets(OWN, NOW, AMSTERDAM) == [
        RecentTicket("H-002", "aaaaaaaaaaaaaaa3"),
        RecentTicket("F-001", "aaaaaaaaaaaaaaa2"),
        RecentTicket("H-001", "aaaaaaaaaaaaaaa1"),
    ]
    assert [t.number for t in recent_tickets(OWN, NOW + timedelta(minutes=15), AMSTERDAM)] == ["H-002", "F-001"]


def test_recent_tickets_stop_at_midnight_and_at_a_handful() -> None:
    just_after_midnight = datetime(2026, 11, 24, 23, 10, tzinfo=UTC)  # 00:10 on the 25th in Amsterdam
    late = Request("bbbbbbbbbbbbbbb1", Kind.HELP, "H-040", "kiosk-1", just_after_midnight - timedelta(minutes=20))
    assert recent_tickets([late], just_after_midnight, AMSTERDAM) == []
    many = [request(f"c{n:015d}", f"F-{n:03d}", n) for n in range(1, 20)]
    shown = recent_tickets(many, NOW, AMSTERDAM)
    assert len(shown) == RECENT_MAX and shown[0].number == "F-001"


def test_a_scanned_bare_request_id_of_this_kiosk_names_it() -> None:
    assert read_ticket("aaaaaaaaaaaaaaa2\r\n", OWN, NOW, AMSTERDAM) == "aaaaaaaaaaaaaaa2"


def test_a_link_made_from_the_stores_qr_url_gives_its_request_id() -> None:
    url = "https://shop.example/t/{store}/{request_id}?n={ticket}"
    scanned = "https://shop.example/t/demo-store/aaaaaaaaaaaaaaa3?n=H-002"
    assert read_ticket(scanned, OWN, NOW, AMSTERDAM, qr_url=url) == "aaaaaaaaaaaaaaa3"


def test_a_link_naming_only_the_ticket_number_finds_it_among_the_recent_ones() -> None:
    assert read_ticket("https://shop.example/q?t=F-001", OWN, NOW, AMSTERDAM, "https://shop.example/q?t={ticket}") == (
        "aaaaaaaaaaaaaaa2"
    )


def test_another_kiosks_id_is_taken_as_it_is_even_inside_another_link() -> None:
    other = "0123456789abcdef"
    assert read_ticket(other, OWN, NOW, AMSTERDAM) == other
    assert read_ticket(f"https://other.example/ticket/{other}", OWN, NOW, AMSTERDAM) == other
    assert read_ticket(f"https://other.example/t?request_id={other}&x=1", OWN, NOW, AMSTERDAM) == other


def test_a_typed_ticket_number_names_a_recent_ticket_whatever_its_case() -> None:
    assert read_ticket("h-002", OWN, NOW, AMSTERDAM) == "aaaaaaaaaaaaaaa3"


@pytest.mark.parametrize(
    "scanned",
    [
        "",
        "   \t",
        "8710103123456",  # a product's barcode
        "https://evil.example/free-stuff",
        "hello world",
        "0123456789ABCDEF",  # not the shape kiosks give
        "0123456789abcde",  # half a code
        "H-009",  # yesterday's number
        "F-777",  # no such ticket
    ],
)
def test_anything_else_names_no_ticket(scanned: str) -> None:
    with pytest.raises(TicketUnread):
        read_ticket(scanned, OWN, NOW, AMSTERDAM, qr_url="https://shop.example/t/{request_id}")


def test_a_ticket_of_this_kiosk_from_an_earlier_day_is_refused_saying_so() -> None:
    with pytest.raises(TicketUnread, match="H-009 is from an earlier day") as refused:
        read_ticket("aaaaaaaaaaaaaaa0", OWN, NOW, AMSTERDAM)
    assert refused.value.earlier_day


# -- the link to the shopper's phone page (rule 8) -----------------------------------------

PAGE = "https://assist.store.example:8443/t/{token}"
MINE, THEIRS, OLD = "tokenOfH002_aaaaaaaaaa", "tokenOfOtherKiosk_bbbb", "tokenOfYesterday_ccccc"
TOKENS = {MINE: "aaaaaaaaaaaaaaa3", THEIRS: "9999999999999999", OLD: "aaaaaaaaaaaaaaa0"}


def test_a_phone_page_link_names_the_request_its_token_was_made_for() -> None:
    assert read_ticket(PAGE.format(token=MINE), OWN, NOW, AMSTERDAM, PAGE, TOKENS) == "aaaaaaaaaaaaaaa3"
    assert read_ticket(PAGE.format(token=THEIRS), OWN, NOW, AMSTERDAM, PAGE, TOKENS) == "9999999999999999"
    # Read by a kiosk set up with another link, and as a bare token.
    assert read_ticket(PAGE.format(token=THEIRS), OWN, NOW, AMSTERDAM, "", TOKENS) == "9999999999999999"
    assert read_ticket(f"{MINE}\r\n", OWN, NOW, AMSTERDAM, "https://x/{request_id}", TOKENS) == "aaaaaaaaaaaaaaa3"


def test_a_token_link_of_this_kiosks_earlier_day_is_refused_saying_so() -> None:
    with pytest.raises(TicketUnread, match="H-009 is from an earlier day") as refused:
        read_ticket(PAGE.format(token=OLD), OWN, NOW, AMSTERDAM, PAGE, TOKENS)
    assert refused.value.earlier_day


@pytest.mark.parametrize(
    "scanned",
    [
        PAGE.format(token="unknownTokenNobodyMade1"),
        "unknownTokenNobodyMade1",
        "https://elsewhere.example/t/unknownTokenNobodyMade1",
        PAGE.format(token="short"),
        PAGE.format(token=MINE[:-1]),  # half read
    ],
)
def test_a_token_nobody_issued_names_no_ticket_and_the_refusal_does_not_repeat_it(scanned: str) -> None:
    with pytest.raises(TicketUnread, match="is not a ticket of this store") as refused:
        read_ticket(scanned, OWN, NOW, AMSTERDAM, PAGE, TOKENS)
    assert "unknownTokenNobodyMade1" not in str(refused.value) and MINE[:-1] not in str(refused.value)


def test_without_known_tokens_a_page_link_names_nothing() -> None:
    with pytest.raises(TicketUnread):
        read_ticket(PAGE.format(token=MINE), OWN, NOW, AMSTERDAM, PAGE)
