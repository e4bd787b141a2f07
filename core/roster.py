"""Who is on shift: the staff whose pager or phone is connected now.

Pure: no I/O, no clock. Built from the devices' retained presence
(store/<s>/devices/<device>): a pager says its staff member and role, and
its last will says when it is gone; the web service lists every staff
member signed in on a phone (core/wire.py Presence.staff), and its own
last will takes them all offline at once. One person on two devices is one
line, online if either is.

Everyone who shows the roster (the Kivy and console pagers, the web pager)
asks `on_shift`; the hand over choices are the colleagues it lists online.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.lifecycle import Role

STAFF_ROLES = {role.value for role in Role}
WEB_ROLE = "web"  # the web service's presence role


@dataclass(frozen=True)
class OnShift:
    name: str
    role: str
    online: bool
    since: datetime  # when this was last said
    on: str  # "pager" | "phone" | "pager+phone"


class Roster:
    def __init__(self) -> None:
        # device -> (at, online, [(name, role)], on)
        self._devices: dict[str, tuple[datetime, bool, tuple[tuple[str, str], ...], str]] = {}

    def apply(
        self, device: str, role: str, online: bool, at: datetime, name: str, staff: tuple[tuple[str, str], ...] = ()
    ) -> bool:
        """A presence arrived; whether the roster changed (older copies are dropped)."""
        known = self._devices.get(device)
        if role == WEB_ROLE:
            # The service's last will lists nobody: those it listed are offline now.
            people, on = (staff if online or known is None else known[2]), "phone"
        elif role in STAFF_ROLES and name:
            people, on = ((name, role),), "pager"
        else:
            return False  # a kiosk, the recorder: not staff
        if known is not None and known[0] > at:
            return False
        entry = (at, online, people, on)
        if known == entry:
            return False
        self._devices[device] = entry
        return True

    def forget(self, device: str) -> bool:
        """The device's retained presence was cleared."""
        return self._devices.pop(device, None) is not None

    def on_shift(self) -> list[OnShift]:
        """Everyone known, online first, then by name."""
        people: dict[str, OnShift] = {}
        for at, online, staff, on in self._devices.values():
            for name, role in staff:
                key = name.casefold()
                seen = people.get(key)
                if seen is None:
                    people[key] = OnShift(name, role, online, at, on)
                    continue
                both = seen.on if seen.on == on else "pager+phone"
                if online and not seen.online:
                    people[key] = OnShift(name, role, True, at, both)
                elif online == seen.online:
                    people[key] = OnShift(seen.name, seen.role, online, max(at, seen.since), both)
        return sorted(people.values(), key=lambda p: (not p.online, p.name.casefold()))

    def colleagues(self, me: str) -> list[str]:
        """Whom `me` can hand a request over to: everyone else online."""
        return [p.name for p in self.on_shift() if p.online and p.name.casefold() != me.casefold()]
