"""When the daily and weekly reports are due, and what is still to make.

Pure: standard library only, no I/O, no clock (`now` is passed in). The store
server (store_server/schedule.py) keeps `Done` in a small file, asks `due`
what to make now and `next_due` when to look again, and `retry_at` after a
report failed.

Rules:
1. The day's report of day D is due at `daily_at` store-local time on D (the
   store's close). On the night the clocks go forward a time that does not
   exist that night is read as the same clock time before the change (02:30
   becomes 03:30); on the night they go back, the first of the two.
2. The week's report covers the seven days that end on `weekly_on` and is due
   with that day's report, after it.
3. A report is made once: `Done` remembers the last day and the last week made.
   Everything due since then is made, oldest first — a report missed while the
   server was down is made when it comes back — but not more than
   `CATCH_UP_DAYS` days and `CATCH_UP_WEEKS` weeks back: older ones are made by hand.
4. A store server started for the first time makes nothing that was due
   before it started (`Done.first`): started before today's `daily_at`, its
   first report is today's, at close; started after it, today's report (and
   the week's, when today ends the week) is not made — it is made by hand —
   and the first is tomorrow's (`first_start` says which).
5. A report that fails is tried again after 1, 5 and 15 minutes; after that it
   is given up (the shell logs it) and counts as done, so that the next ones are not held up.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

DAILY, WEEKLY = "daily", "weekly"
CATCH_UP_DAYS = 7
CATCH_UP_WEEKS = 4
RETRY_DELAYS = (60, 300, 900)  # seconds after the 1st, 2nd, 3rd failure


@dataclass(frozen=True)
class ReportTimes:
    daily_at: time  # store-local
    weekly_on: int  # Monday 0 … Sunday 6
    tz: tzinfo


@dataclass(frozen=True)
class Due:
    """A report to make: the store-local days `first` … `last`, due since `at`."""

    kind: str  # daily | weekly
    first: date
    last: date
    at: datetime


@dataclass(frozen=True)
class Done:
    daily: date | None = None  # the last day whose report was made
    weekly: date | None = None  # the last day of the last week whose report was made

    @staticmethod
    def first(now: datetime, times: ReportTimes) -> Done:
        """What a store server that starts for the first time counts as made: all that was due already."""
        return Done(daily=_last_due_day(now, times), weekly=_last_due_week_end(now, times))

    def after(self, report: Due) -> Done:
        if report.kind == DAILY:
            return replace(self, daily=max(report.last, self.daily or report.last))
        return replace(self, weekly=max(report.last, self.weekly or report.last))


@dataclass(frozen=True)
class FirstStart:
    """A store server's first start (rule 4): what counts as made, which of
    today's reports that leaves unmade (due before the start), and the first
    report it will make."""

    done: Done
    not_made: tuple[Due, ...]  # today's day's report, and the week's when today ends it: only by hand
    first: Due  # a day's report


def first_start(now: datetime, times: ReportTimes) -> FirstStart:
    done = Done.first(now, times)
    assert done.daily is not None and done.weekly is not None  # Done.first sets both
    today = now.astimezone(times.tz).date()
    not_made: list[Due] = []
    if done.daily >= today:  # today's close has passed
        not_made.append(Due(DAILY, today, today, due_at(today, times)))
        if done.weekly >= today:
            not_made.append(Due(WEEKLY, today - timedelta(days=6), today, due_at(today, times)))
    day = done.daily + timedelta(days=1)
    return FirstStart(done, tuple(not_made), Due(DAILY, day, day, due_at(day, times)))


def due_at(day: date, times: ReportTimes) -> datetime:
    """When day `day`'s report is due, in UTC (rule 1)."""
    local = datetime.combine(day, times.daily_at, tzinfo=times.tz)
    # A local time in the spring gap comes back changed from a round trip
    # through UTC; it then stands for the same clock time before the change.
    return local.astimezone(UTC)


def due(done: Done, now: datetime, times: ReportTimes) -> list[Due]:
    """Every report due at `now` and not made yet, oldest first, a day's before its week's."""
    found: list[Due] = []
    last_day = _last_due_day(now, times)
    oldest_day = last_day - timedelta(days=CATCH_UP_DAYS - 1)
    day = max(done.daily + timedelta(days=1) if done.daily else last_day, oldest_day)
    while day <= last_day:
        found.append(Due(DAILY, day, day, due_at(day, times)))
        day += timedelta(days=1)
    last_week = _last_due_week_end(now, times)
    oldest_week = last_week - timedelta(days=7 * (CATCH_UP_WEEKS - 1))
    end = max(_week_end_after(done.weekly, times) if done.weekly else last_week, oldest_week)
    while end <= last_week:
        found.append(Due(WEEKLY, end - timedelta(days=6), end, due_at(end, times)))
        end += timedelta(days=7)
    return sorted(found, key=lambda d: (d.at, d.kind != DAILY))


def next_due(now: datetime, times: ReportTimes) -> datetime:
    """The first moment after `now` when a report falls due (a week's falls due with a day's)."""
    day = now.astimezone(times.tz).date() - timedelta(days=1)
    while due_at(day, times) <= now:
        day += timedelta(days=1)
    return due_at(day, times)


def retry_at(failures: int, failed_at: datetime) -> datetime | None:
    """When to try a report again after its `failures`th failure; None: give it up (rule 5)."""
    if not 1 <= failures <= len(RETRY_DELAYS):
        return None
    return failed_at + timedelta(seconds=RETRY_DELAYS[failures - 1])


def _last_due_day(now: datetime, times: ReportTimes) -> date:
    day = now.astimezone(times.tz).date() + timedelta(days=1)
    while due_at(day, times) > now:
        day -= timedelta(days=1)
    return day


def _last_due_week_end(now: datetime, times: ReportTimes) -> date:
    day = _last_due_day(now, times)
    return day - timedelta(days=(day.weekday() - times.weekly_on) % 7)


def _week_end_after(day: date, times: ReportTimes) -> date:
    """The first `weekly_on` after `day` (the setting may have changed since `day`'s week was made)."""
    start = day + timedelta(days=1)
    return start + timedelta(days=(times.weekly_on - start.weekday()) % 7)


# -- the small file that remembers -------------------------------------------


def done_to_dict(done: Done) -> dict[str, Any]:
    return {
        "daily": done.daily.isoformat() if done.daily else None,
        "weekly": done.weekly.isoformat() if done.weekly else None,
    }


def done_from_dict(data: object) -> Done:
    """The remembered reports; ValueError naming what is wrong."""
    if not isinstance(data, dict):
        raise ValueError("expected an object with 'daily' and 'weekly'")
    values: dict[str, date | None] = {}
    for key in ("daily", "weekly"):
        value = data.get(key)
        if value is None:
            values[key] = None
            continue
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError(f"{key}: expected a date YYYY-MM-DD or null, got {str(value)[:20]!r}")
        try:
            values[key] = date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{key}: expected a date YYYY-MM-DD or null, got {value!r}") from None
    return Done(daily=values["daily"], weekly=values["weekly"])
