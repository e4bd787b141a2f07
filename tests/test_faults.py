"""Bad days on real parts: the broker crashes, a pager is away, two staff tap at once.

A real Mosquitto (with the production config's persistence settings where the
test is about a crash), the real paho transport, the durable outbox on disk.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from adapters.paho_transport import PahoTransport
from core import wire
from core.model import Kind, Status
from shell.pager_service import PagerService
from tests.broker import Mosquitto, persistent
from tests.services import TIMEOUT, is_notice, is_view, kiosk, new_store, pager

# How long the pager is away in the outage test; the issue asks for 2 minutes.
AWAY_SECONDS = float(os.environ.get("STORE_ASSIST_AWAY_SECONDS", "120"))


def news(seen: list[object]) -> list[str]:
    return [n.request.ticket for n in seen if getattr(n, "kind", None) == "new"]  # type: ignore[attr-defined]


def test_a_broker_killed_mid_burst_loses_none_of_200_requests_and_repeats_none(tmp_path: Path) -> None:
    (tmp_path / "broker").mkdir()
    broker = Mosquitto(tmp_path / "broker", extra=persistent(tmp_path / "broker"))
    broker.start()
    store = new_store()
    try:
        with (
            pager(broker, store, "Anna", session_expiry=600) as (_p, pr),
            kiosk(broker, store, outbox=tmp_path / "outbox", session_expiry=600) as (k, kr),
        ):
            for n in range(100):
                kr.loop.call_soon(k.request_help, Kind.HELP, {"note": f"burst {n}"})
            pr.wait_for(lambda _n: len(news(pr.seen)) >= 20)
            broker.kill()  # in the middle: some delivered, some in flight, some not yet sent
            for n in range(100, 200):
                kr.loop.call_soon(k.request_help, Kind.HELP, {"note": f"burst {n}"})
            broker.start()
            with pr.changed:
                done = pr.changed.wait_for(lambda: len(news(pr.seen)) >= 200, 90)
            assert done, f"only {len(news(pr.seen))} of 200 reached the pager"
            assert news(pr.seen) == [f"H-{n:03d}" for n in range(1, 201)], "each once, in order"
            assert k.transport.wait_empty(TIMEOUT), "acknowledged messages left in the outbox"  # type: ignore[attr-defined]
        assert list((tmp_path / "outbox").glob("*.json")) == []
    finally:
        broker.stop()


def test_a_pager_away_for_two_minutes_gets_everything_published_meanwhile(broker) -> None:  # type: ignore[no-untyped-def]
    store = new_store()
    received: list[tuple[str, int]] = []
    arrived = threading.Condition()

    def deliver(topic: str, payload: bytes) -> None:
        state = wire.decode_request(payload)
        with arrived:
            received.append((state.ticket, state.seq))
            arrived.notify_all()

    def pager_transport() -> PahoTransport:
        # The pager's own adapter, as a pager builds it: fixed id, kept session.
        transport = PahoTransport(
            broker.url, f"{store}-pager-away", subscriptions=[wire.all_states(store)], session_expiry=600,
        )  # fmt: skip
        transport.start(deliver)
        assert transport.wait_connected(TIMEOUT)
        return transport

    pager_transport().close()  # signed in once, then gone: the broker keeps its session
    left = time.monotonic()
    published: list[tuple[str, int]] = []
    with kiosk(broker, store) as (k, kr), pager(broker, store, "Anna") as (a, ar):
        for n in range(10):
            published.append((kr.call(k.request_help, Kind.FIND, {"item": f"item {n}"}).request.ticket, 1))
        # One request moves on twice while the pager is away: only the kept
        # session can deliver its middle state (the retained copy is the last).
        ar.wait_for(is_notice("new", "F-001"))
        ar.call(a.act, "claim", "F-001")
        ar.wait_for(is_notice("claimed", "F-001"))
        ar.call(a.act, "release", "F-001")
        kr.wait_for(lambda v: is_view(Status.OPEN, "F-001")(v) and v.request.seq == 3)  # type: ignore[attr-defined]
        published += [("F-001", 2), ("F-001", 3)]
    # The outage lasts its full length: this is the condition under test, not a wait for an event.
    time.sleep(max(0.0, AWAY_SECONDS - (time.monotonic() - left)))
    back = pager_transport()
    try:
        with arrived:
            assert arrived.wait_for(lambda: set(published) <= set(received), 30), sorted(set(published) - set(received))
    finally:
        back.close()


def test_two_pagers_claiming_together_200_times_always_get_one_winner_everyone_agrees_on(broker) -> None:  # type: ignore[no-untyped-def]
    store = new_store()
    with (
        kiosk(broker, store) as (k, kr),
        pager(broker, store, "Anna") as (a, ar),
        pager(broker, store, "Bob") as (b, br),
    ):
        winners = []
        for n in range(1, 201):
            ticket = f"F-{n:03d}"
            kr.call(k.request_help, Kind.FIND, {"item": f"item {n}"})
            ar.wait_for(is_notice("new", ticket))
            br.wait_for(is_notice("new", ticket))
            barrier = threading.Barrier(2, timeout=TIMEOUT)

            def claim_together(
                service: PagerService, ticket: str = ticket, barrier: threading.Barrier = barrier
            ) -> None:
                barrier.wait()  # both ask before either can have seen the other's claim
                service.act("claim", ticket)

            ar.loop.call_soon(claim_together, a)
            br.loop.call_soon(claim_together, b)
            final = kr.wait_for(is_view(Status.CLAIMED, ticket)).request.claimed_by  # type: ignore[attr-defined]
            winner, loser = (ar, br) if final == "Anna" else (br, ar)
            winner.wait_for(is_notice("claimed", ticket))
            assert loser.wait_for(is_notice("taken", ticket)).by == final  # type: ignore[attr-defined]
            for service, side in ((a, ar), (b, br)):
                holder = side.call(lambda s=service, t=ticket: s.board.find(t).claimed_by)
                assert holder == final
            winners.append(final)
        assert len(winners) == 200 and set(winners) <= {"Anna", "Bob"}
        assert sum(count for reason, count in k.rejected.items() if "already claimed" in reason) == 200
