"""How a request ended, as staff pick it when they resolve: the choices per type.

Pure: no I/O. Every pager (Kivy, console, web) offers these, from here; the
outcome travels as its code (`details`-like, stable for exports) and people
see its words in their language. A free text outcome still comes through
(older pagers, integrations): it is shown as it is.
"""

from __future__ import annotations

from core.model import Kind

# Codes in the order a pager offers them; the common ones come last.
_COMMON = ("shopper_gone", "other")
OUTCOMES: dict[Kind, tuple[str, ...]] = {
    Kind.FIND: ("shown_item", "out_of_stock", "ordered", *_COMMON),
    Kind.RETURN: ("refunded", "exchanged", "refused", *_COMMON),
    Kind.HELP: ("answered", "complaint_noted", "sent_to_desk", *_COMMON),
}

# The staff UI's languages: English, Dutch, simplified Chinese.
STAFF_LANGUAGES = ("en", "nl", "zh_Hans")

OUTCOME_WORDS: dict[str, dict[str, str]] = {
    "shown_item": {"en": "Shown the item", "nl": "Artikel gewezen", "zh_Hans": "已带到商品处"},
    "out_of_stock": {"en": "Out of stock", "nl": "Niet op voorraad", "zh_Hans": "缺货"},
    "ordered": {"en": "Ordered for the shopper", "nl": "Besteld voor de klant", "zh_Hans": "已为顾客订货"},
    "refunded": {"en": "Refunded", "nl": "Terugbetaald", "zh_Hans": "已退款"},
    "exchanged": {"en": "Exchanged", "nl": "Geruild", "zh_Hans": "已换货"},
    "refused": {"en": "Return refused", "nl": "Retour geweigerd", "zh_Hans": "拒绝退货"},
    "answered": {"en": "Question answered", "nl": "Vraag beantwoord", "zh_Hans": "已解答"},
    "complaint_noted": {"en": "Complaint noted", "nl": "Klacht genoteerd", "zh_Hans": "已记录投诉"},
    "sent_to_desk": {"en": "Sent to the service desk", "nl": "Naar de servicebalie", "zh_Hans": "已引导至服务台"},
    "shopper_gone": {"en": "Shopper had gone", "nl": "Klant was weg", "zh_Hans": "顾客已离开"},
    "other": {"en": "Other", "nl": "Anders", "zh_Hans": "其他"},
}


def outcomes_for(kind: Kind) -> tuple[str, ...]:
    """The outcomes a pager offers when resolving a request of this type."""
    return OUTCOMES[kind]


def outcome_words(outcome: str | None, language: str = "en") -> str:
    """What an outcome is called in `language` (a free text outcome as it is)."""
    if not outcome:
        return ""
    words = OUTCOME_WORDS.get(outcome)
    if words is None:
        return outcome
    return words.get(language) or words["en"]
