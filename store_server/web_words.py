"""What the shopper's ticket page and the entrance board say, in the shopper's four languages.

Touches the catalog files once, at start (through adapters/babel_catalogs.py).
The ticket page says what the kiosk's ticket screen says: its sentences are
the kiosk's own message ids (core/ticket_words.py, as the kiosk's screen), read from the
kiosk's catalogs, so a translation fixed there is fixed on the phone too.
Sentences the kiosk has not got are in store_server/locale/<language>/LC_MESSAGES/web.po.
"""

from __future__ import annotations

from pathlib import Path

from adapters.babel_catalogs import load_catalogs
from core.model import Request
from core.phone import ShopperView
from core.ticket_words import stand_words
from core.words import FACE_WORDS

ROOT = Path(__file__).resolve().parent.parent
KIOSK_LOCALE = ROOT / "kiosk" / "locale"
WEB_LOCALE = Path(__file__).with_name("locale")
LANGUAGES = ("en", "nl", "zh_Hans", "zh_Hant")


def N_(message: str) -> str:
    """Marks a web sentence (an English message id of web.po)."""
    return message


AFTER_CANCEL_ON_PHONE = N_("Ask at the kiosk if you need anything else.")

# The web pages' own sentences (tests/test_web_words.py checks each is translated).
WEB_MESSAGES = (
    N_("Your ticket"),
    N_("Cancel my request"),
    N_("Cancel this request?"),
    N_("Yes, cancel it"),
    N_("No, keep waiting"),
    N_("How was the help?"),
    N_("Thank you for telling us"),
    N_("No connection. Your paper ticket still counts."),
    AFTER_CANCEL_ON_PHONE,
    N_("Need help? Ask at the kiosk"),
    N_("Being helped now"),
    N_("Waiting: {count}"),
    N_("Help usually arrives in about {minutes} min"),
    N_("A staff member will be with you soon"),
)


class Words:
    def __init__(self) -> None:
        kiosk = load_catalogs(KIOSK_LOCALE, "kiosk")
        web = load_catalogs(WEB_LOCALE, "web")
        self.catalogs = {lang: {**kiosk.get(lang, {}), **web.get(lang, {})} for lang in LANGUAGES}

    def tr(self, message: str, language: str) -> str:
        return self.catalogs.get(language, {}).get(message, message)

    def ticket(self, request: Request, view: ShopperView) -> dict[str, object]:
        """The ticket page's words for one request as it stands (kiosk/wording.py ticket_words' sentences)."""
        language = view.language if view.language in LANGUAGES else "en"

        def _(message: str) -> str:
            return self.tr(message, language)

        stand = stand_words(
            request,
            view.place_in_line,
            view.wait_seconds,
            _,
            helper=view.helper,
            after_cancel=AFTER_CANCEL_ON_PHONE,  # a phone page has no buttons below
        )
        return {
            "title": _("Your ticket"),
            "headline": stand.headline,
            "detail": stand.detail,
            "wait": stand.wait,
            "cancel": _("Cancel my request"),
            "confirm_cancel": _("Cancel this request?"),
            "confirm_yes": _("Yes, cancel it"),
            "confirm_no": _("No, keep waiting"),
            "rate": _("How was the help?"),
            "faces": [_(FACE_WORDS[rating]) for rating in (1, 2, 3, 4)],
            "thanks": _("Thank you for telling us"),
            "offline": _("No connection. Your paper ticket still counts."),
        }

    def board(self, waiting: int, usual_minutes: int | None) -> dict[str, dict[str, str]]:
        """The entrance board's words, each language in turn on the screen."""
        words = {}
        for language in LANGUAGES:

            def _(message: str, language: str = language) -> str:
                return self.tr(message, language)

            words[language] = {
                "title": _("Need help? Ask at the kiosk"),
                "helped_now": _("Being helped now"),
                "waiting": _("Waiting: {count}").format(count=waiting),
                "usual": _("Help usually arrives in about {minutes} min").format(minutes=usual_minutes)
                if usual_minutes
                else _("A staff member will be with you soon"),
            }
        return words
