"""The box's clock stepped back by NTP: the kiosk's time goes on from where it was (shell/steady_clock.py), so
the desk neither puts a new shopper ahead of those waiting nor escalates early; a step forward is taken as it
is. The wall and monotonic clocks are stood in for here (stepping the machine's own clock would move every
other process on it); the desk is the real one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.desk import Desk
from core.events import HelpRequested
from core.model import Kind
from shell.steady_clock import CATCH_UP, SteadyClock

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


class Box:
    """A wall clock NTP may step, and the monotonic clock that no step moves."""

    def __init__(self) -> None:
        self.wall, self.steady = T0, 1000.0

    def wait(self, seconds: float) -> None:
        self.wall += timedelta(seconds=seconds)
        self.steady += seconds

    def step(self, seconds: float) -> None:
        self.wall += timedelta(seconds=seconds)


def clock_of(box: Box, floor: datetime | None = None) -> SteadyClock:
    return SteadyClock(lambda: box.wall, lambda: box.steady, floor)


def test_a_step_back_neither_reorders_the_line_nor_escalates_early_and_the_clock_catches_up() -> None:
    box = Box()
    clock = clock_of(box)
    desk = Desk("kiosk-1", UTC)
    desk.handle(HelpRequested("first000000000aa", Kind.HELP), clock.now())
    box.wait(10)
    box.step(-120)  # NTP: the box was two minutes fast
    desk.handle(HelpRequested("second00000000bb", Kind.HELP), clock.now())
    first, second = desk.request("first000000000aa"), desk.request("second00000000bb")
    assert first is not None and second is not None
    assert second.created_at > first.created_at
    assert (desk.place_in_line(first.id), desk.place_in_line(second.id)) == (1, 2)
    assert clock.behind > timedelta(seconds=100)

    # The first request's 60 s limit: not passed after 55 real seconds, passed after 80.
    box.wait(45)
    assert desk.handle_timer(clock.now()) == []
    box.wait(25)
    desk.handle_timer(clock.now())
    assert [r.id for r in desk.open_requests() if r.escalation] == [first.id]

    # Level again once the wall clock has made up the step.
    box.wait(120 / (1 - CATCH_UP) + 1)
    assert clock.now() == box.wall and clock.behind == timedelta(0)


def test_a_step_forward_is_taken_and_a_restart_never_goes_below_what_was_written() -> None:
    box = Box()
    clock = clock_of(box)
    clock.now()
    box.step(3600)
    assert clock.now() == box.wall
    # Restarted with the clock an hour behind its own log: it carries on from the newest record.
    written = box.wall
    box.step(-3600)
    again = clock_of(box, floor=written)
    assert again.now() >= written
