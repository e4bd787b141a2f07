"""Who is on shift (core/roster.py), from the devices' presence as the broker delivers it. Pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core import wire
from core.roster import OnShift, Roster

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def names(roster: Roster) -> list[tuple[str, bool, str]]:
    return [(p.name, p.online, p.on) for p in roster.on_shift()]


def test_a_pager_says_who_carries_it_and_its_last_will_takes_them_off() -> None:
    roster = Roster()
    assert roster.apply("pager-anna", "floor", True, at(0), "Anna")
    assert roster.on_shift() == [OnShift("Anna", "floor", True, at(0), "pager")]
    assert roster.apply("pager-anna", "floor", False, at(0), "Anna")  # the last will keeps the connect time
    assert names(roster) == [("Anna", False, "pager")]
    assert roster.colleagues("Ben") == [], "an offline colleague cannot take a request"


def test_the_web_service_lists_everyone_on_a_phone_and_its_last_will_takes_them_all_off() -> None:
    roster = Roster()
    phones = (("Ben", "floor"), ("Mia", "manager"))
    assert roster.apply("web", "web", True, at(0), "", phones)
    assert names(roster) == [("Ben", True, "phone"), ("Mia", True, "phone")]
    assert roster.apply("web", "web", True, at(5), "", (("Mia", "manager"),)), "Ben signed out"
    assert names(roster) == [("Mia", True, "phone")]
    assert roster.apply("web", "web", False, at(5), "")  # the last will lists nobody
    assert names(roster) == [("Mia", False, "phone")], "those it listed are offline now"
    assert roster.apply("web", "web", True, at(9), "")  # back, nobody signed in yet
    assert names(roster) == []


def test_one_person_on_a_pager_and_a_phone_is_one_line_online_if_either_is() -> None:
    roster = Roster()
    roster.apply("pager-anna", "floor", True, at(0), "Anna")
    roster.apply("web", "web", True, at(1), "", (("anna", "floor"), ("Ben", "floor")))
    assert names(roster) == [("Anna", True, "pager+phone"), ("Ben", True, "phone")]
    roster.apply("pager-anna", "floor", False, at(0), "Anna")
    [anna, _ben] = roster.on_shift()
    assert (anna.name, anna.online) == ("anna", True), "still on her phone"
    roster.apply("web", "web", False, at(1), "")
    assert names(roster) == [("Anna", False, "pager+phone"), ("Ben", False, "phone")]


def test_an_older_copy_of_a_presence_is_dropped() -> None:
    roster = Roster()
    roster.apply("pager-anna", "floor", False, at(10), "Anna")
    assert not roster.apply("pager-anna", "floor", True, at(5), "Anna"), "a late copy of an earlier connect"
    assert names(roster) == [("Anna", False, "pager")]
    assert not roster.apply("pager-anna", "floor", False, at(10), "Anna"), "the same again changes nothing"
    assert roster.apply("pager-anna", "floor", True, at(11), "Anna")
    assert names(roster) == [("Anna", True, "pager")]


def test_kiosks_the_recorder_and_a_pager_with_no_name_are_not_staff() -> None:
    roster = Roster()
    assert not roster.apply("kiosk-1", "kiosk", True, at(0), "North entrance")
    assert not roster.apply("recorder", "recorder", True, at(0), "")
    assert not roster.apply("pager-1", "floor", True, at(0), "")
    assert roster.on_shift() == []


def test_a_pager_handed_to_someone_else_shows_the_new_person() -> None:
    roster = Roster()
    roster.apply("pager-1", "floor", True, at(0), "Anna")
    roster.apply("pager-1", "returns", True, at(60), "Rob")
    assert [(p.name, p.role) for p in roster.on_shift()] == [("Rob", "returns")]


def test_colleagues_are_everyone_else_online_and_the_list_is_online_first_then_by_name() -> None:
    roster = Roster()
    roster.apply("pager-cai", "floor", True, at(0), "cai")
    roster.apply("pager-anna", "floor", True, at(0), "Anna")
    roster.apply("pager-dan", "returns", False, at(0), "Dan")
    roster.apply("web", "web", True, at(0), "", (("Ben", "floor"), ("Eva", "manager")))
    assert [p.name for p in roster.on_shift()] == ["Anna", "Ben", "cai", "Eva", "Dan"]
    assert roster.colleagues("anna") == ["Ben", "cai", "Eva"], "not me, however I am written; not Dan, offline"
    assert roster.colleagues("Zed") == ["Anna", "Ben", "cai", "Eva"]


def test_a_cleared_presence_forgets_the_device() -> None:
    roster = Roster()
    roster.apply("pager-anna", "floor", True, at(0), "Anna")
    assert roster.forget("pager-anna") and not roster.forget("pager-anna")
    assert roster.on_shift() == []


def test_the_roster_reads_what_the_contract_carries() -> None:
    roster = Roster()
    for device, payload in (
        ("web", wire.encode_presence(wire.Presence("web", "web", True, at(0), staff=(("Ben", "floor"),)))),
        ("pager-anna", wire.encode_presence(wire.Presence("pager-anna", "floor", True, at(0), name="Anna"))),
    ):
        seen = wire.decode_presence(device, payload)
        roster.apply(seen.device, seen.role, seen.online, seen.at, seen.name, seen.staff)
    assert names(roster) == [("Anna", True, "pager"), ("Ben", True, "phone")]
