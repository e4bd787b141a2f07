"""When the reports are due (core/schedule.py), with the time passed in, across the clock changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.schedule import (
    DAILY,
    WEEKLY,
    Done,
    Due,
    ReportTimes,
    done_from_dict,
    done_to_dict,
    due,
    due_at,
    first_start,
    next_due,
    retry_at,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
CLOSE = ReportTimes(daily_at=time(21, 30), weekly_on=6, tz=AMSTERDAM)  # Sunday
SPRING, AUTUMN = date(2026, 3, 29), date(2026, 10, 25)  # both Sundays: the clocks go forward, then back


def local(day: date, hour: int, minute: int = 0, fold: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, fold=fold), tzinfo=AMSTERDAM).astimezone(UTC)


def test_the_days_report_is_due_at_close_local_time_summer_and_winter() -> None:
    assert due_at(date(2026, 1, 15), CLOSE) == datetime(2026, 1, 15, 20, 30, tzinfo=UTC)
    assert due_at(date(2026, 7, 15), CLOSE) == datetime(2026, 7, 15, 19, 30, tzinfo=UTC)
    assert due_at(SPRING, CLOSE) == datetime(2026, 3, 29, 19, 30, tzinfo=UTC)  # after the change that morning
    assert due_at(AUTUMN, CLOSE) == datetime(2026, 10, 25, 20, 30, tzinfo=UTC)


def test_a_time_in_the_spring_gap_or_twice_in_autumn_is_due_once_at_a_time_that_exists() -> None:
    night = ReportTimes(daily_at=time(2, 30), weekly_on=6, tz=AMSTERDAM)
    assert due_at(SPRING, night) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 summer time
    assert due_at(AUTUMN, night) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # the first 02:30
    # Each night's report exactly once, the nights around the change included.
    done = Done(daily=SPRING - timedelta(days=2))
    made = due(done, datetime(2026, 3, 31, 12, tzinfo=UTC), night)
    assert [(d.kind, d.last) for d in made if d.kind == DAILY] == [
        (DAILY, SPRING - timedelta(days=1)), (DAILY, SPRING), (DAILY, SPRING + timedelta(days=1)),
        (DAILY, SPRING + timedelta(days=2)),
    ]  # fmt: skip
    assert due(Done(daily=AUTUMN - timedelta(days=1), weekly=AUTUMN), local(AUTUMN, 2, 45, fold=1), night) == [
        Due(DAILY, AUTUMN, AUTUMN, datetime(2026, 10, 25, 0, 30, tzinfo=UTC))
    ]


def test_nothing_is_due_before_close_and_the_day_is_due_after_it() -> None:
    done = Done(daily=date(2026, 11, 2), weekly=date(2026, 11, 1))
    assert due(done, local(date(2026, 11, 3), 21, 29), CLOSE) == []
    [report] = due(done, local(date(2026, 11, 3), 21, 30), CLOSE)
    assert (report.kind, report.first, report.last) == (DAILY, date(2026, 11, 3), date(2026, 11, 3))
    assert due(done.after(report), local(date(2026, 11, 3), 23, 0), CLOSE) == []


def test_the_week_is_due_after_sundays_close_after_sundays_own_report() -> None:
    done = Done(daily=AUTUMN - timedelta(days=1), weekly=AUTUMN - timedelta(days=7))
    assert due(done, local(AUTUMN, 21, 29), CLOSE) == []
    made = due(done, local(AUTUMN, 21, 31), CLOSE)
    assert [(d.kind, d.first, d.last) for d in made] == [
        (DAILY, AUTUMN, AUTUMN),
        (WEEKLY, date(2026, 10, 19), AUTUMN),  # Monday … Sunday, 7 days with a 25-hour one in them
    ]


def test_reports_missed_while_the_server_was_down_are_made_oldest_first() -> None:
    done = Done(daily=date(2026, 10, 22), weekly=date(2026, 10, 18))
    back = local(date(2026, 10, 27), 9, 0)  # down from Thursday evening to Tuesday morning, over the change
    made = due(done, back, CLOSE)
    assert [(d.kind, d.last.isoformat()) for d in made] == [
        (DAILY, "2026-10-23"), (DAILY, "2026-10-24"), (DAILY, "2026-10-25"), (WEEKLY, "2026-10-25"),
        (DAILY, "2026-10-26"),
    ]  # fmt: skip
    remembered = done
    for report in made:
        remembered = remembered.after(report)
    assert remembered == Done(daily=date(2026, 10, 26), weekly=date(2026, 10, 25))
    assert due(remembered, back, CLOSE) == []


def test_a_long_outage_catches_up_only_a_week_of_days_and_four_weeks() -> None:
    made = due(Done(daily=date(2026, 1, 1), weekly=date(2026, 1, 4)), local(date(2026, 6, 1), 9), CLOSE)
    days = [d.last for d in made if d.kind == DAILY]
    weeks = [d.last for d in made if d.kind == WEEKLY]
    assert days == [date(2026, 5, 25) + timedelta(days=n) for n in range(7)]
    assert weeks == [date(2026, 5, 10), date(2026, 5, 17), date(2026, 5, 24), date(2026, 5, 31)]


def test_a_server_started_for_the_first_time_makes_nothing_that_was_due_before() -> None:
    now = local(date(2026, 11, 4), 10, 0)  # a Wednesday morning
    first = Done.first(now, CLOSE)
    assert first == Done(daily=date(2026, 11, 3), weekly=date(2026, 11, 1))
    assert due(first, now, CLOSE) == []
    assert [d.last for d in due(first, local(date(2026, 11, 4), 21, 30), CLOSE)] == [date(2026, 11, 4)]


def test_a_first_start_before_close_makes_todays_report_after_it_not() -> None:
    morning = first_start(local(date(2026, 12, 1), 10, 0), CLOSE)  # a Tuesday, before 21:30
    assert morning.not_made == () and (morning.first.kind, morning.first.first) == (DAILY, date(2026, 12, 1))
    assert morning.first.at == local(date(2026, 12, 1), 21, 30)
    assert [d.first for d in due(morning.done, local(date(2026, 12, 1), 21, 30), CLOSE)] == [date(2026, 12, 1)]
    night = first_start(local(date(2026, 12, 1), 23, 51), CLOSE)  # after today's close
    assert night.done.daily == date(2026, 12, 1)  # counted as made: never made by itself
    assert [(d.kind, d.first, d.last) for d in night.not_made] == [(DAILY, date(2026, 12, 1), date(2026, 12, 1))]
    assert (night.first.first, night.first.at) == (date(2026, 12, 2), local(date(2026, 12, 2), 21, 30))
    assert [d.first for d in due(night.done, local(date(2026, 12, 2), 21, 30), CLOSE)] == [date(2026, 12, 2)]
    sunday = first_start(local(date(2026, 11, 29), 22, 0), CLOSE)  # after the close that ends the week
    assert [(d.kind, d.first, d.last) for d in sunday.not_made] == [
        (DAILY, date(2026, 11, 29), date(2026, 11, 29)),
        (WEEKLY, date(2026, 11, 23), date(2026, 11, 29)),
    ]
    just_after_midnight = first_start(local(date(2026, 12, 2), 0, 5), CLOSE)  # yesterday's close is not today's
    assert just_after_midnight.not_made == () and just_after_midnight.first.first == date(2026, 12, 2)


def test_a_changed_weekday_starts_the_weeks_on_the_new_day() -> None:
    saturday = ReportTimes(daily_at=time(21, 30), weekly_on=5, tz=AMSTERDAM)
    made = due(Done(daily=date(2026, 11, 6), weekly=date(2026, 11, 1)), local(date(2026, 11, 7), 22), saturday)
    assert [(d.kind, d.first, d.last) for d in made] == [
        (DAILY, date(2026, 11, 7), date(2026, 11, 7)),
        (WEEKLY, date(2026, 11, 1), date(2026, 11, 7)),
    ]


def test_next_due_is_the_next_close_also_over_a_clock_change() -> None:
    assert next_due(local(date(2026, 11, 3), 10), CLOSE) == local(date(2026, 11, 3), 21, 30)
    assert next_due(local(date(2026, 11, 3), 21, 30), CLOSE) == local(date(2026, 11, 4), 21, 30)
    assert next_due(local(SPRING - timedelta(days=1), 22), CLOSE) == datetime(2026, 3, 29, 19, 30, tzinfo=UTC)
    assert next_due(local(AUTUMN - timedelta(days=1), 22), CLOSE) == datetime(2026, 10, 25, 20, 30, tzinfo=UTC)


def test_a_failed_report_is_tried_three_more_times_then_given_up() -> None:
    failed = datetime(2026, 11, 3, 20, 30, tzinfo=UTC)
    assert [retry_at(n, failed) for n in (1, 2, 3)] == [
        failed + timedelta(minutes=1), failed + timedelta(minutes=5), failed + timedelta(minutes=15)
    ]  # fmt: skip
    assert retry_at(4, failed) is None


def test_what_was_made_is_remembered_and_a_damaged_file_is_refused() -> None:
    done = Done(daily=date(2026, 11, 3), weekly=date(2026, 11, 1))
    assert done_from_dict(done_to_dict(done)) == done
    assert done_from_dict(done_to_dict(Done())) == Done()
    for bad in ([], {"daily": 20261103}, {"daily": "2026-13-01"}, {"weekly": "yesterday"}):
        with pytest.raises(ValueError):
            done_from_dict(bad)
