"""The shopper's phone says what the kiosk's ticket screen says, in the shopper's language; the web's own
sentences are translated into every language; the board speaks all four."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from adapters.babel_catalogs import load_catalogs
from core.model import Kind, Request, Status
from core.phone import shopper_view
from kiosk.language import Translations
from kiosk.wording import ticket_words
from shell.ticket_view import TicketView
from store_server.web_words import LANGUAGES, WEB_LOCALE, WEB_MESSAGES, Words

T0 = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
WORDS = Words()
KIOSK = Translations()


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"{(\w+)}", text))


def test_every_web_sentence_is_translated_in_every_catalog_and_none_is_unused() -> None:
    catalogs = load_catalogs(WEB_LOCALE, "web")
    assert set(catalogs) == {"nl", "zh_Hans", "zh_Hant"}
    for language, catalog in catalogs.items():
        missing = [m for m in WEB_MESSAGES if not catalog.get(m)]
        assert not missing, f"{language} lacks {missing}"
        assert set(catalog) == set(WEB_MESSAGES), f"{language}: unused {set(catalog) - set(WEB_MESSAGES)}"
        for message, translation in catalog.items():
            assert placeholders(translation) == placeholders(message), (language, message)
            assert translation != message, (language, message)


def request(status: Status, escalation: int = 0, language: str = "nl", by: str | None = None) -> Request:
    claimed = T0 + timedelta(seconds=40) if by else None
    return Request(
        id="r1",
        kind=Kind.HELP,
        ticket="H-007",
        kiosk="kiosk-1",
        created_at=T0,
        status=status,
        details={"topic": "question", "note": "Which paint?", "language": language},
        claimed_by=by,
        claimed_at=claimed,
        resolved_at=T0 + timedelta(minutes=3) if status.is_final else None,
        escalation=escalation,
        token="t" * 22,
    )


CASES = [
    (Status.OPEN, 0, None),
    (Status.OPEN, 1, None),
    (Status.OPEN, 3, None),
    (Status.CLAIMED, 0, "Anna"),
    (Status.RESOLVED, 0, "Anna"),
    (Status.RESOLVED, 0, None),
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("status", "escalation", "by"), CASES)
def test_the_phone_says_what_the_kiosk_screen_says(language: str, status: Status, escalation: int, by: str) -> None:
    shown = request(status, escalation, language, by)
    ahead = replace(shown, id="r0", ticket="H-006", created_at=T0 - timedelta(minutes=1), status=Status.OPEN)
    others = [ahead, shown] if status is Status.OPEN else [shown]
    view = shopper_view(shown, others, [120.0], T0 + timedelta(seconds=30))
    phone = WORDS.ticket(shown, view)
    kiosk = ticket_words(
        TicketView(shown, view.place_in_line, wait_seconds=view.wait_seconds), lambda m: KIOSK.tr(m, language)
    )
    assert (phone["headline"], phone["detail"], phone["wait"]) == (kiosk.headline, kiosk.detail, kiosk.wait)
    assert "Which paint" not in str(phone)  # nothing the shopper typed


def test_a_cancelled_request_sends_the_shopper_to_the_kiosk_in_their_language() -> None:
    shown = request(Status.CANCELLED, language="zh_Hant")
    words = WORDS.ticket(shown, shopper_view(shown, [shown], [], T0))
    assert words["headline"] == KIOSK.tr("Request cancelled", "zh_Hant") == "需求已取消"
    assert words["detail"] == "如需其他協助，請到服務機。"
    assert words["faces"] == [KIOSK.tr(f, "zh_Hant") for f in ("Very unhappy", "Unhappy", "Happy", "Very happy")]
    assert words["faces"][0] == "非常不滿意"


def test_the_faces_and_the_web_sentences_come_in_the_shopper_language() -> None:
    shown = request(Status.RESOLVED, language="nl", by="Anna")
    words = WORDS.ticket(shown, shopper_view(shown, [shown], [], T0 + timedelta(minutes=4)))
    assert words["faces"] == [KIOSK.tr(f, "nl") for f in ("Very unhappy", "Unhappy", "Happy", "Very happy")]
    assert (words["cancel"], words["rate"], words["thanks"]) == (
        "Mijn verzoek annuleren",
        "Hoe was de hulp?",
        "Bedankt dat u het ons laat weten",
    )
    assert words["headline"] == KIOSK.tr("Thank you for waiting", "nl") != "Thank you for waiting"
    assert words["detail"] == KIOSK.tr("{name} has dealt with your request.", "nl").format(name="Anna")


def test_an_unknown_language_falls_back_to_english() -> None:
    shown = request(Status.CLAIMED, language="fr", by="Anna")
    words = WORDS.ticket(shown, shopper_view(shown, [shown], [], T0))
    assert words["headline"] == "Anna is on the way"


def test_the_board_speaks_all_four_languages() -> None:
    words = WORDS.board(waiting=3, usual_minutes=2)
    assert list(words) == list(LANGUAGES)
    assert words["en"] == {
        "title": "Need help? Ask at the kiosk",
        "helped_now": "Being helped now",
        "waiting": "Waiting: 3",
        "usual": "Help usually arrives in about 2 min",
    }
    assert words["nl"]["usual"] == "Hulp komt meestal binnen ongeveer 2 min"
    assert "2" in words["zh_Hans"]["usual"] and "3" in words["zh_Hant"]["waiting"]
    assert len({words[lang]["helped_now"] for lang in LANGUAGES}) == 4
    assert WORDS.board(0, None)["en"]["usual"] == "A staff member will be with you soon"
