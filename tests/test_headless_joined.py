"""The headless kiosk as a real process: feedback names the ticket it is
about (`feedback ticket=<number, request id or QR link> …`), at this kiosk or
at the other entrance's; a ticket that names nothing is refused and nothing is
kept; `feedback contact=…` keeps the shopper's contact as the screen checks it
and an unhappy face with one alerts the managers, a bad contact is refused and
nothing kept; `search <terms>` prints what the finder found and keeps the
search, on disk and on a real Mosquitto."""

from __future__ import annotations

import json
import shlex
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from adapters.tinydb_store import TinyDBEventLog
from core import wire
from tests.processes import LineProcess
from tests.search_listener import SearchListener
from tests.services import retained
from tests.web_process import Subscriber


def headless(broker, store: str, data_dir: Path, device: str, *config: str) -> LineProcess:  # type: ignore[no-untyped-def]
    proc = LineProcess(
        "run_kiosk.py", "--headless", "--broker", broker.url, "--store", store,
        "--data-dir", str(data_dir), "--device", device, *config,
    )  # fmt: skip
    proc.expect("ready")
    proc.expect("connection up")
    return proc


def kept(data_dir: Path):  # type: ignore[no-untyped-def]
    today = date.today()
    with TinyDBEventLog(data_dir, readonly=True) as log:
        first, last = today - timedelta(days=1), today + timedelta(days=1)
        return log.feedback_between(first, last), log.searches_between(first, last)


