"""Today's figures for the managers, live, and the rule alerts that watch them.

Pure: standard library only, no I/O, no clock (`now` is passed in). The store
server feeds `Today` every log entry and feedback the recorder stores (and, at
start, the record's today), asks it for the figures to publish and for the
rule alerts to send. core/live_wire.py puts both on the wire.

Definitions (the same words as the report's):
- waiting now: today's requests that are open and held by nobody (new,
  released or escalated), and how long the longest of them has waited since
  the shopper asked;
- service level: of the requests that are due, the share claimed within the
  store's target for their type — the report's rule (`in_time` below);
- satisfaction: 100 · Σ wᵢnᵢ / 3N over today's responses, w = 3, 2, 1, 0 for
  very happy … very unhappy (faces 4 … 1), and N, the count;
- unclaimed and abandoned, as the report defines them
  (core/figure_definitions.py): unclaimed, today's requests nobody claimed
  that the shopper did not cancel (still open, or closed without a claim);
  abandoned, those cancelled before anyone claimed them;
- requests: today's requests, counted by when the shopper asked.
Rule alerts, each sent once per breach and armed again when it clears (a
store server that starts again counts a rule alert of the record sent within
that rule's window as said: the breach it named is taken to go on):
- unhappy: at least `unhappy_share` of the responses of the last
  `unhappy_minutes` were unhappy (faces 1–2), out of at least
  `unhappy_min_responses`;
- service level: the service level of the requests asked in the last
  `service_level_minutes` is under `service_level_percent`, with at least one
  of them due.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from core.figures import service_verdict  # the report's rule, one definition for both
from core.model import Feedback, Kind, LogEntry, Status
from core.records import RequestRow, request_rows

FACE_WEIGHT = {4: 3, 3: 2, 2: 1, 1: 0}  # very happy … very unhappy
UNHAPPY, SERVICE_LEVEL = "unhappy", "service_level"
RULES = (UNHAPPY, SERVICE_LEVEL)


@dataclass(frozen=True)
class AlertRules:
    """The store's rule-alert settings ([alerts] in config/store.toml)."""

    unhappy_minutes: int = 15
    unhappy_share: float = 0.5
    unhappy_min_responses: int = 4
    service_level_minutes: int = 60
    service_level_percent: float = 80.0


@dataclass(frozen=True)
class LiveFigures:
    day: date  # the store-local day counted
    at: datetime  # when these were counted
    waiting: int
    longest_wait: int | None  # seconds; None when nobody waits
    service_level: float | None  # percent; None while no request is due
    within_target: int
    due: int
    satisfaction: float | None  # the 0–100 index; None without responses
    responses: int
    unclaimed: int  # nobody claimed it and the shopper did not cancel: still open, or closed without a claim
    abandoned: int  # cancelled before anyone claimed it
    requests: int


@dataclass(frozen=True)
class RuleAlert:
    """A rule breached: over the last `minutes`, `hits` of `total` (unhappy
    responses of all responses, or requests claimed in time of those due) gave
    `value` (a share 0–1 for unhappy, a percent for service level) against
    `threshold`."""

    rule: str  # unhappy | service_level
    at: datetime
    minutes: int
    total: int
    hits: int
    value: float
    threshold: float


def in_time(row: RequestRow, target: int, now: datetime) -> bool | None:
    """Whether a request was claimed within `target` seconds of being asked:
    True, False, or None while it is not due — the report's own rule
    (core/figures.py, DEFINITIONS["service_level"]): due once it was claimed
    or has waited (until it ended, or until now) at least the target.
    """
    if row.created_at is None:
        return None  # its asking is not in the record: the wait is unknown
    due, within, _waited = service_verdict(row, target, now)
    return within if due else None


def service_level(rows: Iterable[RequestRow], targets: Mapping[Kind, int], now: datetime) -> tuple[int, int]:
    """(claimed within target, due) over `rows`; the level is 100 · within / due."""
    within = due = 0
    for row in rows:
        verdict = in_time(row, targets[row.kind], now)
        if verdict is not None:
            due += 1
            within += verdict
    return within, due


def satisfaction_index(ratings: Iterable[int]) -> tuple[float | None, int]:
    """(100 · Σ wᵢnᵢ / 3N, N) over faces 1–4; None when N is 0."""
    faces = list(ratings)
    if not faces:
        return None, 0
    return 100 * sum(FACE_WEIGHT[f] for f in faces) / (3 * len(faces)), len(faces)


def percent(within: int, due: int) -> float | None:
    return 100 * within / due if due else None


