"""The MQTT contract's topic tree (docs/mqtt-api.md).

Pure: no I/O. Builds topic names and tells which kind a received topic is;
core/wire.py, which re-exports these, encodes and decodes the payloads.
"""

from __future__ import annotations

from core.model import valid_id

__all__ = [
    "WireError",
    "state_topic",
    "action_topic",
    "feedback_topic",
    "alert_topic",
    "unhappy_topic",
    "all_unhappy",
    "search_topic",
    "figures_topic",
    "rule_alert_topic",
    "all_for_managers",
    "all_searches",
    "printer_topic",
    "all_printers",
    "presence_topic",
    "all_devices",
    "all_states",
    "token_topic",
    "all_tokens",
    "my_actions",
    "parse_topic",
    "selftest_topic",
    "all_selftests",
    "selftest_ack_topic",
    "my_selftest_acks",
    "selftest_result_topic",
    "all_selftest_results",
]


class WireError(ValueError):
    """A message from the network that does not follow the contract: its topic
    (here) or its payload (core/wire.py)."""


# -- topics -------------------------------------------------------------------
#
# store/<store>/requests/<kiosk>/<request_id>/state   retained, kiosk publishes
# store/<store>/requests/<kiosk>/<request_id>/action  pagers and the web service publish
# store/<store>/requests/<kiosk>/<request_id>/token   retained, kiosk publishes the phone page's token:
#                                                     the web service alone reads it
# store/<store>/feedback/<kiosk>                      kiosk publishes
# store/<store>/alerts/<kiosk>                        kiosk publishes (escalations, printer): no personal data
# store/<store>/unhappy/<kiosk>                       kiosk publishes unhappy shoppers' contact details: managers only
# store/<store>/printers/<kiosk>                      retained, kiosk publishes its printer's state
# store/<store>/searches/<kiosk>                      kiosk publishes what shoppers looked for (terms only)
# store/<store>/managers/figures                      retained, the recorder publishes today's figures: managers only
# store/<store>/managers/alerts                       the recorder's rule alerts: managers only
# store/<store>/devices/<device>                      retained presence + last will
# store/<store>/selftest/<kiosk>                      kiosk publishes the start-of-shift test alert: every pager
# store/<store>/selftest/<kiosk>/ack/<device>         a pager publishes that its person acknowledged it
# store/<store>/selftest/<kiosk>/result               retained, kiosk publishes the result: managers only
#
# The owning kiosk is a topic level so the broker ACL can say "a kiosk writes only
# its own states" (a block per device, written by broker_config/provision.py).


def state_topic(store: str, kiosk: str, request_id: str) -> str:
    return f"store/{store}/requests/{kiosk}/{request_id}/state"


def action_topic(store: str, kiosk: str, request_id: str) -> str:
    return f"store/{store}/requests/{kiosk}/{request_id}/action"


def feedback_topic(store: str, kiosk: str) -> str:
    return f"store/{store}/feedback/{kiosk}"


def alert_topic(store: str, kiosk: str) -> str:
    return f"store/{store}/alerts/{kiosk}"


def unhappy_topic(store: str, kiosk: str) -> str:
    """Unhappy shoppers who left contact details: a topic of its own so the
    broker's ACL can keep it to managers (alerts/+ is for every pager)."""
    return f"store/{store}/unhappy/{kiosk}"


def all_unhappy(store: str) -> str:
    return f"store/{store}/unhappy/+"


def search_topic(store: str, kiosk: str) -> str:
    return f"store/{store}/searches/{kiosk}"


def all_searches(store: str) -> str:
    return f"store/{store}/searches/+"


def figures_topic(store: str) -> str:
    return f"store/{store}/managers/figures"


def rule_alert_topic(store: str) -> str:
    return f"store/{store}/managers/alerts"


def all_for_managers(store: str) -> str:
    return f"store/{store}/managers/+"


def printer_topic(store: str, kiosk: str) -> str:
    return f"store/{store}/printers/{kiosk}"


def all_printers(store: str) -> str:
    return f"store/{store}/printers/+"


def presence_topic(store: str, device: str) -> str:
    return f"store/{store}/devices/{device}"


def all_devices(store: str) -> str:
    return f"store/{store}/devices/+"


def all_states(store: str) -> str:
    return f"store/{store}/requests/+/+/state"


def token_topic(store: str, kiosk: str, request_id: str) -> str:
    """The shopper's phone token of one request: kept off the state, which every pager reads."""
    return f"store/{store}/requests/{kiosk}/{request_id}/token"


def all_tokens(store: str) -> str:
    return f"store/{store}/requests/+/+/token"


def my_actions(store: str, kiosk: str) -> str:
    return f"store/{store}/requests/{kiosk}/+/action"


def selftest_topic(store: str, kiosk: str) -> str:
    return f"store/{store}/selftest/{kiosk}"


def all_selftests(store: str) -> str:
    return f"store/{store}/selftest/+"


def selftest_ack_topic(store: str, kiosk: str, device: str) -> str:
    return f"store/{store}/selftest/{kiosk}/ack/{device}"


def my_selftest_acks(store: str, kiosk: str) -> str:
    return f"store/{store}/selftest/{kiosk}/ack/+"


def selftest_result_topic(store: str, kiosk: str) -> str:
    return f"store/{store}/selftest/{kiosk}/result"


def all_selftest_results(store: str) -> str:
    return f"store/{store}/selftest/+/result"


_DEVICE_TOPICS = ("feedback", "devices", "alerts", "unhappy", "printers", "searches")


def parse_topic(store: str, topic: str) -> tuple[str, dict[str, str]]:
    """Which kind of topic this is, and its variable levels."""
    levels = topic.split("/")
    if len(levels) < 3 or levels[0] != "store" or levels[1] != store:
        raise WireError(f"topic {topic!r} is not under store/{store}/")
    rest = levels[2:]
    if len(rest) == 4 and rest[0] == "requests" and rest[3] in ("state", "action", "token"):
        if not (valid_id(rest[1]) and valid_id(rest[2])):
            raise WireError(f"bad ids in topic {topic!r}")
        return rest[3], {"kiosk": rest[1], "request_id": rest[2]}
    if len(rest) == 2 and rest[0] == "managers" and rest[1] in ("figures", "alerts"):
        return "figures" if rest[1] == "figures" else "rule_alert", {}
    if rest[0] == "selftest" and len(rest) in (2, 3, 4) and valid_id(rest[1]):
        if len(rest) == 2:
            return "selftest", {"kiosk": rest[1]}
        if len(rest) == 3 and rest[2] == "result":
            return "selftest_result", {"kiosk": rest[1]}
        if len(rest) == 4 and rest[2] == "ack" and valid_id(rest[3]):
            return "selftest_ack", {"kiosk": rest[1], "device": rest[3]}
    if len(rest) == 2 and rest[0] in _DEVICE_TOPICS and valid_id(rest[1]):
        return rest[0], {"device": rest[1]}
    raise WireError(f"unknown topic {topic!r}")
