"""Four languages: every message translated, and the real screens following the shopper's choice."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core import words
from kiosk.language import LANGUAGES, Translations
from tests.kiosk_fixture import running_kiosk
from tests.ui import button, tap, type_into, visible_texts, wait_until

ROOT = Path(__file__).resolve().parent.parent
MARKED = re.compile(r'(?:\btr|\bN_|\b_)\(\s*"((?:[^"\\]|\\.)+)"')
TRANSLATED = [code for code, _name in LANGUAGES if code != "en"]


def message_ids() -> set[str]:
    """Every message the kiosk can show: marked in its Python and .kv sources,
    and the shared words of core/words.py that its screens and tickets show."""
    found: set[str] = set()
    shared = [ROOT / "core" / "ticket_words.py"]  # the ticket's sentences, the phone page's too
    for path in [*(ROOT / "kiosk").glob("*.py"), *(ROOT / "kiosk").glob("*.kv"), *shared]:
        found |= set(MARKED.findall(path.read_text(encoding="utf-8")))
    return found | {*words.KIND_WORDS.values(), *words.HELP_TOPICS.values(), *words.FACE_WORDS.values()}


def test_every_message_is_translated_in_every_language_with_its_placeholders() -> None:
    ids, catalogs = message_ids(), Translations().catalogs
    assert len(ids) > 50  # the extraction itself works
    for code in TRANSLATED:
        missing = sorted(ids - catalogs[code].keys())
        assert not missing, f"{code} lacks {missing}"
        unused = sorted(catalogs[code].keys() - ids)
        assert not unused, f"{code} translates messages the kiosk no longer shows: {unused}"
        for message in ids:
            assert set(re.findall(r"{\w+}", catalogs[code][message])) == set(re.findall(r"{\w+}", message)), (
                code,
                message,
            )


def test_chinese_catalogs_are_in_their_own_script() -> None:
    catalogs = Translations().catalogs
    # Characters that differ between the two scripts must not cross over.
    assert "请" in "".join(catalogs["zh_Hans"].values()) and "請" not in "".join(catalogs["zh_Hans"].values())
    assert "請" in "".join(catalogs["zh_Hant"].values()) and "请" not in "".join(catalogs["zh_Hant"].values())


@pytest.mark.parametrize("code, name", LANGUAGES)
def test_a_shopper_asks_for_help_in_their_language_and_the_next_shopper_starts_in_english(
    broker, tmp_path, code: str, name: str
) -> None:  # type: ignore[no-untyped-def]
    _ = Translations().tr
    with running_kiosk(broker, tmp_path / "kiosk", printer=False) as kiosk:
        tap(button(kiosk.screen, name))
        assert kiosk.app.language == code
        assert _("How can we help you today?", code) in visible_texts(kiosk.screen)
        tap(button(kiosk.screen, _("Ask for help", code)))
        wait_until(lambda: kiosk.on("help"))
        tap(button(kiosk.screen, _("Call a staff member", code)))
        assert _("Choose what you need help with.", code) in visible_texts(kiosk.screen)
        tap(button(kiosk.screen, _("Complaint", code)))
        type_into(kiosk.screen.ids.note, "空调太冷 / airco te koud")
        tap(button(kiosk.screen, _("Call a staff member", code)))
        wait_until(lambda: kiosk.on("ticket"))
        shown = visible_texts(kiosk.screen)
        assert _("You are next in line", code) in shown and "H-001" in shown
        assert _("Your ticket could not be printed. Please remember your number.", code) in shown
        request = kiosk.app.service.desk.requests()[0]
        assert request.details == {
            "topic": "complaint",
            "note": "空调太冷 / airco te koud",
            "language": code,
        }  # stored as keys, not words; the shopper's language goes with it
        tap(button(kiosk.screen, _("Done", code)))
        wait_until(lambda: kiosk.on("welcome"))
        assert kiosk.app.language == "en" and "How can we help you today?" in visible_texts(kiosk.screen)


@pytest.mark.parametrize("code, name", LANGUAGES)
def test_a_return_and_a_search_work_in_every_language(broker, tmp_path, code: str, name: str) -> None:  # type: ignore[no-untyped-def]
    _ = Translations().tr
    searches = {"en": "hamer", "nl": "klauwhamer", "zh_Hans": "锤", "zh_Hant": "鎚"}
    with running_kiosk(broker, tmp_path / "kiosk", printer=False) as kiosk:
        tap(button(kiosk.screen, name))
        tap(button(kiosk.screen, _("Return an item", code)))
        wait_until(lambda: kiosk.on("return"))
        tap(button(kiosk.screen, _("Get a returns ticket", code)))
        assert _("Choose a reason for the return.", code) in visible_texts(kiosk.screen)
        tap(button(kiosk.screen, _("Damaged or faulty", code)))
        tap(button(kiosk.screen, _("Get a returns ticket", code)))
        wait_until(lambda: kiosk.on("ticket"))
        assert "R-001" in visible_texts(kiosk.screen) and _("Return an item", code) in visible_texts(kiosk.screen)
        assert kiosk.app.service.desk.requests()[0].details == {"reason": "Damaged or faulty", "language": code}
        tap(button(kiosk.screen, _("Done", code)))
        wait_until(lambda: kiosk.on("welcome"))
        tap(button(kiosk.screen, name))
        tap(button(kiosk.screen, _("Find an item", code)))
        wait_until(lambda: kiosk.on("find"))
        type_into(kiosk.screen.ids.item, searches[code])
        hammer = {"en": "Claw hammer 450 g", "nl": "Klauwhamer 450 g", "zh_Hans": "羊角锤 450克"}
        wanted = hammer.get(code, "羊角鎚 450公克")
        [row] = [r for r in kiosk.screen.ids.results.children if r.name == wanted]
        tap(button(row, _("Take me there", code)))
        wait_until(lambda: kiosk.on("ticket"))
        assert "F-001" in visible_texts(kiosk.screen)
        assert kiosk.app.service.desk.requests()[1].details["sku"] == "TLS-1001"
