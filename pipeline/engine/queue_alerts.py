"""Queue alert rules: sl_breach / abandon_spike (per second, held) and wait_breach (unions).

Rolling sums cover the 15-minute window `(s - 900, s]` at whole second `s` and are kept
with one add and one subtract per second. Times are epoch seconds.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

from pipeline.engine.alerts import AlertBook
from pipeline.engine.contacts import Contact
from pipeline.kpi_math import ratio, service_level
from schemas.config import QueueRules

RATE_WINDOW_S = 900
# Row layout of the per-second rate counters.
R_IN_SL, R_ANSWERED, R_ABANDONED, R_SHORT = 0, 1, 2, 3


@dataclass
class HeldRule:
    """Hold/clear bookkeeping of one held rule of one queue."""

    streak_start: int | None = None
    active_id: str | None = None


@dataclass
class QueueRates:
    """Per-second counts of one queue for the 15-minute rate rules, and their running sums."""

    queue: str
    seconds: dict[int, list[int]] = field(default_factory=dict)
    sums: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    last_second: int | None = None
    sl: HeldRule = field(default_factory=HeldRule)
    spike: HeldRule = field(default_factory=HeldRule)
    # True when `sums` changed since the last evaluated second (a late count).
    sums_changed: bool = True

    def add(self, second: int, index: int, extra_index: int | None = None) -> None:
        last = self.last_second
        if last is not None and second <= last:
            if second <= last - RATE_WINDOW_S:
                return
            # Already swept past this second: count it in the running sums now.
            self.sums_changed = True
            self.sums[index] += 1
            if extra_index is not None:
                self.sums[extra_index] += 1
        row = self.seconds.get(second)
        if row is None:
            row = self.seconds[second] = [0, 0, 0, 0]
        row[index] += 1
        if extra_index is not None:
            row[extra_index] += 1

    def sweep(self, until: int, rules: QueueRules, book: AlertBook) -> None:
        """Evaluate every second up to `until` (inclusive)."""
        if self.last_second is None:
            if not self.seconds:
                return
            self.last_second = min(self.seconds) - 1
        seconds, sums = self.seconds, self.sums
        for s in range(self.last_second + 1, until + 1):
            row = seconds.get(s)
            old = seconds.get(s - RATE_WINDOW_S)
            if (
                row is None
                and old is None
                and not self.sums_changed
                and not self._hold_ends(s, rules)
            ):
                # Quiet second: same sums as the second before, so no rule can change
                # (see `_hold_ends`); skipping it is what makes a quiet night cheap.
                continue
            if row is not None:
                for i in range(4):
                    sums[i] += row[i]
            if old is not None:
                for i in range(4):
                    sums[i] -= old[i]
            self._evaluate(s, rules, book)
            self.sums_changed = False
        self.last_second = max(self.last_second, until)

    def _hold_ends(self, s: int, rules: QueueRules) -> bool:
        """Whether a held condition reaches its hold time at `s` (the one change possible
        with unchanged sums: conditions and clears depend on the sums only)."""
        sl, spike = self.sl, self.spike
        return (
            sl.active_id is None
            and sl.streak_start is not None
            and sl.streak_start <= math.ceil(s - rules.sl_hold_s)
        ) or (
            spike.active_id is None
            and spike.streak_start is not None
            and spike.streak_start <= math.ceil(s - rules.abandon_hold_s)
        )

    def _evaluate(self, s: int, rules: QueueRules, book: AlertBook) -> None:
        in_sl, answered, abandoned, short = self.sums
        denominator = answered + abandoned - short
        subject = f"queue:{self.queue}"
        # sl_breach
        sl = service_level(in_sl, answered, abandoned, short)
        enough = denominator >= rules.sl_min_contacts
        cond = enough and sl is not None and sl < rules.sl_target
        rule = self.sl
        rule.streak_start = _streak(rule.streak_start, s, cond)
        if rule.active_id is not None:
            if not enough or (sl is not None and sl > rules.sl_target + rules.sl_clear_margin):
                book.clear(rule.active_id, s)
                rule.active_id = None
        elif rule.streak_start is not None and rule.streak_start <= math.ceil(s - rules.sl_hold_s):
            alert_id = f"sl_breach:{self.queue}:{s}"
            book.raise_alert(
                alert_id,
                "sl_breach",
                subject,
                s,
                {"service_level": sl, "target": rules.sl_target, "contacts": denominator},
            )
            rule.active_id = alert_id
        # abandon_spike
        enough = denominator >= rules.abandon_min_contacts
        rate = ratio(abandoned - short, denominator)
        cond = enough and rate is not None and rate > rules.abandon_spike_rate
        rule = self.spike
        rule.streak_start = _streak(rule.streak_start, s, cond)
        if rule.active_id is not None:
            if not cond:
                book.clear(rule.active_id, s)
                rule.active_id = None
        elif rule.streak_start is not None and rule.streak_start <= math.ceil(
            s - rules.abandon_hold_s
        ):
            alert_id = f"abandon_spike:{self.queue}:{s}"
            book.raise_alert(
                alert_id,
                "abandon_spike",
                subject,
                s,
                {
                    "abandon_rate": rate,
                    "threshold": rules.abandon_spike_rate,
                    "contacts": denominator,
                },
            )
            rule.active_id = alert_id

    def evict(self, keep_from: int) -> None:
        limit = keep_from
        if self.last_second is not None:
            limit = min(limit, self.last_second - RATE_WINDOW_S)
        for s in [s for s in self.seconds if s <= limit]:
            del self.seconds[s]


@dataclass
class WaitBreach:
    """wait_breach of one queue: longest_wait_s above the threshold, held on clearing.

    The breach is the union over the queue's contacts of `[offered + wait_breach_s,
    outcome)` (a contact waiting longer than its threshold). An alert is raised where a
    union interval starts and cleared `clear_hold_s` after it ends, unless another one
    starts before then: a dip below the threshold shorter than the hold is the same alert.
    Evidence is queue-level, as of the raise: the threshold, the longest wait (the
    threshold of the contacts crossing it then) and how many contacts crossed it then.
    """

    queue: str
    clear_hold_s: float = 0.0
    starts: list[tuple[float, str, float]] = field(default_factory=list)
    active_id: str | None = None
    open_members: set[str] = field(default_factory=set)
    active_end: float = float("-inf")

    def offered(self, start: float, contact_id: str, threshold_s: float) -> None:
        heapq.heappush(self.starts, (start, contact_id, threshold_s))

    def outcome(self, contact_id: str, ts: float) -> None:
        if contact_id in self.open_members:
            self.open_members.discard(contact_id)
            self.active_end = max(self.active_end, ts)

    def _joins(self, start: float) -> bool:
        """Whether a breach starting at `start` belongs to the active alert."""
        return start <= self.active_end or start < self.active_end + self.clear_hold_s

    def _take(self, start: float, contact_id: str, contacts: dict[str, Contact]) -> bool:
        """Count a contact's breach from `start` into the active alert; False if it was
        answered or abandoned before its threshold (no breach)."""
        outcome_ts = _outcome_ts(contacts, contact_id)
        if outcome_ts is None:
            self.open_members.add(contact_id)
        elif outcome_ts > start:
            self.active_end = max(self.active_end, outcome_ts)
        else:
            return False
        return True

    def decide(
        self, limit: float, inclusive: bool, contacts: dict[str, Contact], book: AlertBook
    ) -> None:
        """Raise/clear everything whose time is known (`< limit`, or `<= limit` inclusive)."""

        def known(t: float) -> bool:
            return t < limit or (inclusive and t <= limit)

        starts = self.starts
        while True:
            if self.active_id is not None:
                while (
                    starts
                    and known(starts[0][0])
                    and (self.open_members or self._joins(starts[0][0]))
                ):
                    start, cid, _thr = heapq.heappop(starts)
                    self._take(start, cid, contacts)
                clear_at = self.active_end + self.clear_hold_s
                if self.open_members or not known(clear_at):
                    return
                book.clear(self.active_id, clear_at)
                self.active_id = None
                continue
            if not starts or not known(starts[0][0]):
                return
            start, cid, threshold = heapq.heappop(starts)
            self.open_members = set()
            self.active_end = start
            if not self._take(start, cid, contacts):
                continue
            # Every contact crossing its threshold at the same instant is over it too.
            longest, crossing = threshold, 1
            while starts and starts[0][0] == start:
                _start, other, other_threshold = heapq.heappop(starts)
                if self._take(start, other, contacts):
                    longest, crossing = max(longest, other_threshold), crossing + 1
            alert_id = f"wait_breach:{self.queue}:{math.floor(start)}"
            book.raise_alert(
                alert_id,
                "wait_breach",
                f"queue:{self.queue}",
                start,
                {
                    "threshold_s": float(threshold),
                    "longest_wait_s": float(longest),
                    "contacts_over": crossing,
                },
            )
            self.active_id = alert_id


def _streak(start: int | None, s: int, cond: bool) -> int | None:
    """First second of the current run of seconds where the condition held."""
    if not cond:
        return None
    return s if start is None else start


def _outcome_ts(contacts: dict[str, Contact], contact_id: str) -> float | None:
    """The contact's accepted outcome time (None while open); -inf if already forgotten."""
    contact = contacts.get(contact_id)
    if contact is None:
        return float("-inf")
    return contact.outcome_ts
