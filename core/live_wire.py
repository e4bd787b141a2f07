"""Today's figures and the rule alerts on the wire (docs/mqtt-api.md): JSON, "v": 1.

Pure: no I/O. Like core/wire.py, whose checks it shares, every decoder treats
its input as hostile: anything that is not exactly what the contract says
raises `WireError` with a reason a person can read, and nothing else.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from core.live import RULES, LiveFigures, RuleAlert
from core.wire import WireError, _dump, _int, _load, iso, parse_time

COUNT_MAX = 1_000_000
MINUTES_MAX = 24 * 60


def encode_figures(figures: LiveFigures) -> bytes:
    return _dump(
        {
            "kind": "figures",
            "day": figures.day.isoformat(),
            "at": iso(figures.at),
            "waiting": figures.waiting,
            "longest_wait": figures.longest_wait,
            "service_level": _rounded(figures.service_level),
            "within_target": figures.within_target,
            "due": figures.due,
            "satisfaction": _rounded(figures.satisfaction),
            "responses": figures.responses,
            "unclaimed": figures.unclaimed,
            "abandoned": figures.abandoned,
            "requests": figures.requests,
        }
    )


def decode_figures(payload: bytes) -> LiveFigures:
    body = _load(payload)
    if body.get("kind") != "figures":
        raise WireError("kind: expected 'figures'")
    figures = LiveFigures(
        day=_day(body.get("day")),
        at=parse_time(body.get("at"), "at"),  # type: ignore[arg-type]
        waiting=_int(body, "waiting", 0, COUNT_MAX),
        longest_wait=None if body.get("longest_wait") is None else _int(body, "longest_wait", 0, 10**7),
        service_level=_percent(body, "service_level"),
        within_target=_int(body, "within_target", 0, COUNT_MAX),
        due=_int(body, "due", 0, COUNT_MAX),
        satisfaction=_percent(body, "satisfaction"),
        responses=_int(body, "responses", 0, COUNT_MAX),
        unclaimed=_int(body, "unclaimed", 0, COUNT_MAX),
        abandoned=_int(body, "abandoned", 0, COUNT_MAX),
        requests=_int(body, "requests", 0, COUNT_MAX),
    )
    # Figures that contradict each other are junk, not a manager's day.
    if figures.within_target > figures.due or (figures.service_level is None) != (figures.due == 0):
        raise WireError("service_level, within_target and due do not agree")
    if (figures.satisfaction is None) != (figures.responses == 0):
        raise WireError("satisfaction and responses do not agree")
    if (figures.longest_wait is None) != (figures.waiting == 0):
        raise WireError("longest_wait and waiting do not agree")
    if max(figures.waiting, figures.due, figures.unclaimed + figures.abandoned) > figures.requests:
        raise WireError("waiting, due, and unclaimed with abandoned may not exceed requests")
    return figures


def encode_rule_alert(alert: RuleAlert) -> bytes:
    return _dump(
        {
            "kind": "rule",
            "rule": alert.rule,
            "at": iso(alert.at),
            "minutes": alert.minutes,
            "total": alert.total,
            "hits": alert.hits,
            "value": round(alert.value, 3),
            "threshold": alert.threshold,
        }
    )


def decode_rule_alert(payload: bytes) -> RuleAlert:
    body = _load(payload)
    if body.get("kind") != "rule":
        raise WireError("kind: expected 'rule'")
    rule = body.get("rule")
    if rule not in RULES:
        raise WireError(f"rule: expected one of {', '.join(RULES)}")
    alert = RuleAlert(
        rule=rule,  # type: ignore[arg-type]
        at=parse_time(body.get("at"), "at"),  # type: ignore[arg-type]
        minutes=_int(body, "minutes", 1, MINUTES_MAX),
        total=_int(body, "total", 1, COUNT_MAX),
        hits=_int(body, "hits", 0, COUNT_MAX),
        value=_number(body, "value", 100.0),
        threshold=_number(body, "threshold", 100.0),
    )
    if alert.hits > alert.total:
        raise WireError("hits may not exceed total")
    return alert


def rule_alert_record(alert: RuleAlert) -> dict[str, Any]:
    """A rule alert as the store's record keeps it (kind ALERTS): the very
    form the managers got, kind "rule" — known there by its rule and time."""
    return json.loads(encode_rule_alert(alert))  # type: ignore[no-any-return]


def rule_alert_of_record(stored: dict[str, Any]) -> RuleAlert:
    """A rule alert read back from the record; WireError when it is not one."""
    return decode_rule_alert(json.dumps(stored).encode())


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _day(value: Any) -> date:
    if not isinstance(value, str) or len(value) != 10:
        raise WireError("day: expected a date YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise WireError("day: expected a date YYYY-MM-DD") from None


def _number(body: dict[str, Any], key: str, high: float) -> float:
    value = body.get(key)
    # `type(...) in`: True is an int to Python, but not a number here; NaN fails the comparison.
    if type(value) not in (int, float) or not 0 <= float(value) <= high:  # type: ignore[arg-type]
        raise WireError(f"{key}: expected a number from 0 to {high:g}")
    return float(value)  # type: ignore[arg-type]


def _percent(body: dict[str, Any], key: str) -> float | None:
    return None if body.get(key) is None else _number(body, key, 100.0)