class Today:
    """The record of one store-local day, as it grows; figures and alerts from it.

    Entries and feedback may come in any order and more than once (the
    recorder's listeners are called for what it stored, but a rebuild and a
    late copy may overlap): each is kept once, by request id + seq + event +
    time and by feedback id. `roll(now)` (called by `figures` and `alerts`)
    turns the day and drops yesterday.
    """

    def __init__(self, tz: tzinfo, targets: Mapping[Kind, int], rules: AlertRules = AlertRules()) -> None:
        self.tz = tz
        self.targets = dict(targets)
        self.rules = rules
        self.day: date | None = None
        self._entries: dict[str, dict[tuple[int, str, datetime], LogEntry]] = {}
        self._feedback: dict[str, Feedback] = {}
        self._breached: set[str] = set()

    # -- what the recorder stored ------------------------------------------

    def add_entry(self, entry: LogEntry) -> None:
        if self._kept(entry.at):
            self._entries.setdefault(entry.request_id, {})[(entry.seq, entry.event, entry.at)] = entry

    def add_feedback(self, feedback: Feedback) -> None:
        if self._kept(feedback.given_at):
            self._feedback[feedback.id] = feedback

    def _local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def _kept(self, moment: datetime) -> bool:
        # Only the clock of the store server turns the day (`roll`): a kiosk
        # whose clock runs ahead must not end today for everyone. What is
        # dated after today is kept for when tomorrow comes.
        return self.day is None or self._local_day(moment) >= self.day

    def roll(self, now: datetime) -> None:
        """Make `now`'s store-local day today; what is dated before it goes."""
        day = self._local_day(now)
        if day == self.day:
            return
        self.day = day
        self._breached.clear()
        for request_id, steps in list(self._entries.items()):
            for key in [k for k, e in steps.items() if self._local_day(e.at) < day]:
                del steps[key]
            if not steps:
                del self._entries[request_id]
        for feedback_id in [k for k, f in self._feedback.items() if self._local_day(f.given_at) < day]:
            del self._feedback[feedback_id]

    def remember(self, sent: Iterable[RuleAlert], now: datetime) -> None:
        """Rule alerts already sent (read back from the record after a restart):
        one sent within its rule's window before `now` is the breach still
        going on, so it is not said again until it clears."""
        self.roll(now)
        for alert in sent:
            if timedelta(0) <= now - alert.at < timedelta(minutes=alert.minutes):
                self._breached.add(alert.rule)

    # -- what the managers see ---------------------------------------------

    def figures(self, now: datetime) -> LiveFigures:
        self.roll(now)
        assert self.day is not None
        rows = self._rows()
        waiting = [r for r in rows if self._waiting(r)]
        waits = [int((now - r.created_at).total_seconds()) for r in waiting]  # type: ignore[operator]
        within, due = service_level(rows, self.targets, now)
        index, responses = satisfaction_index(f.rating for f in self._todays_feedback())
        return LiveFigures(
            day=self.day,
            at=now,
            waiting=len(waiting),
            longest_wait=max(0, max(waits)) if waits else None,
            service_level=percent(within, due),
            within_target=within,
            due=due,
            satisfaction=index,
            responses=responses,
            unclaimed=sum(1 for r in rows if r.claimed_at is None and not r.abandoned),
            abandoned=sum(1 for r in rows if r.abandoned),
            requests=len(rows),
        )

    def alerts(self, now: datetime) -> list[RuleAlert]:
        """The rules breached now that were not breached at the last call; a
        rule that no longer holds is armed again."""
        self.roll(now)
        found = [a for a in (self._unhappy(now), self._service_level(now)) if a is not None]
        breached = {a.rule for a in found}
        new = [a for a in found if a.rule not in self._breached]
        self._breached = breached
        return new

    def _rows(self) -> list[RequestRow]:
        """Today's requests, by when the shopper asked; one whose asking is not
        in the record is left out (its wait is unknown)."""
        rows = request_rows(e for steps in self._entries.values() for e in steps.values())
        return [r for r in rows if r.created_at is not None and self._local_day(r.created_at) == self.day]

    def _todays_feedback(self) -> list[Feedback]:
        return [f for f in self._feedback.values() if self._local_day(f.given_at) == self.day]

    def _waiting(self, row: RequestRow) -> bool:
        return row.status is Status.OPEN  # new, released or escalated: held by nobody

    def _unhappy(self, now: datetime) -> RuleAlert | None:
        rules = self.rules
        since = now - timedelta(minutes=rules.unhappy_minutes)
        recent = [f for f in self._todays_feedback() if since < f.given_at <= now]
        unhappy = sum(1 for f in recent if f.unhappy)
        if len(recent) < rules.unhappy_min_responses or unhappy < rules.unhappy_share * len(recent):
            return None
        return RuleAlert(UNHAPPY, now, rules.unhappy_minutes, len(recent), unhappy, unhappy / len(recent),
                         rules.unhappy_share)  # fmt: skip

    def _service_level(self, now: datetime) -> RuleAlert | None:
        rules = self.rules
        since = now - timedelta(minutes=rules.service_level_minutes)
        recent = [r for r in self._rows() if since < r.created_at <= now]  # type: ignore[operator]
        within, due = service_level(recent, self.targets, now)
        level = percent(within, due)
        if level is None or level >= rules.service_level_percent:
            return None
        return RuleAlert(SERVICE_LEVEL, now, rules.service_level_minutes, due, within, level,
                         rules.service_level_percent)  # fmt: skip
