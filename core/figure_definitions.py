"""What each figure of a report means, in the words the report prints, English and Dutch.

Pure: data only. A key per figure → {"en": …, "nl": …}.
"""

from __future__ import annotations

# fmt: off
DEFINITIONS: dict[str, dict[str, str]] = {
    "requests": {
        "en": "Requests: requests created on the kiosks on the days of the report (store time).",
        "nl": "Verzoeken: verzoeken die op de dagen van het rapport (winkeltijd) op de zuilen zijn aangemaakt.",
    },
    "claimed": {
        "en": "Claimed: requests that a staff member took on at least once.",
        "nl": "Opgepakt: verzoeken die een medewerker minstens één keer heeft opgepakt.",
    },
    "unclaimed": {
        "en": "Unclaimed: requests nobody claimed and the shopper did not cancel (still open, or closed without a "
              "claim).",
        "nl": "Niet opgepakt: verzoeken die niemand oppakte en die de klant niet annuleerde (nog open, of gesloten "
              "zonder oppakken).",
    },
    "abandoned": {
        "en": "Abandoned: requests cancelled before anyone claimed them. Claimed + unclaimed + abandoned = requests.",
        "nl": "Afgehaakt: verzoeken die werden geannuleerd voordat iemand ze oppakte. Opgepakt + niet opgepakt + "
              "afgehaakt = verzoeken.",
    },
    "service_desk": {
        "en": "Sent to the service desk: requests that reached the last escalation level (3).",
        "nl": "Naar de servicebalie: verzoeken die het laatste escalatieniveau (3) bereikten.",
    },
    "time_to_claim": {
        "en": "Time to claim: from the request's creation to its first claim, over the claimed requests.",
        "nl": "Tijd tot oppakken: van het aanmaken van het verzoek tot de eerste keer oppakken, over de opgepakte "
              "verzoeken.",
    },
    "time_to_resolve": {
        "en": "Time to resolve: from the request's creation to its resolution, over the resolved requests.",
        "nl": "Tijd tot afhandelen: van het aanmaken van het verzoek tot het afhandelen, over de afgehandelde "
              "verzoeken.",
    },
    "percentiles": {
        "en": "Median / 90th percentile: the shortest time that at least 50 % / 90 % of the requests did not exceed "
              "(nearest rank); longest: the longest time of them all.",
        "nl": "Mediaan / 90e percentiel: de kortste tijd die door minstens 50 % / 90 % van de verzoeken niet werd "
              "overschreden (dichtstbijzijnde rang); langste: de langste tijd van allemaal.",
    },
    "service_level": {
        "en": "Service level: the share of requests due that were claimed within the store's target for their type. "
              "Due: every request of the days, except those cancelled unclaimed before the target had passed and "
              "those still open that have not yet waited the target.",
        "nl": "Serviceniveau: het aandeel van de verzoeken die meetellen dat binnen het doel van de winkel voor hun "
              "soort werd opgepakt. Meetellen doet elk verzoek van de dagen, behalve verzoeken die zonder oppakken "
              "werden geannuleerd voordat het doel om was, en open verzoeken die nog niet zo lang wachten.",
    },
    "periods": {
        "en": "Half hours: requests that arrived in each 30 minutes (store time); claimed: of those, claimed; "
              "above target: of those, due and not claimed within the target; longest wait: the longest wait of those "
              "(to the claim, or to the cancellation or now when never claimed).",
        "nl": "Halve uren: verzoeken die in elk half uur (winkeltijd) binnenkwamen; opgepakt: daarvan opgepakt; boven "
              "doel: daarvan meetellend en niet binnen het doel opgepakt; langste wachttijd: de langste wachttijd "
              "daarvan (tot het oppakken, of tot het annuleren of nu als niemand het oppakte).",
    },
    "volume": {
        "en": "Volume: requests by the hour of day and the weekday they were created (store time).",
        "nl": "Aantallen: verzoeken per uur van de dag en per weekdag waarop ze werden aangemaakt (winkeltijd).",
    },
    "heat_volume": {
        "en": "Heat map of volume: requests per weekday (rows) and hour (columns), over all days of the report.",
        "nl": "Heatmap van de aantallen: verzoeken per weekdag (rijen) en uur (kolommen), over alle dagen van het "
              "rapport.",
    },
    "heat_service_level": {
        "en": "Heat map of service level: the service level of the requests due in each weekday and hour; empty "
              "where none were due.",
        "nl": "Heatmap van het serviceniveau: het serviceniveau van de meetellende verzoeken per weekdag en uur; "
              "leeg waar er geen waren.",
    },
    "faces": {
        "en": "Faces: how many shoppers chose each face at the exit, 1 very unhappy to 4 very happy.",
        "nl": "Gezichten: hoeveel klanten bij de uitgang elk gezicht kozen, van 1 zeer ontevreden tot 4 zeer "
              "tevreden.",
    },
    "satisfaction_index": {
        "en": "Satisfaction index (0–100): 100 · (3·very happy + 2·happy + 1·unhappy + 0·very unhappy) / (3 · "
              "responses). 100: everyone very happy; 0: everyone very unhappy.",
        "nl": "Tevredenheidsindex (0–100): 100 · (3·zeer tevreden + 2·tevreden + 1·ontevreden + 0·zeer ontevreden) / "
              "(3 · antwoorden). 100: iedereen zeer tevreden; 0: iedereen zeer ontevreden.",
    },
    "reasons": {
        "en": "Reasons: the reasons shoppers chose, most chosen first (one response may choose several).",
        "nl": "Redenen: de redenen die klanten kozen, de vaakst gekozen eerst (één antwoord kan er meer kiezen).",
    },
    "comments": {
        "en": "Comments: what shoppers wrote, by face; only from days still within the retention period.",
        "nl": "Opmerkingen: wat klanten schreven, per gezicht; alleen van dagen die nog binnen de bewaartermijn "
              "vallen.",
    },
    "joined": {
        "en": "Feedback after help: feedback whose shopper showed the ticket of a request of these days; helped: that "
              "request was claimed; not helped: it was not. Other feedback is unjoined and counts everywhere else.",
        "nl": "Feedback na hulp: antwoorden waarbij de klant het ticket van een verzoek van deze dagen liet zien; "
              "geholpen: dat verzoek werd opgepakt; niet geholpen: niet. Andere antwoorden zijn niet gekoppeld en "
              "tellen verder overal mee.",
    },
    "claim_bands": {
        "en": "Time-to-claim bands: joined feedback by how long its request waited to be claimed: under 1 min, "
              "1–3 min, 3–5 min, over 5 min (5 min and more), never.",
        "nl": "Wachttijdgroepen: gekoppelde antwoorden naar hoe lang hun verzoek wachtte tot het werd opgepakt: onder "
              "1 min, 1–3 min, 3–5 min, boven 5 min (5 min en meer), nooit.",
    },
    "lost_demand": {
        "en": "Lost demand: searches on the Find screen that showed no item, by the words searched (compared without "
              "case and extra spaces); and items shown out of stock, by how often they were shown.",
        "nl": "Gemiste vraag: zoekopdrachten op het Zoek-scherm zonder resultaat, per gezochte woorden (zonder "
              "hoofdletters en extra spaties vergeleken); en artikelen die als niet op voorraad werden getoond, "
              "naar hoe vaak.",
    },
    "equal_service": {
        "en": "Equal service: the median time to claim per shopper language and per request type, beside the "
              "median of all claimed requests; flagged where a group's median, over at least 20 of its claims, "
              "is more than 10 % longer.",
        "nl": "Gelijke service: de mediaan van de tijd tot oppakken per taal van de klant en per soort verzoek, naast "
              "de mediaan van alle opgepakte verzoeken; gemarkeerd waar de mediaan van een groep, over minstens 20 "
              "van haar opgepakte verzoeken, meer dan 10 % langer is.",
    },
    "associates": {
        "en": "Per associate (only where the store enabled it): requests they claimed last, the median time to "
              "that claim, and requests they resolved.",
        "nl": "Per medewerker (alleen als de winkel dit heeft aangezet): verzoeken die zij als laatste oppakten, de "
              "mediaan van de tijd tot dat oppakken, en verzoeken die zij afhandelden.",
    },
    "gaps": {
        "en": "Gaps: requests whose record misses steps (a step number never received); counted, not guessed.",
        "nl": "Gaten: verzoeken waarvan de registratie stappen mist (een stapnummer dat nooit aankwam); geteld, niet "
              "geraden.",
    },
}
# fmt: on
