"""The report's words in English and Dutch, and how numbers, waits and days are written in each.

Pure: standard library only, no I/O, no clock. The HTML and the XLSX report
take every heading and label from here, so both say the same in the same
language. Words the kiosk stores in English (feedback reasons, claim bands,
the shopper's language code) are translated here for the Dutch report; a
word not known here is shown as stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from core.model import Kind

LANGUAGES = ("en", "nl")

_EN: dict[str, str] = {
    "title": "Store Assist report",
    "store": "Store",
    "period": "Period",
    "timezone": "Times in",
    "generated": "Made",
    "headline": "Headline figures",
    "requests": "Requests",
    "service_level": "Service level",
    "median_claim": "Median time to claim",
    "unclaimed": "Unclaimed",
    "service_desk": "Sent to the service desk",
    "abandoned": "Abandoned",
    "satisfaction_index": "Satisfaction index",
    "responses": "responses",
    "responses_one": "response",
    "within": "claimed within {target}",
    "within_each": "claimed within the target of its type",
    "volume": "Volume",
    "by_type": "Requests by type",
    "by_hour": "Requests by hour of day",
    "by_weekday": "Requests by weekday",
    "waits": "Waiting and service level per type",
    "type": "Type",
    "all_types": "All types",
    "claimed": "Claimed",
    "time_to_claim": "Time to claim",
    "time_to_resolve": "Time to resolve",
    "p50": "median",
    "p90": "90th percentile",
    "max": "longest",
    "target": "Target",
    "within_target": "Within target",
    "claim_chart": "Time to claim per type",
    "resolve_chart": "Time to resolve per type",
    "level_chart": "Service level per type (% claimed within the target)",
    "periods": "Half hour by half hour",
    "period_start": "From",
    "arrived": "Arrived",
    "above_target": "Above target",
    "max_wait": "Longest wait",
    "no_periods": "No requests on this day.",
    "staffing": "The staffing picture: hour × weekday",
    "heat_volume": "Requests per hour and weekday",
    "heat_level": "Service level per hour and weekday (%)",
    "fewer": "fewer",
    "more": "more",
    "low_level": "0% in time",
    "high_level": "100% in time",
    "no_requests": "no requests",
    "heat_part": "Only {days} and the hours {hours} are shown: the weekdays of this report and its hours from the "
    "first request to the last. A report of a week or more shows every weekday and hour.",
    "heat_part_one": "Only {days} and the hours {hours} are shown: the weekday of this report and its hours from the "
    "first request to the last. A report of a week or more shows every weekday and hour.",
    "and": "and",
    "heat_nothing": "No requests on the days of this report, so no map.",
    "satisfaction": "Satisfaction",
    "faces": "The four faces",
    "index_by_day": "Satisfaction index by day (0–100)",
    "index_by_hour": "Satisfaction index by hour of day (0–100)",
    "reasons": "Reasons given, most first",
    "reason": "Reason",
    "count": "Count",
    "comments": "Comments by face",
    "no_comments": "No comments.",
    "when": "When",
    "comment": "Comment",
    "joined": "Feedback after help",
    "joined_count": "{joined} responses named their ticket; {unjoined} did not.",
    "joined_count_one": "{joined} response named its ticket; {unjoined} did not.",
    "group": "Group",
    "helped": "Helped (claimed)",
    "not_helped": "Not helped (never claimed)",
    "by_claim_band": "By time to claim",
    "joined_chart": "Satisfaction index: helped or not, and by time to claim",
    "by_kind": "By request type",
    "by_associate": "By associate",
    "index": "Index",
    "lost_demand": "Lost demand",
    "searches": "{searches} searches on the kiosk.",
    "searches_one": "{searches} search on the kiosk.",
    "not_found": "Searched for and not found",
    "out_of_stock": "Found but out of stock",
    "term": "Search",
    "item": "Item",
    "nothing": "Nothing.",
    "equal_service": "Equal service",
    "overall_median": "Median time to claim, all requests: {median}",
    "by_language": "By the shopper's language",
    "language": "Language",
    "flag": "Note",
    "flagged": "waits over 10% longer",
    "associates": "Per associate",
    "associate": "Associate",
    "claims": "Claims",
    "resolves": "Resolved",
    "gaps": "Gaps in the record",
    "gaps_none": "No gaps: every request's record is complete.",
    "gaps_some": "{gaps} requests have steps missing from the record; they are counted as recorded, not guessed.",
    "gaps_some_one": "{gaps} request has steps missing from the record; it is counted as recorded, not guessed.",
    "definitions": "How the figures are counted",
    "none": "–",
    "no_data": "No data in this period.",
    "request_log": "Requests",
    "feedback": "Feedback",
    "figures": "Figures",
    "heat_maps": "Heat maps",
    "day": "Day",
    "hour": "Hour",
    "face": "Face",
}

_NL: dict[str, str] = {
    "title": "Store Assist-rapport",
    "store": "Winkel",
    "period": "Periode",
    "timezone": "Tijden in",
    "generated": "Gemaakt",
    "headline": "Kerncijfers",
    "requests": "Verzoeken",
    "service_level": "Serviceniveau",
    "median_claim": "Mediane tijd tot oppakken",
    "unclaimed": "Niet opgepakt",
    "service_desk": "Naar de servicebalie",
    "abandoned": "Afgehaakt",
    "satisfaction_index": "Tevredenheidsindex",
    "responses": "antwoorden",
    "responses_one": "antwoord",
    "within": "opgepakt binnen {target}",
    "within_each": "opgepakt binnen het doel van de soort",
    "volume": "Aantallen",
    "by_type": "Verzoeken per soort",
    "by_hour": "Verzoeken per uur van de dag",
    "by_weekday": "Verzoeken per weekdag",
    "waits": "Wachttijd en serviceniveau per soort",
    "type": "Soort",
    "all_types": "Alle soorten",
    "claimed": "Opgepakt",
    "time_to_claim": "Tijd tot oppakken",
    "time_to_resolve": "Tijd tot afhandelen",
    "p50": "mediaan",
    "p90": "90e percentiel",
    "max": "langste",
    "target": "Doel",
    "within_target": "Binnen doel",
    "claim_chart": "Tijd tot oppakken per soort",
    "resolve_chart": "Tijd tot afhandelen per soort",
    "level_chart": "Serviceniveau per soort (% opgepakt binnen het doel)",
    "periods": "Per half uur",
    "period_start": "Vanaf",
    "arrived": "Binnengekomen",
    "above_target": "Boven doel",
    "max_wait": "Langste wachttijd",
    "no_periods": "Geen verzoeken op deze dag.",
    "staffing": "Het bezettingsbeeld: uur × weekdag",
    "heat_volume": "Verzoeken per uur en weekdag",
    "heat_level": "Serviceniveau per uur en weekdag (%)",
    "fewer": "minder",
    "more": "meer",
    "low_level": "0% op tijd",
    "high_level": "100% op tijd",
    "no_requests": "geen verzoeken",
    "heat_part": "Alleen {days} en de uren {hours} worden getoond: de weekdagen van dit rapport en de uren van het "
    "eerste tot het laatste verzoek. Een rapport van een week of langer toont elke weekdag en elk uur.",
    "heat_part_one": "Alleen {days} en de uren {hours} worden getoond: de weekdag van dit rapport en de uren van het "
    "eerste tot het laatste verzoek. Een rapport van een week of langer toont elke weekdag en elk uur.",
    "and": "en",
    "heat_nothing": "Geen verzoeken op de dagen van dit rapport, dus geen kaart.",
    "satisfaction": "Tevredenheid",
    "faces": "De vier gezichten",
    "index_by_day": "Tevredenheidsindex per dag (0–100)",
    "index_by_hour": "Tevredenheidsindex per uur van de dag (0–100)",
    "reasons": "Gegeven redenen, meest genoemd eerst",
    "reason": "Reden",
    "count": "Aantal",
    "comments": "Opmerkingen per gezicht",
    "no_comments": "Geen opmerkingen.",
    "when": "Wanneer",
    "comment": "Opmerking",
    "joined": "Feedback na hulp",
    "joined_count": "{joined} antwoorden noemden hun ticket; {unjoined} niet.",
    "joined_count_one": "{joined} antwoord noemde zijn ticket; {unjoined} niet.",
    "group": "Groep",
    "helped": "Geholpen (opgepakt)",
    "not_helped": "Niet geholpen (nooit opgepakt)",
    "by_claim_band": "Naar tijd tot oppakken",
    "joined_chart": "Tevredenheidsindex: geholpen of niet, en naar tijd tot oppakken",
    "by_kind": "Naar soort verzoek",
    "by_associate": "Per medewerker",
    "index": "Index",
    "lost_demand": "Gemiste vraag",
    "searches": "{searches} zoekopdrachten op de kiosk.",
    "searches_one": "{searches} zoekopdracht op de kiosk.",
    "not_found": "Gezocht en niet gevonden",
    "out_of_stock": "Gevonden maar niet op voorraad",
    "term": "Zoekterm",
    "item": "Artikel",
    "nothing": "Niets.",
    "equal_service": "Gelijke service",
    "overall_median": "Mediane tijd tot oppakken, alle verzoeken: {median}",
    "by_language": "Naar taal van de klant",
    "language": "Taal",
    "flag": "Let op",
    "flagged": "wacht meer dan 10% langer",
    "associates": "Per medewerker",
    "associate": "Medewerker",
    "claims": "Opgepakt",
    "resolves": "Afgehandeld",
    "gaps": "Gaten in de registratie",
    "gaps_none": "Geen gaten: de registratie van elk verzoek is volledig.",
    "gaps_some": "Bij {gaps} verzoeken ontbreken stappen; ze tellen zoals geregistreerd, er wordt niets geraden.",
    "gaps_some_one": "Bij {gaps} verzoek ontbreken stappen; het telt zoals geregistreerd, er wordt niets geraden.",
    "definitions": "Hoe de cijfers worden geteld",
    "none": "–",
    "no_data": "Geen gegevens in deze periode.",
    "request_log": "Verzoeken",
    "feedback": "Feedback",
    "figures": "Cijfers",
    "heat_maps": "Heatmaps",
    "day": "Dag",
    "hour": "Uur",
    "face": "Gezicht",
}

WORDS: dict[str, Mapping[str, str]] = {"en": _EN, "nl": _NL}

KINDS = {
    "en": {Kind.FIND: "Find an item", Kind.RETURN: "Return an item", Kind.HELP: "Ask for help"},
    "nl": {Kind.FIND: "Artikel zoeken", Kind.RETURN: "Artikel retour", Kind.HELP: "Hulp vragen"},
}
FACES = {
    "en": ("Very unhappy", "Unhappy", "Happy", "Very happy"),
    "nl": ("Zeer ontevreden", "Ontevreden", "Tevreden", "Zeer tevreden"),
}
WEEKDAYS = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "nl": ("ma", "di", "wo", "do", "vr", "za", "zo"),
}
_MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "nl": ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
}

# What the kiosk stores in English, as the Dutch kiosk shows it (kiosk/locale/nl).
_STORED_NL = {
    "I waited too long": "Ik moest te lang wachten",
    "I could not find what I needed": "Ik kon niet vinden wat ik zocht",
    "Staff could not help me": "Medewerkers konden me niet helpen",
    "Prices": "Prijzen",
    "Something else": "Iets anders",
    "Quick help": "Snelle hulp",
    "Friendly staff": "Vriendelijke medewerkers",
    "I found what I needed": "Ik vond wat ik zocht",
    "Good prices": "Goede prijzen",
    "under 1 min": "onder 1 min",
    "1–3 min": "1–3 min",
    "3–5 min": "3–5 min",
    "over 5 min": "boven 5 min",
    "never": "nooit",
}
_LANGUAGE_NAMES = {
    "en": {"en": "English", "nl": "Dutch", "zh_Hans": "Chinese (simplified)", "zh_Hant": "Chinese (traditional)"},
    "nl": {
        "en": "Engels",
        "nl": "Nederlands",
        "zh_Hans": "Chinees (vereenvoudigd)",
        "zh_Hant": "Chinees (traditioneel)",
    },
}


def words(lang: str) -> Mapping[str, str]:
    """The report's words in `lang` ("en" or "nl"); any other language is refused."""
    if lang not in WORDS:
        raise ValueError(f"report language: expected one of {', '.join(LANGUAGES)}, got {lang!r}")
    return WORDS[lang]


