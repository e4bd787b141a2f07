"""The console pager at the web pager's depth, as real processes over a real
Mosquitto with the headless kiosk: who is on shift, hand over to a colleague,
resolve with an outcome, and the sound lines (`run_pager.py --console`, as the
README starts it).
"""

from __future__ import annotations

import shlex
from datetime import UTC, datetime

from adapters.tinydb_store import TinyDBEventLog
from core.model import Kind
from core.outcomes import outcome_words, outcomes_for
from tests.kiosk_fixture import new_store
from tests.pager_fixture import console_pager, headless_kiosk

QUICK_FIND = "[escalation]\nfind = [2, 100, 200]\n"  # a find request waits 2 s before everyone is called again


def test_two_console_pagers_hand_over_resolve_with_an_outcome_and_list_the_shift(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "kiosk.toml"
    config.write_text(QUICK_FIND, encoding="utf-8")
    store = new_store()
    kiosk = headless_kiosk(broker, store, tmp_path / "kiosk", "--config", str(config))
    anna = console_pager(broker, store, "Anna")
    ben = console_pager(broker, store, "Ben")
    try:
        anna.expect("shift Ben floor online pager")
        anna.send("shift")
        assert [anna.expect("onshift"), anna.expect("onshift"), anna.expect("onshift-listed")] == [
            "onshift Anna floor online pager",
            "onshift Ben floor online pager",
            "onshift-listed 2",
        ]
        kiosk.send("help question Where is the glue?")
        kiosk.expect("ticket H-001")
        anna.expect("new H-001")
        assert anna.expect("sound") == "sound new H-001"
        ben.expect("new H-001")
        anna.send("handover H-001 Ben")
        assert anna.expect("error") == "error H-001 is not claimed"
        anna.send("claim H-001")
        anna.expect("claimed H-001")
        anna.send("handover H-001")
        assert anna.expect("error") == "error handover needs a colleague's name, e.g. handover H-001 Ben"
        anna.send("handover H-001 ben")
        assert anna.expect("sent") == "sent handover H-001 Ben"
        assert ben.expect("handed") == "handed H-001 from=Anna to=Ben yours"
        assert anna.expect("handed") == "handed H-001 from=Anna to=Ben"
        assert [kiosk.expect("status H-001"), kiosk.expect("status H-001")] == [
            "status H-001 claimed Anna",
            "status H-001 claimed Ben",
        ]
        ben.send("outcomes H-001")
        offered = [shlex.split(ben.expect("outcome H-001")) for _ in outcomes_for(Kind.HELP)]
        assert offered == [["outcome", "H-001", code, outcome_words(code)] for code in outcomes_for(Kind.HELP)]
        anna.send("resolve H-001 answered")
        assert anna.expect("error") == "error H-001 is held by Ben"
        ben.send("resolve H-001 answered")
        assert ben.expect("closed H-001") == "closed H-001 resolved Ben outcome=answered"
        assert anna.expect("closed H-001") == "closed H-001 resolved Ben outcome=answered"
        assert kiosk.expect("status H-001") == "status H-001 resolved Ben"

        kiosk.send("find hammer")
        anna.expect("new F-001")
        assert anna.expect("sound") == "sound new F-001"
        assert anna.expect("escalated F-001").startswith("escalated F-001 level=1")
        assert anna.expect("sound") == "sound escalated F-001"
        anna.send("claim F-001")
        anna.expect("claimed F-001")
        anna.send("resolve F-001 shown_item")
        anna.expect("closed F-001")

        ben.close()
        anna.expect("shift Ben floor offline pager")
        carla = console_pager(broker, store, "Carla")
        anna.expect("shift Carla floor online pager")
        carla.proc.kill()  # no goodbye: the broker's last will takes her off shift
        carla.proc.wait(10)
        anna.expect("shift Carla floor offline pager")
        anna.send("list")
        anna.expect("listed 0")
        assert [line for line in anna.seen if line.startswith("sound")] == [
            "sound new H-001",
            "sound new F-001",
            "sound escalated F-001",
        ], "a claim, a hand over and a close are quiet"
        carla.close()
    finally:
        ben.close()
        anna.close()
        kiosk.close()
    with TinyDBEventLog(tmp_path / "kiosk", readonly=True) as log:
        steps = [(e.ticket, e.event, e.staff, e.outcome) for e in log.entries_since(datetime.now(UTC).date())]
    assert ("H-001", "handed_over", "Ben", None) in steps
    assert ("H-001", "resolved", "Ben", "answered") in steps
    assert ("F-001", "resolved", "Anna", "shown_item") in steps
