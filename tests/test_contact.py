"""Contact details with feedback, the pure core: what is accepted, and who is alerted."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from core.contact import ContactError, check_contact
from core.desk import Desk
from core.events import FeedbackGiven, UnhappyShopper
from core.model import LocalError

NOW = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "typed, kept",
    [("", ""), ("   ", ""), ("+31 6 1234 5678", "+31 6 1234 5678"), ("(020) 555-0101", "(020) 555-0101"),
     ("mia.jansen@example.nl", "mia.jansen@example.nl"), ("  anna@shop.example \n", "anna@shop.example")],
)  # fmt: skip
def test_phone_numbers_and_e_mail_addresses_are_accepted(typed: str, kept: str) -> None:
    assert check_contact(typed) == kept


@pytest.mark.parametrize("typed", ["call me", "12345", "1" * 16, "a@b", "@example.nl", "anna@", "a" * 75 + "@b.nl"])
def test_anything_else_is_refused_with_the_message_to_show(typed: str) -> None:
    with pytest.raises(ContactError, match="Enter a phone number or an e-mail address"):
        check_contact(typed)


def give(rating: int, contact: str = "") -> list[object]:
    desk = Desk("kiosk-1", ZoneInfo("Europe/Amsterdam"))
    return desk.handle(FeedbackGiven("f1", rating, ("I waited too long",), "", contact), NOW)  # type: ignore[return-value]


def test_only_an_unhappy_shopper_who_left_contact_details_alerts_the_managers() -> None:
    assert [type(e).__name__ for e in give(1, "+31612345678")] == ["Store", "Publish", "UnhappyShopper"]
    assert [type(e).__name__ for e in give(2, "")] == ["Store", "Publish"]
    assert [type(e).__name__ for e in give(4, "+31612345678")] == ["Store", "Publish"]
    [alert] = [e for e in give(2, "mia@example.nl") if isinstance(e, UnhappyShopper)]
    assert alert.feedback.contact == "mia@example.nl" and alert.feedback.reasons == ("I waited too long",)


def test_contact_details_that_the_screen_did_not_check_are_a_bug() -> None:
    with pytest.raises(LocalError, match="checked on screen"):
        give(1, "not a phone")