def test_feedback_names_a_ticket_of_either_entrance_and_a_bad_one_is_refused(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = f"s{uuid.uuid4().hex[:8]}"
    north, south = (
        headless(broker, store, tmp_path / "north", "kiosk-1"),
        headless(broker, store, tmp_path / "south", "kiosk-2"),
    )
    try:
        north.send("help question Which paint?")
        helped = dict(w.split("=", 1) for w in shlex.split(north.expect("ticket"))[2:])["id"]
        north.send("feedback ticket=H-001 4 quick Anna was great")
        assert north.expect("feedback").split()[-2:] == [f"request={helped}", "thanks"]
        # The shopper came in at the north entrance and leaves by the south one, scanning the QR code.
        south.send(f"feedback ticket={helped} 2 - took a while")
        assert f"request={helped}" in south.expect("feedback").split()
        south.send(f"feedback ticket=https://shop.example/t/{store}/{helped} 3")
        assert f"request={helped}" in south.expect("feedback").split()
        for bad in ("ticket=8710103123456 4", "ticket=H-001 3", "ticket= 4", "ticket=https://evil.example/x 1"):
            south.send(f"feedback {bad}")  # H-001 is north's number: south cannot know it
            assert "feedback not kept" in south.expect("error"), bad
        south.send("feedback 1 - no ticket with me")
        unjoined = south.expect("feedback")
        assert "request=" not in unjoined and "rating=1" in unjoined
    finally:
        assert north.close() == 0 and south.close() == 0
    [at_north], _ = kept(tmp_path / "north")
    at_south, _ = kept(tmp_path / "south")
    assert at_north.request_id == helped and at_north.comment == "Anna was great"
    assert [(f.rating, f.request_id) for f in at_south] == [(2, helped), (3, helped), (1, "")], "nothing of the refused"


def test_the_link_to_a_tickets_phone_page_joins_feedback_at_either_entrance(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = f"s{uuid.uuid4().hex[:8]}"
    config = tmp_path / "kiosk.toml"
    config.write_text('[printer]\nqr_url = "https://assist.example/t/{token}"\n')
    north = headless(broker, store, tmp_path / "north", "kiosk-1", "--config", str(config))
    south = headless(broker, store, tmp_path / "south", "kiosk-2")  # its own tickets carry the request id
    try:
        south.send("help other")
        assert "link=" not in south.expect("ticket"), "no {token} in its qr_url: no phone page, as before"
        north.send("help question Which paint?")
        words = dict(w.split("=", 1) for w in shlex.split(north.expect("ticket"))[2:])
        helped, link = words["id"], words["link"]
        token = link.removeprefix("https://assist.example/t/")
        assert len(token) == 22 and helped not in link
        north.send(f"feedback ticket={link} 3")
        assert f"request={helped}" in north.expect("feedback").split()
        # The shopper leaves by the south entrance, whose kiosk hears north's tokens on the broker.
        retained(broker, wire.token_topic(store, "kiosk-1", helped), 1)
        deadline = time.monotonic() + 10
        while True:
            south.send(f"feedback ticket={link} 4 quick")
            answer = south.expect("")
            if answer.startswith("feedback") or time.monotonic() > deadline:
                break
        assert f"request={helped}" in answer.split(), answer
        stranger = "https://assist.example/t/" + "Z" * 22
        for kiosk in (north, south):
            kiosk.send(f"feedback ticket={stranger} 1")
            refusal = kiosk.expect("error")
            assert "feedback not kept" in refusal and "Z" * 22 not in refusal, "a refusal never repeats a token"
    finally:
        assert north.close() == 0 and south.close() == 0
    assert [f.request_id for f in kept(tmp_path / "south")[0]] == [helped], "nothing of the refused"
    for proc in (north, south):
        assert not [line for line in proc.stderr if token in line], "no log line holds the token"


def test_a_search_prints_what_was_found_and_is_kept_and_published_once(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = f"s{uuid.uuid4().hex[:8]}"
    listener = SearchListener(broker, store)
    kiosk = headless(broker, store, tmp_path / "k", "kiosk-1")
    try:
        kiosk.send("search blu pant")
        found = shlex.split(kiosk.expect("found"))
        assert found[:3] == ["found", "PNT-1002", "Wall paint blue matt 2.5 l"] and "aisle=7" in found
        searched = kiosk.expect("searched").split()
        assert searched[2:] == ["results=1", "out_of_stock=0"]
        kiosk.send("search unicorn glitter")
        assert kiosk.expect("searched").split()[2:] == ["results=0", "out_of_stock=0"]
        kiosk.send("search")
        assert "search needs" in kiosk.expect("error")
        listener.wait_for(2)
    finally:
        assert kiosk.close() == 0
        listener.close()
    published = listener.messages()
    assert [topic for topic, _p in published] == [wire.search_topic(store, "kiosk-1")] * 2
    assert [json.loads(p)["term"] for _t, p in published] == ["blu pant", "unicorn glitter"]
    _, searches = kept(tmp_path / "k")
    assert [wire.decode_search(p) for _t, p in published] == searches
    assert searches[0].id == searched[1]


def test_feedback_with_a_contact_is_kept_and_an_unhappy_one_alerts_the_managers(broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = f"s{uuid.uuid4().hex[:8]}"
    managers = Subscriber(broker.port, wire.unhappy_topic(store, "kiosk-1"))
    kiosk = headless(broker, store, tmp_path / "k", "kiosk-1")
    try:
        kiosk.send("help question Which paint?")
        helped = dict(w.split("=", 1) for w in shlex.split(kiosk.expect("ticket"))[2:])["id"]
        refused = (
            "contact=hello 1", "contact='+31 6 12' 1 waited", "contact= 1", "contact=@example.com 2",
            "contact='+31 6 5555 0101 1 waited", "contact=a@b.nl contact=c@d.nl 1", "contact=a@b.nl 5",
        )  # fmt: skip
        for bad in refused:
            kiosk.send(f"feedback {bad}")
            refusal = kiosk.expect("error")
            assert "not kept" in refusal or "needs a rating" in refusal, bad
            assert "hello" not in refusal and "+31" not in refusal, "a refusal never repeats what the shopper typed"
        kiosk.send("feedback contact='+31 6 5555 0101' 1 waited,staff Nobody came to the paint desk")
        unhappy = kiosk.expect("feedback").split()
        assert unhappy[2:] == ["rating=1", "face='very", "unhappy'", "contact=kept", "thanks"]
        assert "+31" not in " ".join(unhappy)
        kiosk.send("feedback ticket=H-001 contact=anna@example.com 4 quick")  # happy: kept, no alert
        assert kiosk.expect("feedback").split()[-3:] == [f"request={helped}", "contact=kept", "thanks"]
        kiosk.send('feedback contact="ben@example.com" ticket=H-001 2 - took a while')
        assert kiosk.expect("feedback").split()[-3:] == [f"request={helped}", "contact=kept", "thanks"]
        managers.wait(lambda m: m["contact"] == "ben@example.com")
    finally:
        assert kiosk.close() == 0
        managers.close()
    assert [(m["rating"], m["contact"], m["reasons"], m["comment"], m["request_id"]) for m in managers.got] == [
        (1, "+31 6 5555 0101", ["I waited too long", "Staff could not help me"], "Nobody came to the paint desk", ""),
        (2, "ben@example.com", [], "took a while", helped),
    ], "the managers hear the unhappy ones, in order, and not the happy one"
    feedback, _ = kept(tmp_path / "k")
    assert [(f.rating, f.contact, f.request_id) for f in feedback] == [
        (1, "+31 6 5555 0101", ""), (4, "anna@example.com", helped), (2, "ben@example.com", helped),
    ], "nothing of the refused"  # fmt: skip