def counted(key: str, count: int, lang: str) -> str:
    """The words of `key` said of `count` things: its singular form (`key` + "_one") for exactly one.

    English and Dutch both use the plural for none and for more than one.
    """
    table = words(lang)
    return table[f"{key}_one"] if count == 1 and f"{key}_one" in table else table[key]


def kind_name(kind: Kind | str | None, lang: str) -> str:
    if kind is None:
        return WORDS[lang]["all_types"]
    try:
        return KINDS[lang][Kind(kind)]
    except ValueError:
        return str(kind)


def stored(text: str, lang: str) -> str:
    """A word the kiosk stored in English (a reason, a claim band), in `lang` where known."""
    return _STORED_NL.get(text, text) if lang == "nl" else text


def language_name(code: str, lang: str) -> str:
    return _LANGUAGE_NAMES[lang].get(code, code)


def group_label(label: str, lang: str) -> str:
    """A group's label as figures give it: a request type, a shopper language, a band, or a name."""
    if label in {k.value for k in Kind}:
        return kind_name(label, lang)
    if label in _LANGUAGE_NAMES["en"]:
        return language_name(label, lang)
    return stored(label, lang)


def number(value: int | float, lang: str, digits: int = 0) -> str:
    """1,234.5 in English, 1.234,5 in Dutch."""
    text = f"{value:,.{digits}f}"
    if lang == "nl":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def percent(value: float | None, lang: str) -> str:
    return WORDS[lang]["none"] if value is None else number(value, lang, 1) + "%"


def duration(seconds: float | None, lang: str) -> str:
    """A wait as people say it: 45 s, 2 min 05 s, 1 h 12 min (Dutch: 1 u 12 min)."""
    if seconds is None:
        return WORDS[lang]["none"]
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min" if whole % 60 == 0 else f"{whole // 60} min {whole % 60:02d} s"
    hour = "u" if lang == "nl" else "h"
    return f"{whole // 3600} {hour} {whole % 3600 // 60:02d} min"


def axis_duration(seconds: float, lang: str) -> str:
    """A chart axis's wait: in seconds under two minutes, else in whole minutes."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    return number(seconds / 60, lang, 0 if seconds % 60 == 0 else 1) + " min"


def day_name(day: date, lang: str) -> str:
    """Mon 3 Nov 2026 / ma 3 nov 2026."""
    return f"{WEEKDAYS[lang][day.weekday()]} {day.day} {_MONTHS[lang][day.month - 1]} {day.year}"


def short_day(day: date, lang: str) -> str:
    return f"{day.day} {_MONTHS[lang][day.month - 1]}"


def clock(moment: datetime) -> str:
    return moment.strftime("%H:%M")
