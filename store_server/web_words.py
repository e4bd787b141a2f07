"""What the shopper's ticket page and the entrance board say, in the shopper's four languages.

Touches the catalog files once, at start (through adapters/babel_catalogs.py).
The ticket page says what the kiosk's ticket screen says: its sentences are
the kiosk's own message ids (kiosk/wording.py `ticket_words`), read from the
kiosk's catalogs, so a translation fixed there is fixed on the phone too.
Sentences the kiosk has not got are in store_server/locale/<language>/LC_MESSAGES/web.po.
"""

from __future__ import annotations

from pathlib import Path

from adapters.babel_catalogs import load_catalogs
from core.escalation import SERVICE_DESK
from core.model import Request, Status
from core.phone import ShopperView
from core.words import FACE_WORDS

ROOT = Path(__file__).resolve().parent.parent
KIOSK_LOCALE = ROOT / "kiosk" / "locale"
WEB_LOCALE = Path(__file__).with_name("locale")
LANGUAGES = ("en", "nl", "zh_Hans", "zh_Hant")


def N_(message: str) -> str:
    """Marks a web sentence (an English message id of web.po)."""
    return message


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
    N_("Ask at the kiosk if you need anything else."),
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

        helper = view.helper
        if request.status is Status.OPEN:
            headline = _("You are next in line") if view.place_in_line <= 1 else _("You are number {place} in line")
            headline = headline.format(place=view.place_in_line)
            detail = _("A staff member has been called and will come to you here.")
            if request.escalation >= SERVICE_DESK:
                headline = _("Please go to the service desk")
                detail = _("We are sorry nobody could come to you. Show your ticket at the service desk.")
            elif request.escalation:
                detail = _("We are still looking for someone to help you. Thank you for your patience.")
        elif request.status is Status.CLAIMED:
            headline = _("{name} is on the way").format(name=helper)
            detail = _("Please stay near the kiosk.")
        elif request.status is Status.RESOLVED:
            headline = _("Thank you for waiting")
            detail = (
                _("{name} has dealt with your request.").format(name=helper) if helper else _("Your request is done.")
            )
        else:
            headline = _("Request cancelled")
            detail = _("Ask at the kiosk if you need anything else.")
        wait = ""
        if request.status is Status.OPEN and request.escalation == 0:
            wait = (
                _("Expected wait: less than a minute")
                if view.wait_seconds < 60
                else _("Expected wait: about {minutes} min").format(minutes=round(view.wait_seconds / 60))
            )
        return {
            "title": _("Your ticket"),
            "headline": headline,
            "detail": detail,
            "wait": wait,
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
