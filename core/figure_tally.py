"""The figures counted as the record streams: requests as numbers, feedback and searches as stored.

Pure: standard library only, no I/O, no clock (`now` is passed in). The one
place the figures are computed: core/figures.compute feeds it objects (tests,
hand-made data), manager/record.py feeds it the record's files as read, so a
year of feedback and searches is counted without a Feedback or Search made
of any of it. Instants are whole microseconds since 1970 UTC (core/stamps.py);
times in the figures are seconds, `(end - start) / 10⁶`, as datetime would
give. Definitions: core/figure_definitions.py; shapes: core/figure_values.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from core.figure_math import (
    CLAIM_BANDS,
    FLAG_MIN_CLAIMS,
    FLAG_RATIO,
    KINDS,
    LANGUAGE_UNKNOWN,
    claim_band,
    face_counts,
    median,
    normalise_term,
    percentiles,
    service_numbers,
)  # fmt: skip
from core.figure_values import (
    Associate,
    DayPeriods,
    EqualService,
    Figures,
    Group,
    HeatMap,
    Joined,
    KindFigures,
    LostDemand,
    Period,
    Ranked,
    Satisfaction,
    WaitGroup,
)  # fmt: skip
from core.model import FACES, Kind
from core.records import VERSION, feedback_from_dict, search_from_dict
from core.stamps import Stamps


class _KindTally:
    __slots__ = ("requests", "claimed", "abandoned", "service_desk", "claims", "resolves", "due", "within")

    def __init__(self) -> None:
        self.requests = self.claimed = self.abandoned = self.service_desk = self.due = self.within = 0
        self.claims: list[float] = []
        self.resolves: list[float] = []

    def figures(self, kind: Kind | None, target: int) -> KindFigures:
        return KindFigures(
            kind=kind, requests=self.requests, claimed=self.claimed,
            unclaimed=self.requests - self.claimed - self.abandoned, abandoned=self.abandoned,
            service_desk=self.service_desk, time_to_claim=percentiles(self.claims),
            time_to_resolve=percentiles(self.resolves), target_seconds=target, within_target=self.within,
            service_level=100 * self.within / self.due if self.due else None, due=self.due,
        )  # fmt: skip


class FigureTally:
    """Counts the store-local days [first, last]: requests first (add_request), then feedback, then searches."""

    def __init__(
        self, stamps: Stamps, first: date, last: date, targets: Mapping[Kind, int], per_associate: bool,
        retention_cutoff: date | None, now: int,
    ) -> None:  # fmt: skip
        self.stamps, self.first, self.last, self.targets = stamps, first, last, targets
        self.per_associate, self.cutoff, self.now = per_associate, retention_cutoff, now
        self.total, self.kinds = _KindTally(), {kind: _KindTally() for kind in KINDS}
        self.by_hour, self.by_weekday = [0] * 24, [0] * 7
        self.heat_volume = [[0] * 24 for _ in range(7)]
        self.heat_due, self.heat_within = [[0] * 24 for _ in range(7)], [[0] * 24 for _ in range(7)]
        period_days = {first + timedelta(days=n) for n in range((last - first).days + 1)}
        self.period_days = period_days if len(period_days) <= 7 else {last}
        self.periods: dict[tuple[date, int], list[Any]] = {}  # (day, half hour) → arrived, claimed, above, max wait
        self.by_id: dict[str, tuple[bool, float | None, Kind, str | None]] = {}  # what joined feedback needs
        self.by_language: dict[str, list[Any]] = {}  # label → [requests, *seconds to claim]
        self.by_kind: dict[str, list[Any]] = {}
        self.claims_by_staff: dict[str, list[float]] = {}
        self.resolves_by_staff: dict[str, int] = {}
        self.gaps = 0
        # feedback
        self.faces = [0, 0, 0, 0]
        self.faces_by_day: dict[date, list[int]] = {}
        self.faces_by_hour = [[0, 0, 0, 0] for _ in range(24)]
        self.reasons: Counter[str] = Counter()
        self.comments: list[tuple[int, datetime, str]] = []
        self.joined_faces: dict[tuple[str, str], list[int]] = {}  # (what, label) → faces
        self.joined = self.unjoined = 0
        # Counted in another process, without the requests: feedback naming a request waits here to be joined.
        self.defer_joins = False
        self.pending: list[tuple[int, str]] = []
        # searches
        self.not_found: Counter[str] = Counter()
        self.out_of_stock: Counter[str] = Counter()
        self.searches = 0

    def add_request(
        self, request_id: str, kind: Kind, created: int, claimed: int | None, claimed_by: str | None,
        resolved: int | None, resolved_by: str | None, cancelled: int | None, escalation: int, service_desk: bool,
        language: str,
    ) -> None:  # fmt: skip
        """One request asked at `created` (microseconds; others are not counted here, only their gaps)."""
        day, weekday, hour, minute = self.stamps.local(created)
        if not self.first <= day <= self.last:
            return
        target = self.targets.get(kind, 60)
        due, within, waited = service_numbers(
            created, claimed, cancelled if cancelled is not None else resolved, target, self.now
        )
        to_claim = None if claimed is None else (claimed - created) / 1_000_000
        to_resolve = None if resolved is None else (resolved - created) / 1_000_000
        for tally in (self.total, self.kinds[kind]):
            tally.requests += 1
            if claimed is not None:
                tally.claimed += 1
                tally.claims.append(to_claim)  # type: ignore[arg-type]
            elif cancelled is not None:
                tally.abandoned += 1
            tally.service_desk += service_desk
            if to_resolve is not None:
                tally.resolves.append(to_resolve)
            tally.due += due
            tally.within += within
        self.by_hour[hour] += 1
        self.by_weekday[weekday] += 1
        self.heat_volume[weekday][hour] += 1
        self.heat_due[weekday][hour] += due
        self.heat_within[weekday][hour] += within
        if day in self.period_days:
            cell = self.periods.setdefault((day, (hour * 60 + minute) // 30), [0, 0, 0, -1.0])
            cell[0] += 1
            cell[1] += claimed is not None
            cell[2] += due and not within
            cell[3] = max(cell[3], waited)
        self.by_id[request_id] = (claimed is not None, to_claim, kind, claimed_by)
        for groups, label in ((self.by_language, language or LANGUAGE_UNKNOWN), (self.by_kind, kind.value)):
            group = groups.get(label)
            if group is None:
                group = groups[label] = [0]
            group[0] += 1
            if to_claim is not None:
                group.append(to_claim)
        if self.per_associate:
            if claimed_by is not None and to_claim is not None:
                self.claims_by_staff.setdefault(claimed_by, []).append(to_claim)
            if resolved_by is not None:
                self.resolves_by_staff[resolved_by] = self.resolves_by_staff.get(resolved_by, 0) + 1

    def feedback_table(self, table: Mapping[str, Any], seen: set[str] | None = None) -> None:
        """Stored feedback records (doc id → record) of one file; ids in `seen` are copies and skipped.
        ValueError `record <id>: <what is wrong>` for the first record that cannot be read."""
        parse, local, first, last, cutoff = self.stamps.parse, self.stamps.local, self.first, self.last, self.cutoff
        faces, by_day, by_hour, named = self.faces, self.faces_by_day, self.faces_by_hour, []
        for doc_id, record in table.items():
            try:
                rating, fid, reasons = record["rating"], record["id"], record.get("reasons", [])
                comment, request_id = record.get("comment", ""), record.get("request_id") or ""
                if (
                    record["v"] != VERSION
                    or type(rating) is not int
                    or rating not in FACES
                    or type(fid) is not str
                    or type(record["kiosk"]) is not str
                    or type(reasons) is not list
                    or (reasons and not all(type(r) is str for r in reasons))
                    or type(comment) is not str
                    or type(record.get("contact", "")) is not str
                    or type(request_id) is not str
                ):
                    raise ValueError
                at, stamp = parse(record["given_at"], "feedback record: given_at")
            except (KeyError, TypeError, ValueError, AttributeError):
                try:
                    item = feedback_from_dict(record)  # says what is wrong
                except ValueError as exc:
                    raise ValueError(f"record {doc_id}: {exc}") from None
                rating, fid, reasons, comment = item.rating, item.id, list(item.reasons), item.comment
                request_id, (at, stamp) = item.request_id, parse(record["given_at"], "given_at")
            if seen is not None and fid in seen:
                continue
            if stamp.whole:
                day, hour = stamp.day, stamp.hour
            else:
                day, _, hour, _ = local(at)
            if not first <= day <= last:
                continue
            if seen is not None:
                seen.add(fid)
            face = rating - 1
            faces[face] += 1
            counts = by_day.get(day)
            if counts is None:
                by_day[day] = counts = [0, 0, 0, 0]
            counts[face] += 1
            by_hour[hour][face] += 1
            if reasons:
                self.reasons.update(reasons)
            if comment and (cutoff is None or day >= cutoff):
                self.comments.append((rating, self.stamps.wall(at), comment))
            if request_id:
                named.append((face, request_id))
            else:
                self.unjoined += 1
        if self.defer_joins:
            self.pending.extend(named)
        else:
            self.join(named)

    def join(self, named: Iterable[tuple[int, str]]) -> None:
        """Feedback (face − 1, request id) that names a request: joined when the request is counted here."""
        by_id = self.by_id
        for face, request_id in named:
            row = by_id.get(request_id)
            if row is None:
                self.unjoined += 1
                continue
            helped, to_claim, kind, claimed_by = row
            self.joined += 1
            labels = [("helped", "helped" if helped else "not helped"), ("band", claim_band(to_claim)),
                      ("kind", kind.value)]  # fmt: skip
            if self.per_associate and claimed_by is not None:
                labels.append(("associate", claimed_by))
            for key in labels:
                group = self.joined_faces.get(key)
                if group is None:
                    self.joined_faces[key] = group = [0, 0, 0, 0]
                group[face] += 1

    def search_table(self, table: Mapping[str, Any]) -> None:
        """Stored searches (doc id → record) of one file; ValueError `record <id>: …` for a bad one."""
        read, day_of, first, last = self.stamps.read, self.stamps.day, self.first, self.last
        for doc_id, record in table.items():
            try:
                term, results, out = record["term"], record.get("results", 0), record.get("out_of_stock", [])
                taken = record.get("taken")
                if (
                    record["v"] != VERSION
                    or type(record["id"]) is not str
                    or type(record["kiosk"]) is not str
                    or type(term) is not str
                    or type(results) is not int
                    or results < 0
                    or type(out) is not list
                    or (out and not all(type(item) is str for item in out))
                    or not (taken is None or type(taken) is str)
                ):
                    raise ValueError
                at = read(record["at"], "search record: at")
            except (KeyError, TypeError, ValueError, AttributeError):
                try:
                    search = search_from_dict(record)
                except ValueError as exc:
                    raise ValueError(f"record {doc_id}: {exc}") from None
                term, results, out, at = (
                    search.term,
                    search.results,
                    list(search.out_of_stock),
                    read(record["at"], "at"),
                )
            if not first <= day_of(at) <= last:
                continue
            self.searches += 1
            if results == 0:
                term = normalise_term(term)
                if term:
                    self.not_found[term] += 1
            if out:
                self.out_of_stock.update(out)

    def take_streams(self, other: FigureTally) -> None:
        """The feedback and search counts of `other` (counted with defer_joins), joined to the requests here."""
        self.faces, self.faces_by_day, self.faces_by_hour = other.faces, other.faces_by_day, other.faces_by_hour
        self.reasons, self.comments, self.unjoined = other.reasons, other.comments, self.unjoined + other.unjoined
        self.not_found, self.out_of_stock, self.searches = other.not_found, other.out_of_stock, other.searches
        self.join(other.pending)

    def figures(self, *, store: str, store_name: str, now: datetime) -> Figures:
        first, last, targets, tz = self.first, self.last, self.targets, self.stamps.tz
        overall = median(to_claim for _, to_claim, _, _ in self.by_id.values() if to_claim is not None)
        associates = None
        if self.per_associate:
            claims, resolves = self.claims_by_staff, self.resolves_by_staff
            associates = tuple(
                Associate(name, len(claims.get(name, [])), median(claims.get(name, [])), resolves.get(name, 0))
                for name in sorted(set(claims) | set(resolves))
            )
        return Figures(
            store=store, store_name=store_name, first=first, last=last, timezone=str(tz),
            generated_at=now.astimezone(tz),
            total=self.total.figures(None, max(targets.values(), default=60)),
            kinds=tuple(self.kinds[kind].figures(kind, targets.get(kind, 60)) for kind in KINDS),
            volume_by_hour=tuple(self.by_hour), volume_by_weekday=tuple(self.by_weekday),
            days=tuple(self._day_periods(day) for day in sorted(self.period_days)),
            heat_volume=HeatMap(tuple(tuple(float(n) for n in line) for line in self.heat_volume),
                                tuple(tuple(line) for line in self.heat_volume)),
            heat_service_level=HeatMap(
                tuple(tuple(100 * w / d if d else None for w, d in zip(wl, dl, strict=True))
                      for wl, dl in zip(self.heat_within, self.heat_due, strict=True)),
                tuple(tuple(line) for line in self.heat_due),
            ),
            satisfaction=self._satisfaction(), joined=self._joined(),
            lost_demand=LostDemand(_ranked(self.not_found), _ranked(self.out_of_stock), self.searches),
            equal_service=EqualService(overall, _wait_groups(self.by_language, overall),
                                       _wait_groups(self.by_kind, overall)),
            associates=associates, gaps=self.gaps,
        )  # fmt: skip

    def _day_periods(self, day: date) -> DayPeriods:
        used = sorted(half for d, half in self.periods if d == day)
        if not used:
            return DayPeriods(day, ())
        rows = []
        for half in range(used[0], used[-1] + 1):
            arrived, claimed, above, longest = self.periods.get((day, half), (0, 0, 0, -1.0))
            start = datetime.combine(day, time(half // 2, 30 * (half % 2)), tzinfo=self.stamps.tz)
            rows.append(Period(start, int(arrived), int(claimed), int(above), float(longest) if longest >= 0 else None))
        return DayPeriods(day, tuple(rows))

    def _satisfaction(self) -> Satisfaction:
        days = [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]
        return Satisfaction(
            overall=face_counts(self.faces),
            by_day=tuple((day, face_counts(self.faces_by_day.get(day, (0, 0, 0, 0)))) for day in days),
            by_hour=tuple((hour, face_counts(self.faces_by_hour[hour])) for hour in range(24)),
            reasons=tuple(sorted(self.reasons.items(), key=lambda pair: (-pair[1], pair[0]))),
            comments=tuple(sorted(self.comments, key=lambda c: (c[0], c[1]))),
        )

    def _joined(self) -> Joined:
        def group(what: str, label: str) -> Group:
            return Group(label, face_counts(self.joined_faces.get((what, label), (0, 0, 0, 0))))

        associates = sorted(label for what, label in self.joined_faces if what == "associate")
        return Joined(
            joined=self.joined, unjoined=self.unjoined, helped=group("helped", "helped"),
            not_helped=group("helped", "not helped"), by_claim_band=tuple(group("band", b) for b in CLAIM_BANDS),
            by_kind=tuple(group("kind", kind.value) for kind in KINDS),
            by_associate=tuple(group("associate", name) for name in associates) if self.per_associate else None,
        )  # fmt: skip


def _ranked(counter: Counter[str]) -> tuple[Ranked, ...]:
    return tuple(Ranked(term, n) for term, n in sorted(counter.items(), key=lambda pair: (-pair[1], pair[0])))


def _wait_groups(groups: Mapping[str, list[Any]], overall: float | None) -> tuple[WaitGroup, ...]:
    result = []
    for label in sorted(groups):
        count, *claims = groups[label]
        middle = median(claims)
        enough = len(claims) >= FLAG_MIN_CLAIMS
        flagged = enough and middle is not None and overall is not None and middle > FLAG_RATIO * overall
        result.append(WaitGroup(label, count, middle, flagged))
    return tuple(result)
