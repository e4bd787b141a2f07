"""The pager service's hand over, roster and sounds on fake ports, in milliseconds.

What every pager front (the Kivy window, the console) shows comes from here;
the same scenarios run over a real Mosquitto with the console pager process in
tests/test_pager_parity_console.py.
"""

from __future__ import annotations

import json

import pytest

from core import wire
from core.board import Notice
from core.model import Kind, Status
from core.roster import OnShift
from core.sounds import SOUNDS, Sound
from shell.pager_service import ActionRefused, PagerService
from tests.fakes import Broker, Clock, kiosk_service, pager_service


@pytest.fixture
def broker() -> Broker:
    return Broker()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def say_present(broker: Broker, clock: Clock, device: str, role: str, name: str, online: bool = True) -> None:
    """What a pager's link publishes (retained) when it connects, or its last will."""
    presence = wire.Presence(device, role, online, clock.now(), name=name)
    broker.publish(wire.presence_topic("s1", device), wire.encode_presence(presence), retain=True)


def actions_sent(broker: Broker) -> list[dict[str, object]]:
    return [json.loads(payload) for topic, payload, _ in broker.published if topic.endswith("/action")]


def test_every_pager_follows_the_devices_presence() -> None:
    for role in ("floor", "returns", "manager"):
        assert "store/s1/devices/+" in PagerService.topics("s1", role)


def test_a_hand_over_goes_to_the_colleague_as_the_roster_spells_them(broker: Broker, clock: Clock) -> None:
    kiosk = kiosk_service(broker, clock)
    anna = pager_service(broker, clock, "Anna")
    ben = pager_service(broker, clock, "Ben")
    say_present(broker, clock, "pager-1", "floor", "Anna")
    say_present(broker, clock, "pager-2", "floor", "Ben")
    view = kiosk.request_help(Kind.HELP, {})
    told: list[Notice] = []
    ben.listeners.append(told.append)
    anna.act("claim", view.request.id)  # a request id names it as well as its ticket number
    anna.act("hand_over", "kiosk-1/H-001", to="ben")
    assert actions_sent(broker)[-1]["to"] == "Ben"
    handed = kiosk.view(view.request.id).request
    assert (handed.status, handed.claimed_by) == (Status.CLAIMED, "Ben")
    assert [(n.kind, n.by) for n in told][-1] == ("handed", "Anna")  # by: who handed it over
    assert ben.board.find("H-001").claimed_by == "Ben"  # type: ignore[union-attr]
    ben.act("resolve", "H-001", "answered")  # his now: only the holder may resolve
    assert kiosk.view(view.request.id).request.outcome == "answered"


@pytest.mark.parametrize(
    ("to", "words"),
    [
        (None, "hand H-001 over to a named colleague"),
        ("  ", "hand H-001 over to a named colleague"),
        ("anna", "H-001 is yours already: hand it over to a colleague"),
        ("Zed", "Zed is not on shift: hand H-001 over to Ben"),
    ],
)
def test_a_hand_over_to_nobody_oneself_or_someone_off_shift_is_refused_and_not_sent(
    broker: Broker, clock: Clock, to: str | None, words: str
) -> None:
    kiosk = kiosk_service(broker, clock)
    anna = pager_service(broker, clock, "Anna")
    say_present(broker, clock, "pager-1", "floor", "Anna")
    say_present(broker, clock, "pager-2", "floor", "Ben")
    say_present(broker, clock, "pager-3", "floor", "Carla", online=False)
    view = kiosk.request_help(Kind.HELP, {})
    anna.act("claim", "H-001")
    sent = len(actions_sent(broker))
    with pytest.raises(ActionRefused, match=f"^{words}$"):
        anna.act("hand_over", "H-001", to=to)
    assert len(actions_sent(broker)) == sent
    assert kiosk.view(view.request.id).request.claimed_by == "Anna"


def test_only_the_holder_hands_over_and_nobody_to_hand_to_is_said(broker: Broker, clock: Clock) -> None:
    anna = pager_service(broker, clock, "Anna")
    ben = pager_service(broker, clock, "Ben")
    say_present(broker, clock, "pager-1", "floor", "Anna")
    kiosk_service(broker, clock, kiosk="kiosk-2", ticket_format="N{type}-{number:03d}").request_help(Kind.HELP, {})
    with pytest.raises(ActionRefused, match="^NH-001 is not claimed$"):
        anna.act("hand_over", "NH-001", to="Ben")
    anna.act("claim", "NH-001")
    with pytest.raises(ActionRefused, match="^NH-001 is held by Anna$"):
        ben.act("hand_over", "NH-001", to="Anna")
    with pytest.raises(ActionRefused, match="^Ben is not on shift, nor is anyone else: NH-001 stays yours$"):
        anna.act("hand_over", "NH-001", to="Ben")


def test_the_roster_follows_presence_and_forgets_a_cleared_device(broker: Broker, clock: Clock) -> None:
    anna = pager_service(broker, clock, "Anna")
    seen: list[list[OnShift]] = []
    anna.roster_listeners.append(seen.append)
    say_present(broker, clock, "pager-1", "floor", "Anna")
    say_present(broker, clock, "pager-2", "returns", "Ben")
    broker.publish(
        wire.presence_topic("s1", "kiosk-1"),
        wire.encode_presence(wire.Presence("kiosk-1", "kiosk", True, clock.now(), name="North")),
        retain=True,
    )
    assert len(seen) == 2, "a kiosk's presence is not staff: no change"
    clock.advance(5)
    say_present(broker, clock, "pager-2", "returns", "Ben", online=False)  # his last will
    assert [(p.name, p.role, p.online, p.on) for p in seen[-1]] == [
        ("Anna", "floor", True, "pager"),
        ("Ben", "returns", False, "pager"),
    ]
    assert anna.roster.colleagues("Anna") == []
    broker.publish(wire.presence_topic("s1", "pager-2"), b"", retain=True)
    assert [p.name for p in seen[-1]] == ["Anna"]


def test_a_bad_presence_is_rejected_and_changes_nothing(broker: Broker, clock: Clock) -> None:
    anna = pager_service(broker, clock, "Anna")
    say_present(broker, clock, "pager-1", "floor", "Anna")
    broker.publish(wire.presence_topic("s1", "pager-2"), b'{"device": "pager-9", "online": true}', retain=True)
    assert [p.name for p in anna.roster.on_shift()] == ["Anna"]
    assert sum(anna.rejected.values()) == 1


def test_a_new_request_and_an_escalation_sound_and_nothing_else_does(broker: Broker, clock: Clock) -> None:
    kiosk = kiosk_service(broker, clock)
    anna = pager_service(broker, clock, "Anna")
    heard: list[tuple[Sound, str, str]] = []
    anna.sound_listeners.append(lambda sound, notice: heard.append((sound, notice.kind, notice.request.ticket)))
    kiosk.request_help(Kind.HELP, {})
    kiosk.request_help(Kind.RETURN, {})  # the returns team's: this floor pager does not see it
    assert heard == [(SOUNDS["new"], "new", "H-001")]
    clock.advance(61)
    kiosk.tick()  # both waited past the first limit: every pager is called again, louder
    assert sorted(heard[1:], key=lambda h: h[2]) == [
        (SOUNDS["escalated"], "escalated", "H-001"),
        (SOUNDS["escalated"], "escalated", "R-001"),
    ]
    heard.clear()
    anna.act("claim", "H-001")
    anna.act("release", "H-001")
    anna.act("claim", "H-001")
    anna.act("resolve", "H-001", "answered")
    assert heard == [], "claimed, changed and closed are quiet"
