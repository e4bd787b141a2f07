"""The shopper's visit and the idle policy, as pure rules: the time passed in
as numbers (kiosk/visit.py), no Kivy and no clock."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from kiosk.theme import HIGH_CONTRAST, LARGE_TEXT, NORMAL
from kiosk.visit import Due, Event, Idle, IdlePolicy, Visit

TIMEOUT, WARNING, THANKS = 90.0, 15.0, 6.0


def policy() -> IdlePolicy:
    return IdlePolicy(TIMEOUT, WARNING, THANKS)


def test_a_new_visit_is_english_in_normal_text_and_colours_with_no_request() -> None:
    visit = Visit()
    assert (visit.language, visit.text_scale, visit.palette, visit.request) == ("en", 1.0, NORMAL, None)


def test_the_modes_chosen_give_the_text_size_and_the_colours() -> None:
    visit = Visit(large_text=True, high_contrast=True)
    assert visit.text_scale == LARGE_TEXT and visit.palette == HIGH_CONTRAST


def test_the_shoppers_language_goes_with_their_request() -> None:
    visit = Visit()
    visit.choose_language("zh_Hant")
    assert visit.request_details({"topic": "question"}) == {"topic": "question", "language": "zh_Hant"}


def test_a_language_the_kiosk_does_not_speak_is_a_bug_and_changes_nothing() -> None:
    visit = Visit()
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        visit.choose_language("fr")
    assert visit.language == "en"


def test_on_welcome_nothing_is_timed_and_touches_change_nothing() -> None:
    idle = policy()
    idle.handle(Event.TOUCH, now=5)
    assert idle.timer() is None and idle.handle_timer(now=10_000) is None
    assert idle.handle(Event.IDLE, now=10_000) is None, "no prompt on Welcome"


def test_a_screen_starts_the_idle_timeout_and_each_touch_starts_it_again() -> None:
    idle = policy()
    idle.handle(Event.SCREEN, now=100)
    assert idle.timer() == 100 + TIMEOUT
    idle.handle(Event.TOUCH, now=150)
    assert idle.timer() == 150 + TIMEOUT
    assert idle.handle_timer(now=150 + TIMEOUT - 0.01) is None, "not yet"


def test_the_timeout_asks_and_no_answer_within_the_warning_leaves() -> None:
    idle = policy()
    idle.handle(Event.SCREEN, now=0)
    assert idle.handle_timer(now=TIMEOUT) is Due.ASK
    assert idle.state is Idle.ASKING and idle.timer() == TIMEOUT + WARNING
    assert idle.handle_timer(now=TIMEOUT + WARNING - 0.01) is None
    assert idle.handle_timer(now=TIMEOUT + WARNING) is Due.LEAVE
    assert idle.state is Idle.WELCOME and idle.timer() is None


def test_while_asked_touches_do_not_count_only_the_answer_does() -> None:
    idle = policy()
    idle.handle(Event.SCREEN, now=0)
    idle.handle_timer(now=TIMEOUT)
    idle.handle(Event.TOUCH, now=TIMEOUT + 1)
    assert idle.timer() == TIMEOUT + WARNING, "a touch beside the prompt buys no time"
    idle.handle(Event.MORE_TIME, now=TIMEOUT + 2)
    assert idle.state is Idle.WATCHING and idle.timer() == TIMEOUT + 2 + TIMEOUT


def test_a_late_timer_still_asks_first_and_never_skips_the_question() -> None:
    idle = policy()
    idle.handle(Event.SCREEN, now=0)
    assert idle.handle_timer(now=TIMEOUT + WARNING + 60) is Due.ASK, "the shopper gets the full warning"
    assert idle.timer() == TIMEOUT + WARNING + 60 + WARNING


def test_the_thank_you_screen_leaves_by_itself_unless_touched() -> None:
    idle = policy()
    idle.handle(Event.SCREEN, now=0)
    idle.handle(Event.THANKS, now=10)
    assert idle.timer() == 10 + THANKS and idle.handle_timer(now=10 + THANKS) is Due.LEAVE
    idle.handle(Event.THANKS, now=100)
    idle.handle(Event.TOUCH, now=101)
    assert idle.state is Idle.WATCHING and idle.timer() == 101 + TIMEOUT, "a shopper still at the screen"


def test_back_to_welcome_stops_every_timer_whatever_was_running() -> None:
    for first in (Event.SCREEN, Event.THANKS):
        idle = policy()
        idle.handle(first, now=0)
        idle.handle(Event.LEFT, now=1)
        assert idle.state is Idle.WELCOME and idle.timer() is None


def test_the_timeout_running_out_asks_from_any_screen_and_asks_again_while_asked() -> None:
    idle = policy()
    idle.handle(Event.SCREEN, now=0)
    assert idle.handle(Event.IDLE, now=1) is Due.ASK
    assert idle.handle(Event.IDLE, now=5) is Due.ASK and idle.timer() == 5 + WARNING


def test_the_rules_read_no_clock_and_import_no_kivy() -> None:
    for module in ("visit.py", "staff_access.py"):
        tree = ast.parse((Path(__file__).resolve().parent.parent / "kiosk" / module).read_text(encoding="utf-8"))
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not {name.split(".")[0] for name in imported} & {"kivy", "time", "datetime", "threading"}, module
