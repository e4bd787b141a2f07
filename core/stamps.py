"""Stored UTC timestamps read as whole microseconds, and the store's wall clock of each, a UTC hour at a time.

Pure: standard library only, no I/O, no clock.

Why: a year of a busy store is about 870,000 stored timestamps, and a
`datetime` made, shifted and compared for each is most of a report's time.
The record writes them one way only (core/records.to_iso_utc:
`2026-11-24T09:15:02Z` or `2026-11-24T09:15:02.250000Z`), so the text is read
by its parts: the UTC hour (`s[:13]`) once from a cache, whose first reading
went through `datetime.fromisoformat` and so was checked; the minute and second
from a table of the 3,600 valid `:MM:SS`; the microseconds as digits. Any
other text (an offset, fewer digits) goes the slow way, with the same checks
and messages as core/records.from_iso_utc. Differences of two instants are
whole microseconds divided by 10⁶, exactly what `timedelta.total_seconds()`
gives, so figures come out identical to the datetime arithmetic they replace.

Zones change their offset on the hour in UTC, so one lookup per UTC hour gives
the store's local day and hour of everything in it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo

from core.records import from_iso_utc

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = datetime(1970, 1, 1)
MICRO = timedelta(microseconds=1)
HOUR_US = 3_600_000_000
MINUTE_US = 60_000_000
SECOND_US = 1_000_000
# ":MM:SS" → microseconds into the hour, and back (a list by whole seconds into the hour).
_TAILS = {f":{m:02d}:{s:02d}": (m * 60 + s) * SECOND_US for m in range(60) for s in range(60)}
TAIL_TEXT = [f":{n // 60:02d}:{n % 60:02d}" for n in range(3600)]


class Hour:
    """One UTC hour: where it starts, the store's offset in it, and its local day and hour."""

    __slots__ = ("base", "offset", "whole", "day", "weekday", "hour", "local_prefix", "utc_prefix")

    def __init__(self, base: int, offset: int) -> None:
        self.base = base  # microseconds since 1970 (UTC) at the hour's start
        self.offset = offset  # the store's offset from UTC, microseconds
        self.whole = offset % HOUR_US == 0  # the local hour is one hour: its day and hour hold for all of it
        local = _NAIVE_EPOCH + timedelta(microseconds=base + offset)
        self.day: date = local.date()
        self.weekday = local.weekday()
        self.hour = local.hour
        self.local_prefix = f"{local:%Y-%m-%d %H}"  # + ":MM:SS" when whole
        self.utc_prefix = f"{_NAIVE_EPOCH + timedelta(microseconds=base):%Y-%m-%dT%H}"


class Stamps:
    """Reads stored timestamps for one store's zone; caches one Hour per UTC hour seen."""

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz
        self._hours: dict[str, Hour] = {}  # "2026-11-24T09" → its Hour (only prefixes checked once)
        self._bases: dict[int, Hour] = {}

    def read(self, text: object, name: str) -> int:
        """Microseconds since 1970 (UTC) of a stored timestamp; ValueError naming `name` if it is not one."""
        return self.parse(text, name)[0]

    def parse(self, text: object, name: str) -> tuple[int, Hour]:
        """(microseconds since 1970 UTC, its UTC hour) of a stored timestamp; ValueError naming `name`."""
        if type(text) is str:
            hour = self._hours.get(text[:13])
            if hour is not None:
                into = _TAILS.get(text[13:19])
                if into is not None:
                    size = len(text)
                    if size == 20 and text[19] == "Z":
                        return hour.base + into, hour
                    if size == 27 and text[19] == "." and text[26] == "Z":
                        digits = text[20:26]
                        if digits.isdigit() and digits.isascii():
                            return hour.base + into + int(digits), hour
        moment = from_iso_utc(text, name=name)
        micros = (moment - EPOCH) // MICRO
        hour = self.hour_of(micros)
        if isinstance(text, str) and text[:13] == hour.utc_prefix:
            self._hours[text[:13]] = hour
        return micros, hour

    def hour_of(self, micros: int) -> Hour:
        base = micros - micros % HOUR_US
        hour = self._bases.get(base)
        if hour is None:
            start = EPOCH + timedelta(microseconds=base)
            offset = start.astimezone(self.tz).utcoffset() or timedelta(0)
            hour = self._bases[base] = Hour(base, offset // MICRO)
        return hour

    def local(self, micros: int) -> tuple[date, int, int, int]:
        """(local day, weekday Monday 0, hour, minute) of an instant."""
        hour = self.hour_of(micros)
        if hour.whole:
            return hour.day, hour.weekday, hour.hour, (micros - hour.base) // MINUTE_US
        local = _NAIVE_EPOCH + timedelta(microseconds=micros + hour.offset)
        return local.date(), local.weekday(), local.hour, local.minute

    def day(self, micros: int) -> date:
        hour = self.hour_of(micros)
        if hour.whole:
            return hour.day
        return (_NAIVE_EPOCH + timedelta(microseconds=micros + hour.offset)).date()

    def wall(self, micros: int) -> datetime:
        """The local wall-clock time, aware in the store's zone (as the report shows comments)."""
        hour = self.hour_of(micros)
        return (_NAIVE_EPOCH + timedelta(microseconds=micros + hour.offset)).replace(tzinfo=self.tz)

    def local_text(self, micros: int | None) -> str | None:
        """`YYYY-MM-DD HH:MM:SS` in the store's zone, as the exports write it."""
        if micros is None:
            return None
        hour = self.hour_of(micros)
        if hour.whole:
            return hour.local_prefix + TAIL_TEXT[(micros - hour.base) // SECOND_US]
        return str(_NAIVE_EPOCH + timedelta(microseconds=micros + hour.offset))[:19]

    def texts(self, micros: int | None) -> tuple[str | None, str | None]:
        """(local_text, utc_text) of one instant."""
        if micros is None:
            return None, None
        hour = self.hour_of(micros)
        tail = TAIL_TEXT[(micros - hour.base) // SECOND_US]
        utc = hour.utc_prefix + tail + "Z"
        if hour.whole:
            return hour.local_prefix + tail, utc
        return str(_NAIVE_EPOCH + timedelta(microseconds=micros + hour.offset))[:19], utc

    def utc_text(self, micros: int | None) -> str | None:
        """`YYYY-MM-DDTHH:MM:SSZ`."""
        if micros is None:
            return None
        hour = self.hour_of(micros)
        return hour.utc_prefix + TAIL_TEXT[(micros - hour.base) // SECOND_US] + "Z"


def utc_datetime(micros: int | None) -> datetime | None:
    return None if micros is None else EPOCH + timedelta(microseconds=micros)


def micros_of(moment: datetime | None) -> int | None:
    return None if moment is None else (moment - EPOCH) // MICRO
