"""A request state says which lifecycle step made it: the store's record keeps
states as steps (core.records.entry_from_state), so every state the desk
publishes must name the very step the kiosk stored beside it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.desk import Desk
from core.escalation import Limits
from core.events import CancelRequested, HelpRequested, Publish, StaffActed, Store
from core.lifecycle import Action
from core.model import Kind, LogEntry, Request, Status
from core.records import entry_from_dict, entry_from_state, entry_to_dict
from core.wire import decode_request, encode_request

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
LIMITS = {kind: Limits(60, 180, 300) for kind in Kind}


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def steps_and_states(desk: Desk, events: list[tuple[float, object]]) -> list[tuple[LogEntry, Request]]:
    """Run events (and the escalation timer) through a desk; each stored step with the state published beside it."""
    pairs = []
    for when, event in events:
        effects = desk.handle_timer(at(when)) + (desk.handle(event, at(when)) if event is not None else [])
        stored = [e.record for e in effects if isinstance(e, Store) and isinstance(e.record, LogEntry)]
        published = [e.message for e in effects if isinstance(e, Publish) and isinstance(e.message, Request)]
        assert len(stored) == len(published)
        pairs += zip(stored, published, strict=True)
    return pairs


def scenario() -> list[tuple[float, object]]:
    return [
        (0, HelpRequested("r1", Kind.FIND, {"item": "Wall paint", "language": "nl"})),
        (1, HelpRequested("r2", Kind.HELP, {"topic": "question"})),
        (2, HelpRequested("r3", Kind.RETURN, {"reason": "broken"}, "q8Fz0XyL3vN_tR6wK2mPjA")),  # a phone token
        (20, StaffActed("r1", Action.CLAIM, "Anna", "a1")),
        (40, StaffActed("r1", Action.RELEASE, "Anna", "a2")),
        (70, None),  # r2, r3 and r1 waited past the first limit
        (75, StaffActed("r1", Action.CLAIM, "Bob", "a3")),
        (80, StaffActed("r1", Action.HANDOVER, "Bob", "a3b", None, "Cai")),
        (90, StaffActed("r1", Action.RESOLVE, "Cai", "a4", "found it")),
        (200, None),  # r2 and r3 past the second limit
        (210, CancelRequested("r3", "q8Fz0XyL3vN_tR6wK2mPjA")),  # from the shopper's phone
        (320, None),  # r2 sent to the service desk
        (330, StaffActed("r2", Action.RESOLVE, "Mia", "a5", "answered at the desk")),
    ]


def test_every_published_state_names_the_step_stored_beside_it() -> None:
    pairs = steps_and_states(Desk("kiosk-1", ZoneInfo("Europe/Amsterdam"), LIMITS), scenario())
    events = [step.event for step, _ in pairs]
    assert {"created", "claimed", "released", "escalated", "handed_over", "resolved", "cancelled"} <= set(events)
    for step, state in pairs:
        # Through the wire as the recorder receives it: all but the phone token, which stays on the kiosk.
        assert entry_from_state(decode_request(encode_request(state))) == replace(step, token="")
    assert [step.token for step, _state in pairs if step.token] == ["q8Fz0XyL3vN_tR6wK2mPjA"]


def test_steps_number_their_states_one_by_one_per_request() -> None:
    pairs = steps_and_states(Desk("kiosk-1", ZoneInfo("Europe/Amsterdam"), LIMITS), scenario())
    by_request: dict[str, list[int]] = {}
    for step, state in pairs:
        assert step.seq == state.seq
        by_request.setdefault(step.request_id, []).append(step.seq)
    assert all(seqs == list(range(1, len(seqs) + 1)) for seqs in by_request.values())


def test_a_step_keeps_its_seq_on_disk_and_old_records_read_as_seq_0() -> None:
    step = LogEntry("r1", "F-001", Kind.FIND, "kiosk-1", "claimed", T0, staff="Anna", seq=2)
    assert entry_from_dict(entry_to_dict(step)) == step
    old = entry_to_dict(step)
    del old["seq"]
    assert entry_from_dict(old).seq == 0
    with pytest.raises(ValueError, match="seq"):
        entry_from_dict({**old, "seq": -1})


def test_a_state_from_before_changed_at_falls_back_to_its_steps_own_time() -> None:
    state = Request("r1", Kind.HELP, "H-001", "kiosk-1", T0, Status.CLAIMED, seq=2, claimed_by="Anna",
                    claimed_at=at(30))  # fmt: skip
    assert entry_from_state(state).at == at(30)
    released = Request("r1", Kind.HELP, "H-001", "kiosk-1", T0, Status.OPEN, seq=3)
    with pytest.raises(ValueError, match="no time"):
        entry_from_state(released)
